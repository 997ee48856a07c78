"""What the orders API operations share: finding what the user may see, key stamps."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from evillage.core.api_schemas import READ_ERRORS, WRITE_ERRORS
from evillage.core.errors import NotFound
from evillage.orders.models import Order, Refund
from evillage.orders.selectors import may_see_order, order_for, refund_get

# Every operation here needs a user, so 401 is declared beside the others.
READS = frozenset({401, *READ_ERRORS})
WRITES = WRITE_ERRORS


def stamp(request: HttpRequest) -> str:
    """What a created row is stamped with: unique per claimed Idempotency-Key (a key may
    be reused once its claim expired, and must not find the old row then), and the same
    for every attempt of one claim (a retry after a crash finds the row it made)."""
    record = request.idempotency_key
    return f"{record.pk}:{record.key}"[:255]


def with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    """What the order schemas read, in a fixed number of queries."""
    return orders.select_related("shop", "buyer", "ship_to_place", "checkout").prefetch_related(
        "lines__sku"
    )


def visible_order(request: HttpRequest, order_id: str) -> Order:
    """The order if the user is its buyer, on its shop's staff, or an operator; else 404
    (someone else's order does not show that it exists)."""
    order = order_for(user=request.auth, public_id=order_id)
    if order is None:
        raise NotFound(_("Order not found."), code="order_not_found")
    return order


def visible_refund(request: HttpRequest, refund_id: str) -> Refund:
    refund = refund_get(public_id=refund_id)
    if refund is None or not may_see_order(user=request.auth, order=refund.order):
        raise NotFound(_("Refund not found."), code="refund_not_found")
    return refund
