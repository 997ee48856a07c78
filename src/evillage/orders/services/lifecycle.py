"""The order's life after checkout: cancel, ship, confirm, extend, finish, close."""

import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.core.errors import Conflict, ValidationFailed
from evillage.ledger.models import Account, TransferKind
from evillage.ledger.services import Leg, account_platform, account_wallet, transfers_create
from evillage.orders.models import Order, OrderState, RefundState
from evillage.orders.services._common import (
    escrow_account,
    has_open_refund,
    lock_order,
    record_event,
    refuse_if_settled_elsewhere,
    release_stock,
    require_buyer,
    require_seller,
    ship_stock,
    transition,
    wrong_state,
)

_WAYBILL = re.compile(r"[A-Za-z0-9-]{4,40}")


def order_cancel(*, order: Order, actor: User, reason: str = "") -> Order:
    """The buyer cancels an order not yet paid; its stock goes back on sale."""
    with transaction.atomic(durable=True):
        locked = lock_order(order.pk)
        require_buyer(locked, actor)
        if locked.state != OrderState.WAIT_BUYER_PAY:
            raise wrong_state(locked)
        _close(locked, actor=actor, reason=reason.strip()[:300] or "cancelled by the buyer")
    return locked


def order_close_unpaid(*, order_id: int, now=None) -> bool:
    """The payment deadline passed (the sweeper calls this); False if nothing to do."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        locked = lock_order(order_id)
        if locked.state != OrderState.WAIT_BUYER_PAY or not locked.pay_deadline:
            return False
        if locked.pay_deadline > now:
            return False
        _close(locked, actor=None, reason="not paid before the deadline")
    return True


def _close(order: Order, *, actor: User | None, reason: str) -> None:
    """Close an order that never shipped (locked by the caller): its stock returns."""
    release_stock(order.lines.all())
    transition(
        order,
        to=OrderState.CLOSED,
        actor=actor,
        reason=reason,
        closed_at=timezone.now(),
        close_reason=reason[:300],
        pay_deadline=None,
    )


def clean_shipment(carrier: str, waybill: str) -> tuple[str, str]:
    carrier = (carrier or "").strip()
    waybill = (waybill or "").strip()
    if not carrier or len(carrier) > 40:
        raise ValidationFailed(
            _("Enter the carrier (up to 40 characters)."), code="bad_carrier", field="carrier"
        )
    if not _WAYBILL.fullmatch(waybill):
        raise ValidationFailed(
            _("A waybill number has 4 to 40 letters, digits or dashes."),
            code="bad_waybill",
            field="waybill",
        )
    return carrier, waybill


def order_ship(*, order: Order, actor: User, carrier: str, waybill: str) -> Order:
    """The seller hands the parcel to a carrier; the buyer's confirmation clock starts."""
    carrier, waybill = clean_shipment(carrier, waybill)
    with transaction.atomic(durable=True):
        locked = lock_order(order.pk)
        require_seller(locked, actor)
        if locked.state != OrderState.WAIT_SELLER_SEND:
            raise wrong_state(locked)
        if locked.refunds.filter(state=RefundState.REQUESTED).exists():
            raise Conflict(_("Answer the buyer's refund request first."), code="refund_pending")
        ship_stock(locked.lines.all())
        now = timezone.now()
        transition(
            locked,
            to=OrderState.WAIT_BUYER_CONFIRM,
            actor=actor,
            reason=f"{carrier} {waybill}",
            carrier=carrier,
            waybill=waybill,
            shipped_at=now,
            auto_confirm_at=now + settings.ORDER_AUTO_CONFIRM_AFTER,
        )
    return locked


def order_confirm(*, order: Order, actor: User) -> Order:
    """The buyer confirms receipt: escrow pays the seller."""
    with transaction.atomic(durable=True):
        locked = lock_order(order.pk)
        require_buyer(locked, actor)
        refuse_if_settled_elsewhere(locked)
        if locked.state != OrderState.WAIT_BUYER_CONFIRM:
            raise wrong_state(locked)
        if has_open_refund(locked):
            raise Conflict(
                _("A refund request is open on this order. Withdraw it before confirming."),
                code="refund_open",
            )
        finish(locked, actor=actor, reason="receipt confirmed by the buyer")
    return locked


def order_auto_confirm(*, order_id: int, now=None) -> bool:
    """The confirmation deadline passed without an open refund (the sweeper calls this)."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        locked = lock_order(order_id)
        if locked.state != OrderState.WAIT_BUYER_CONFIRM or not locked.auto_confirm_at:
            return False
        if locked.auto_confirm_at > now or has_open_refund(locked):
            return False
        finish(locked, actor=None, reason="confirmed automatically at the deadline")
    return True


def order_extend_confirm(*, order: Order, actor: User, days: int) -> Order:
    """The buyer needs more time before the automatic confirmation; allowed once."""
    if days not in settings.ORDER_CONFIRM_EXTENSIONS_DAYS:
        raise ValidationFailed(
            _("Extend by %(choices)s days.")
            % {"choices": ", ".join(str(d) for d in settings.ORDER_CONFIRM_EXTENSIONS_DAYS)},
            code="bad_extension",
            field="days",
        )
    with transaction.atomic(durable=True):
        locked = lock_order(order.pk)
        require_buyer(locked, actor)
        refuse_if_settled_elsewhere(locked)
        if locked.state != OrderState.WAIT_BUYER_CONFIRM:
            raise wrong_state(locked)
        if locked.confirm_extended_days:
            raise Conflict(
                _("The confirmation deadline can be extended only once."), code="already_extended"
            )
        new_deadline = locked.auto_confirm_at + timedelta(days=days)
        Order.objects.filter(pk=locked.pk).update(
            auto_confirm_at=new_deadline, confirm_extended_days=days
        )
        locked.auto_confirm_at, locked.confirm_extended_days = new_deadline, days
        record_event(
            locked,
            actor=actor,
            from_state=locked.state,
            to_state=locked.state,
            reason=f"confirmation deadline extended by {days} days",
        )
    return locked


def commission_due(order: Order, released: int) -> int:
    """Commission on what the seller receives: enterprise stores only, per category rate.

    The rate applies to the goods, not the shipping fee; after a partial refund it applies
    in proportion to what is released.
    """
    if released <= 0:
        return 0
    full = sum(line.unit_price * line.quantity * line.commission_bp for line in order.lines.all())
    full //= 10_000
    return min(released, full * released // order.total)


def settlement_legs(
    *, source: Account, order: Order, to_shop: int, commission: int, kind: str
) -> list[Leg]:
    """What settling an order moves out of `source`: the shop owner's part (as `kind`)
    and the platform's commission; zero amounts are left out."""
    legs = []
    if to_shop:
        legs.append(
            Leg(
                debit=source,
                credit=account_wallet(user=order.shop.owner, currency=order.currency),
                amount=to_shop,
                kind=kind,
                memo=f"order {order.public_id}",
            )
        )
    if commission:
        legs.append(
            Leg(
                debit=source,
                credit=account_platform(kind="revenue", currency=order.currency),
                amount=commission,
                kind=TransferKind.COMMISSION,
                memo=f"order {order.public_id}",
            )
        )
    return legs


def finish(order: Order, *, actor: User | None, reason: str) -> None:
    """Release what escrow holds for this locked order: seller, minus commission."""
    released = order.total - order.refunded
    commission = commission_due(order, released)
    seller_amount = released - commission
    legs = settlement_legs(
        source=escrow_account(order.currency),
        order=order,
        to_shop=seller_amount,
        commission=commission,
        kind=TransferKind.ESCROW_RELEASE,
    )
    if legs:
        transfers_create(legs=legs, reference=f"order:{order.public_id}", actor=actor)
    transition(
        order,
        to=OrderState.FINISHED,
        actor=actor,
        reason=reason,
        finished_at=timezone.now(),
        auto_confirm_at=None,
        seller_amount=seller_amount,
        commission=commission,
    )
