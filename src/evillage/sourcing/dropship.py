"""Drop-shipping: a seller lists a supplier's variant as their own; when a buyer's order of
it is paid, a purchase order is placed at the supplier, who ships straight to the buyer.

The two orders move together (hooks registered with the orders app, run inside the
transaction that moves either order, with both rows locked in primary-key order):

- buyer's order paid → after commit, the purchase order is placed: paid from the seller's
  share of the buyer's order, so no money moves yet; the supplier's stock is reserved;
- supplier ships the purchase order → the buyer's order is shipped with the same carrier
  and waybill, and its confirmation clock starts (the purchase order has none of its own);
- buyer confirms (or the clock runs out) → escrow pays the seller as for any order, and in
  the same transaction the seller's wallet pays the supplier the purchase order's total:
  the seller's statement shows the release and the purchase, the difference being the
  margin. If refunds left the seller too little, the purchase order waits for the money
  (the sweep retries) instead of blocking the buyer's confirmation;
- buyer's order closed before shipment (cancelled or refunded) → the purchase order is
  closed and the supplier's stock released; closed after shipment (a refunded return) →
  the supplier, who shipped, is paid as on completion.

An order is drop-shipped only when every line is linked to the same supplier; otherwise
the seller ships it as usual (the order's history says why no purchase order was placed).
"""

import functools
import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.catalog.models import ProductStatus, Sku
from evillage.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from evillage.ledger.models import Account, TransferKind
from evillage.ledger.services import account_wallet, transfers_create
from evillage.orders.models import Order, OrderState
from evillage.orders.services._common import (
    lock_order,
    on_transition,
    record_event,
    related_orders,
    release_stock,
    ship_stock,
    transition,
)
from evillage.orders.services.lifecycle import commission_due, settlement_legs
from evillage.orders.services.purchase import PurchaseLine, purchase_order_create
from evillage.shops.models import ShopKind, ShopStatus
from evillage.shops.selectors import user_can_manage_products
from evillage.sourcing.models import DropshipLink, DropshipOrder, WholesaleTerms
from evillage.sourcing.selectors import tier_unit_price

log = logging.getLogger(__name__)

# The sweep places purchase orders that a crash kept from being placed at payment time.
PLACE_AFTER = timedelta(minutes=2)
PLACE_WITHIN = timedelta(days=1)


# Links --------------------------------------------------------------------------------------


def dropship_link_create(*, user: User, retail_sku: Sku, supplier_sku: Sku) -> DropshipLink:
    """Link the seller's variant to a supplier's: its orders will be shipped by the
    supplier. Replaces an earlier link of the same variant."""
    retail_shop = retail_sku.product.shop
    supplier_shop = supplier_sku.product.shop
    if not user_can_manage_products(user=user, shop=retail_shop):
        raise PermissionDenied(
            _("Only the shop's owner can set up drop-shipping."), code="not_shop_owner"
        )
    if retail_shop.kind == ShopKind.SUPPLIER or retail_shop.pk == supplier_shop.pk:
        raise ValidationFailed(
            _("Link a variant of your retail shop to another supplier's."), code="bad_link"
        )
    if supplier_shop.kind != ShopKind.SUPPLIER or supplier_shop.status != ShopStatus.OPEN:
        raise ValidationFailed(
            _("Only an open supplier's offers can be drop-shipped."), code="not_a_supplier"
        )
    terms = WholesaleTerms.objects.filter(product_id=supplier_sku.product_id).first()
    if terms is None or not terms.dropship or supplier_sku.product.status != ProductStatus.ACTIVE:
        raise ValidationFailed(
            _("This supplier does not drop-ship this offer."), code="no_dropship"
        )
    if not supplier_sku.is_active:
        raise ValidationFailed(_("This variant is no longer offered."), code="no_dropship")
    if retail_sku.product.currency != supplier_sku.product.currency:
        raise ValidationFailed(
            _("The supplier sells in another currency."), code="mixed_currencies"
        )
    link, _created = DropshipLink.objects.update_or_create(
        retail_sku=retail_sku, defaults={"supplier_sku": supplier_sku}
    )
    return link


def dropship_link_remove(*, user: User, link: DropshipLink) -> None:
    """Stop drop-shipping the variant; orders already placed go on as they are."""
    if not user_can_manage_products(user=user, shop=link.retail_sku.product.shop):
        raise PermissionDenied(
            _("Only the shop's owner can set up drop-shipping."), code="not_shop_owner"
        )
    link.delete()


# Placing the purchase order -----------------------------------------------------------------


def _linked_lines(order: Order) -> list[tuple[Sku, int]] | None:
    """(supplier variant, quantity) for every line, or None unless every line is linked to
    one supplier."""
    lines = list(order.lines.select_related("sku__dropship_link__supplier_sku__product__shop"))
    pairs = []
    for line in lines:
        link = getattr(line.sku, "dropship_link", None)
        if link is None:
            return None
        pairs.append((link.supplier_sku, line.quantity))
    suppliers = {sku.product.shop_id for sku, _quantity in pairs}
    return pairs if len(suppliers) == 1 else None


def _purchase_lines(pairs: list[tuple[Sku, int]]) -> list[PurchaseLine]:
    """Each variant at the tier its offer's total quantity reaches (no minimum: the
    supplier agreed to drop-ship single units)."""
    per_product: dict[int, int] = defaultdict(int)
    for sku, quantity in pairs:
        per_product[sku.product_id] += quantity
    return [
        PurchaseLine(
            sku=sku,
            quantity=quantity,
            unit_price=tier_unit_price(sku=sku, quantity=per_product[sku.product_id]),
        )
        for sku, quantity in pairs
    ]


def purchase_order_place(*, retail_order_id: int) -> Order | None:
    """Place the purchase order for a paid, fully linked order (idempotent: None when
    there is nothing to do or it cannot be placed; the order's history says why)."""
    retail = Order.objects.select_related("shop").get(pk=retail_order_id)
    if DropshipOrder.objects.filter(retail_order=retail).exists():
        return None
    pairs = _linked_lines(retail)
    if pairs is None:
        return None
    supplier = pairs[0][0].product.shop
    lines = _purchase_lines(pairs)
    cost = sum(line.unit_price * line.quantity for line in lines)
    try:
        with transaction.atomic(durable=True):
            locked = lock_order(retail.pk)
            if locked.state != OrderState.WAIT_SELLER_SEND:
                return None
            share = locked.total - commission_due(locked, locked.total)
            if supplier.status != ShopStatus.OPEN:
                raise Conflict(_("the supplier's shop is not open"), code="supplier_closed")
            if cost > share:
                raise Conflict(
                    _("the supplier's price is more than the seller receives"),
                    code="dropship_loss",
                )
            purchase = purchase_order_create(
                buyer=locked.shop.owner,
                shop=supplier,
                lines=lines,
                ship_like=locked,
                reason=f"drop-ship for order {locked.public_id} of {locked.shop.name}",
            )
            DropshipOrder.objects.create(retail_order=locked, purchase_order=purchase)
            record_event(
                locked,
                actor=None,
                to_state=locked.state,
                # The buyer reads this history too: who supplies the seller is not said.
                reason="drop-ship: the supplier will ship this order",
            )
    except IntegrityError:
        return None  # placed by a concurrent call (the sweep, or a retried commit hook)
    except DomainError as exc:
        _note_failure(retail.pk, exc.message)
        return None
    return purchase


def _note_failure(retail_order_id: int, why: str) -> None:
    log.info("drop-ship for order %s not placed: %s", retail_order_id, why)
    with transaction.atomic():
        order = lock_order(retail_order_id)
        record_event(
            order,
            actor=None,
            to_state=order.state,
            reason="drop-ship not possible: the seller ships this order",
        )


def _place_after_commit(order_id: int) -> None:
    try:
        purchase_order_place(retail_order_id=order_id)
    except Exception:  # the payment is done; the sweep retries the placement
        log.exception("drop-ship placement failed for order %s", order_id)


# Following the two orders --------------------------------------------------------------------


def _pair_of(order_id: int) -> DropshipOrder | None:
    """The drop-ship pair an order belongs to, as the buyer's order or the purchase."""
    return (
        DropshipOrder.objects.select_related("retail_order", "purchase_order")
        .filter(Q(retail_order_id=order_id) | Q(purchase_order_id=order_id))
        .first()
    )


@related_orders
def _other_order(order_id: int) -> list[int]:
    pair = (
        DropshipOrder.objects.filter(Q(retail_order_id=order_id) | Q(purchase_order_id=order_id))
        .values_list("retail_order_id", "purchase_order_id")
        .first()
    )
    return list(pair) if pair else []


# The transitions a drop-ship pair reacts to; any other moves no partner.
_FOLLOWED = (OrderState.WAIT_BUYER_CONFIRM, OrderState.FINISHED, OrderState.CLOSED)


@on_transition
def _follow(order: Order, before: str, after: str) -> None:
    if after == OrderState.WAIT_SELLER_SEND and before == OrderState.WAIT_BUYER_PAY:
        if DropshipLink.objects.filter(retail_sku__order_lines__order=order).exists():
            transaction.on_commit(functools.partial(_place_after_commit, order.pk))
        return
    if after not in _FOLLOWED:
        return
    pair = _pair_of(order.pk)
    if pair is None:
        return
    if pair.retail_order_id == order.pk:
        _retail_moved(pair, before, after)
    elif after == OrderState.WAIT_BUYER_CONFIRM:
        _purchase_shipped(pair)


def _retail_moved(pair: DropshipOrder, before: str, after: str) -> None:
    purchase = pair.purchase_order
    if after == OrderState.WAIT_BUYER_CONFIRM and purchase.state != OrderState.WAIT_BUYER_CONFIRM:
        raise Conflict(
            _("The supplier ships this order (purchase order %(id)s).")
            % {"id": purchase.public_id},
            code="shipped_by_supplier",
        )
    if after == OrderState.FINISHED:
        _pay_supplier(pair, reason="the buyer's order completed")
    elif after == OrderState.CLOSED:
        if purchase.state == OrderState.WAIT_SELLER_SEND:
            release_stock(purchase.lines.all())
            transition(
                purchase,
                to=OrderState.CLOSED,
                actor=None,
                reason="the buyer's order was closed before shipment",
                closed_at=timezone.now(),
                close_reason="the buyer's order was closed before shipment",
            )
        elif purchase.state == OrderState.WAIT_BUYER_CONFIRM:
            # The supplier shipped; what the buyer got back is between buyer and seller.
            _pay_supplier(pair, reason="the buyer's order was closed after shipment")


def _purchase_shipped(pair: DropshipOrder) -> None:
    """The supplier shipped: so is the buyer's order, with the same waybill."""
    purchase = pair.purchase_order
    retail = Order.objects.select_for_update().get(pk=pair.retail_order_id)
    if retail.state != OrderState.WAIT_SELLER_SEND:
        raise Conflict(
            _("The buyer's order is no longer waiting for shipment."), code="retail_not_paid"
        )
    now = timezone.now()
    Order.objects.filter(pk=purchase.pk).update(auto_confirm_at=None)
    purchase.auto_confirm_at = None
    ship_stock(retail.lines.all())
    transition(
        retail,
        to=OrderState.WAIT_BUYER_CONFIRM,
        actor=None,
        reason=f"shipped by the supplier: {purchase.carrier} {purchase.waybill}",
        carrier=purchase.carrier,
        waybill=purchase.waybill,
        shipped_at=now,
        auto_confirm_at=now + settings.ORDER_AUTO_CONFIRM_AFTER,
    )


def _pay_supplier(pair: DropshipOrder, *, reason: str, note: bool = True) -> bool:
    """The seller's wallet pays the purchase order (inside the caller's transaction, the
    purchase order locked); False, with a note in its history, when the wallet is short."""
    purchase = (
        Order.objects.select_for_update().select_related("shop").get(pk=pair.purchase_order_id)
    )
    if purchase.state != OrderState.WAIT_BUYER_CONFIRM:
        return False
    payer = account_wallet(user=purchase.buyer, currency=purchase.currency)
    balance = Account.objects.select_for_update().get(pk=payer.pk).balance
    commission = commission_due(purchase, purchase.total)
    if balance < purchase.total:
        if not note:
            return False
        record_event(
            purchase,
            actor=None,
            to_state=purchase.state,
            reason="waiting for the seller's wallet to cover the purchase order",
        )
        return False
    legs = settlement_legs(
        source=payer,
        order=purchase,
        to_shop=purchase.total - commission,
        commission=commission,
        kind=TransferKind.DROPSHIP_PURCHASE,
    )
    transfers_create(legs=legs, reference=f"order:{purchase.public_id}")
    now = timezone.now()
    transition(
        purchase,
        to=OrderState.FINISHED,
        actor=None,
        reason=f"paid by the seller: {reason}",
        finished_at=now,
        auto_confirm_at=None,
        seller_amount=purchase.total - commission,
        commission=commission,
    )
    DropshipOrder.objects.filter(pk=pair.pk).update(paid_at=now)
    return True


# The sweep -----------------------------------------------------------------------------------


def dropship_sweep(*, now=None) -> dict[str, int]:
    """Place purchase orders a crash left unplaced, and pay purchase orders that waited for
    the seller's money. Safe to run twice at once."""
    now = now or timezone.now()
    placed = paid = 0
    unplaced = (
        Order.objects.filter(
            state=OrderState.WAIT_SELLER_SEND,
            paid_at__lt=now - PLACE_AFTER,
            paid_at__gt=now - PLACE_WITHIN,
            dropship__isnull=True,
            lines__sku__dropship_link__isnull=False,
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    for order_id in list(unplaced):
        if purchase_order_place(retail_order_id=order_id) is not None:
            placed += 1
    waiting = DropshipOrder.objects.filter(
        paid_at__isnull=True,
        purchase_order__state=OrderState.WAIT_BUYER_CONFIRM,
        retail_order__state__in=[OrderState.FINISHED, OrderState.CLOSED],
    ).values_list("pk", flat=True)
    for pair_id in list(waiting):
        with transaction.atomic(durable=True):
            pair = DropshipOrder.objects.get(pk=pair_id)
            lock_order(pair.purchase_order_id)
            if _pay_supplier(pair, reason="the seller's wallet now covers it", note=False):
                paid += 1
    return {"dropship_placed": placed, "dropship_paid": paid}


def purchase_of(order: Order) -> DropshipOrder | None:
    """The drop-ship pair this order belongs to (as the buyer's order or the purchase)."""
    return _pair_of(order.pk)
