"""Order lists: the buyer's orders, and the orders of the shops a seller works in."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from evillage.accounts.models import User
from evillage.orders.models import OPEN_REFUND_STATES, Order, OrderState, Refund
from evillage.orders.selectors import buyer_orders, order_actions, viewer_of
from evillage.orders.views._common import PAGE_SIZE
from evillage.shops.selectors import shops_of_user

# (tab, label, states shown; None = all)
BUYER_TABS = [
    ("", _("All"), None),
    ("to_pay", _("To pay"), [OrderState.WAIT_BUYER_PAY]),
    ("to_ship", _("To ship"), [OrderState.WAIT_SELLER_SEND]),
    ("to_confirm", _("To confirm"), [OrderState.WAIT_BUYER_CONFIRM]),
    ("done", _("Finished or closed"), [OrderState.FINISHED, OrderState.CLOSED]),
]

SELLER_TABS = [
    ("", _("All"), None),
    ("to_ship", _("To ship"), [OrderState.WAIT_SELLER_SEND]),
    ("shipped", _("Shipped"), [OrderState.WAIT_BUYER_CONFIRM]),
    ("refunds", _("Refund requests"), None),
    ("finished", _("Finished"), [OrderState.FINISHED]),
    ("closed", _("Closed"), [OrderState.CLOSED]),
]


def _tab(request, tabs) -> tuple[str, list | None]:
    wanted = request.GET.get("tab", "")
    for name, _label, states in tabs:
        if name == wanted:
            return name, states
    return "", None


def _page(request, orders: QuerySet[Order], user: User):
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    viewer = viewer_of(user)
    for order in page:
        order.actions = order_actions(order=order, user=user, viewer=viewer)
    return page


@login_required
def buyer_order_list(request):
    tab, states = _tab(request, BUYER_TABS)
    orders = buyer_orders(buyer=request.user).select_related("checkout")
    if states:
        orders = orders.filter(state__in=states)
    return render(
        request,
        "orders/buyer_orders.html",
        {
            "tabs": BUYER_TABS,
            "tab": tab,
            "page_obj": _page(request, orders, request.user),
        },
    )


def seller_orders_of(
    *, user: User, states: list | None = None, refunds_only: bool = False, shop=None
) -> QuerySet[Order]:
    """Orders of the shops this user works in, those waiting for shipment first.

    Orders closed before payment are left out: nothing for the seller to do or see.
    """
    shops = shops_of_user(user=user)
    if shop is not None:
        shops = shops.filter(pk=shop.pk)
    orders = Order.objects.filter(shop__in=shops.values("pk")).exclude(
        state=OrderState.CLOSED, paid_at=None
    )
    if states:
        orders = orders.filter(state__in=states)
    if refunds_only:
        orders = orders.filter(
            Exists(Refund.objects.filter(order=OuterRef("pk"), state__in=OPEN_REFUND_STATES))
        )
    to_ship_first = Case(
        When(state=OrderState.WAIT_SELLER_SEND, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        orders.select_related("shop", "buyer", "ship_to_place")
        .prefetch_related("lines", "refunds")
        .order_by(to_ship_first, "-created_at", "-id")
    )


@login_required
def seller_order_list(request):
    tab, states = _tab(request, SELLER_TABS)
    shops = list(shops_of_user(user=request.user))
    shop = next((s for s in shops if s.public_id == request.GET.get("shop")), None)
    orders = seller_orders_of(
        user=request.user, states=states, refunds_only=tab == "refunds", shop=shop
    )
    return render(
        request,
        "orders/seller_orders.html",
        {
            "tabs": SELLER_TABS,
            "tab": tab,
            "shops": shops,
            "shop": shop,
            "page_obj": _page(request, orders, request.user),
        },
    )
