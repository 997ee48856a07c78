"""Checkout: one order per shop under one checkout, stock reserved, prices from the server."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.accounts.phones import normalise_phone
from evillage.catalog.models import Sku
from evillage.catalog.services.stock import out_of_stock, stock_reserve
from evillage.core.errors import ValidationFailed
from evillage.orders.models import (
    MAX_CART_LINES,
    CartLine,
    Checkout,
    Order,
    OrderEvent,
    OrderLine,
    OrderState,
)
from evillage.orders.services.cart import buyable_sku, clean_quantity
from evillage.places.models import Level
from evillage.places.selectors import place_get
from evillage.shops.models import ShopKind
from evillage.sourcing.selectors import wholesale_unit_prices


@dataclass(frozen=True)
class CheckoutItem:
    sku: str  # the SKU's public id
    quantity: int


@dataclass(frozen=True)
class ShipTo:
    place: str  # a place key, county level or below, e.g. "cn-320324109002"
    street: str
    name: str
    phone: str


def checkout_create(
    *,
    buyer: User,
    items: Sequence[CheckoutItem],
    ship_to: ShipTo,
    notes: dict[str, str] | None = None,
    idempotency_key: str | None = None,
) -> Checkout:
    """Create one order per shop for these items and reserve their stock, all or nothing.

    `notes` maps a shop's public id to the buyer's note for that shop. Items bought leave
    the cart. Raises Conflict(out_of_stock) naming the SKU if any item is short.
    """
    if idempotency_key:
        earlier = Checkout.objects.filter(buyer=buyer, idempotency_key=idempotency_key).first()
        if earlier is not None:  # the same request, retried after a crash
            return earlier
    address = _clean_ship_to(ship_to)
    quantities = _clean_items(items)
    skus = [buyable_sku(public_id=public_id, buyer=buyer) for public_id in quantities]
    for sku in skus:
        # Refuse at once what is already sold out (a flash sale's late buyers) without
        # opening a transaction; the conditional UPDATE below is what guarantees it.
        if sku.available < quantities[sku.public_id]:
            raise out_of_stock(sku)
    currencies = {sku.product.currency for sku in skus}
    if len(currencies) != 1:
        raise ValidationFailed(
            _("Items priced in different currencies are paid separately."),
            code="mixed_currencies",
        )
    # Wholesale offers: the tier the offer's total quantity reaches, or a sample price;
    # below the minimum order quantity otherwise, ValidationFailed(below_minimum_quantity).
    prices = wholesale_unit_prices(skus=skus, quantities=quantities)
    notes = {key: (value or "").strip()[:300] for key, value in (notes or {}).items()}
    try:
        return _create(buyer, skus, quantities, prices, address, notes, idempotency_key)
    except IntegrityError as exc:
        # The same key from a concurrent request that committed first (a double click):
        # its checkout is the answer. Nothing of ours was written (one transaction).
        if idempotency_key and "checkout_unique_idempotency_key" in str(exc):
            return Checkout.objects.get(buyer=buyer, idempotency_key=idempotency_key)
        raise


def _create(
    buyer: User,
    skus: list[Sku],
    quantities: dict[str, int],
    prices: dict[str, int],
    address: dict,
    notes: dict[str, str],
    idempotency_key: str | None,
) -> Checkout:
    by_shop: dict[int, list[Sku]] = defaultdict(list)
    for sku in skus:
        by_shop[sku.product.shop_id].append(sku)
    now = timezone.now()
    with transaction.atomic(durable=True):
        orders = []
        for shop_skus in by_shop.values():
            shop = shop_skus[0].product.shop
            items_total = sum(
                prices[sku.public_id] * quantities[sku.public_id] for sku in shop_skus
            )
            orders.append(
                Order(
                    buyer=buyer,
                    shop=shop,
                    shop_kind=shop.kind,
                    currency=shop_skus[0].product.currency,
                    items_total=items_total,
                    shipping_fee=shop.shipping_fee,
                    total=items_total + shop.shipping_fee,
                    buyer_note=notes.get(shop.public_id, ""),
                    pay_deadline=now + settings.ORDER_PAY_WITHIN,
                    created_at=now,
                    **address,
                )
            )
        checkout = Checkout.objects.create(
            buyer=buyer,
            currency=skus[0].product.currency,
            total=sum(order.total for order in orders),
            idempotency_key=idempotency_key,
            created_at=now,
        )
        for order in orders:
            order.checkout = checkout
            order.save(force_insert=True)
            shop_skus = by_shop[order.shop_id]
            OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    sku=sku,
                    title=sku.product.title,
                    label=sku.label,
                    unit_price=prices[sku.public_id],
                    quantity=quantities[sku.public_id],
                    commission_bp=(
                        sku.product.category.commission_bp
                        if order.shop_kind == ShopKind.ENTERPRISE
                        else 0
                    ),
                )
                for sku in shop_skus
            )
            OrderEvent.objects.create(
                order=order,
                actor=buyer,
                at=now,
                to_state=OrderState.WAIT_BUYER_PAY,
                reason="checkout",
            )
        CartLine.objects.filter(cart__owner=buyer, sku__in=skus).delete()
        # Last, so that the SKU rows (hot during a flash sale) stay locked only from this
        # UPDATE to the commit; a short SKU rolls back everything written above.
        stock_reserve((sku.pk, quantities[sku.public_id]) for sku in skus)
    return checkout


def _clean_items(items: Sequence[CheckoutItem]) -> dict[str, int]:
    if not items:
        raise ValidationFailed(_("Nothing to check out."), code="empty_checkout")
    if len(items) > MAX_CART_LINES:
        raise ValidationFailed(
            _("At most %(max)d items per checkout.") % {"max": MAX_CART_LINES},
            code="too_many_items",
        )
    quantities: dict[str, int] = {}
    for item in items:
        if not isinstance(item.sku, str) or not item.sku:
            raise ValidationFailed(_("Unknown item."), code="sku_not_found", field="sku")
        quantities[item.sku] = clean_quantity(quantities.get(item.sku, 0) + item.quantity)
    return quantities


def _clean_ship_to(ship_to: ShipTo) -> dict:
    place = place_get(key=(ship_to.place or "").strip())
    if place.level < Level.COUNTY:
        raise ValidationFailed(
            _("Choose a county, town or village to ship to."),
            code="address_too_vague",
            field="place",
        )
    street = (ship_to.street or "").strip()
    if not street or len(street) > 200:
        raise ValidationFailed(
            _("Enter the street and house (up to 200 characters)."),
            code="bad_street",
            field="street",
        )
    name = (ship_to.name or "").strip()
    if not name or len(name) > 60:
        raise ValidationFailed(
            _("Enter the recipient's name (up to 60 characters)."), code="bad_name", field="name"
        )
    return {
        "ship_to_place": place,
        "ship_to_street": street,
        "ship_to_name": name,
        "ship_to_phone": normalise_phone(ship_to.phone),
    }
