"""Pieces every order operation shares: locking, transitions with their event rows, stock."""

from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.catalog.services.stock import stock_release, stock_ship
from evillage.core.errors import Conflict, NotFound, PermissionDenied
from evillage.ledger.models import Account, AccountKind
from evillage.ledger.services import account_platform
from evillage.orders.models import OPEN_REFUND_STATES, Order, OrderEvent, OrderLine, Refund
from evillage.shops.selectors import user_is_shop_staff


def escrow_account(currency: str) -> Account:
    return account_platform(kind=AccountKind.ESCROW, currency=currency)


# Other apps follow an order's life from here (drop-shipping: a supplier's purchase order
# moves with the buyer's retail order). They register in their AppConfig.ready().
TransitionHook = Callable[[Order, str, str], None]
_transition_hooks: list[TransitionHook] = []
_related_finders: list[Callable[[int], Iterable[int]]] = []


def on_transition(hook: TransitionHook) -> TransitionHook:
    """Call `hook(order, from_state, to_state)` after every order transition, inside its
    transaction (so a hook that raises undoes the transition)."""
    _transition_hooks.append(hook)
    return hook


def related_orders(finder: Callable[[int], Iterable[int]]) -> Callable[[int], Iterable[int]]:
    """`finder(order_id)` names orders that a change of this one may change too: they are
    locked with it, all in primary-key order, so that two such changes cannot deadlock."""
    _related_finders.append(finder)
    return finder


def lock_order(order_id: int) -> Order:
    """The order row, locked until the end of the transaction (SQLite: the whole DB is),
    with any related orders locked first in primary-key order."""
    related = {pk for finder in _related_finders for pk in finder(order_id)} - {order_id}
    if related:
        locked = Order.objects.select_for_update().filter(pk__in=[order_id, *related])
        list(locked.order_by("pk").values_list("pk", flat=True))
    try:
        return Order.objects.select_for_update().select_related("shop").get(pk=order_id)
    except Order.DoesNotExist:
        raise NotFound(_("Order not found."), code="order_not_found") from None


def transition(
    order: Order,
    *,
    to: str,
    actor: User | None,
    reason: str = "",
    refund: Refund | None = None,
    **fields,
) -> None:
    """Move a locked order from its current state to `to`, with its event row.

    The UPDATE is conditional on the state read under the lock, so even a caller that
    forgot the lock cannot move an order twice.
    """
    now = timezone.now()
    updated = Order.objects.filter(pk=order.pk, state=order.state).update(state=to, **fields)
    if not updated:
        raise state_changed()
    OrderEvent.objects.create(
        order=order,
        refund=refund,
        actor=actor,
        at=now,
        from_state=order.state,
        to_state=to,
        reason=reason[:500],
    )
    before = order.state
    order.state = to
    for name, value in fields.items():
        setattr(order, name, value)
    for hook in _transition_hooks:
        hook(order, before, to)


def record_event(
    order: Order,
    *,
    actor: User | None,
    to_state: str,
    from_state: str = "",
    reason: str = "",
    refund: Refund | None = None,
) -> None:
    """An event that does not change the order's own state (a refund step, an extension)."""
    OrderEvent.objects.create(
        order=order,
        refund=refund,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        reason=reason[:500],
    )


def has_open_refund(order: Order) -> bool:
    return order.refunds.filter(state__in=OPEN_REFUND_STATES).exists()


def state_changed() -> Conflict:
    return Conflict(
        _("This order changed meanwhile. Reload it and try again."), code="order_state_changed"
    )


def wrong_state(order: Order) -> Conflict:
    return Conflict(
        _("Not possible while the order is “%(state)s”.") % {"state": order.get_state_display()},
        code="order_state",
        details={"state": order.state},
    )


def refuse_if_settled_elsewhere(order: Order) -> None:
    """A drop-ship purchase order completes with the buyer's order it serves."""
    if order.settled_by_other_order:
        raise Conflict(
            _("This purchase order completes with the buyer's order it was placed for."),
            code="settled_with_retail_order",
        )


def require_buyer(order: Order, user: User) -> None:
    if order.buyer_id != user.pk:
        raise PermissionDenied(_("This is not your order."), code="not_your_order")


def require_seller(order: Order, user: User) -> None:
    if not user_is_shop_staff(user=user, shop=order.shop):
        raise PermissionDenied(_("This order is not for your shop."), code="not_your_shop")


def release_stock(lines: Iterable[OrderLine]) -> None:
    stock_release((line.sku_id, line.quantity) for line in lines)


def ship_stock(lines: Iterable[OrderLine]) -> None:
    stock_ship((line.sku_id, line.quantity) for line in lines)
