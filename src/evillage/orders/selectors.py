"""Reads for orders: lists for buyer, seller and operator, one order, what may be done."""

import re
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from evillage.accounts.models import Role, User
from evillage.orders.models import (
    OPEN_REFUND_STATES,
    Cart,
    CartLine,
    Evidence,
    Order,
    OrderEvent,
    OrderState,
    Refund,
    RefundKind,
    RefundState,
)
from evillage.shops.models import Shop
from evillage.shops.selectors import staff_shop_ids, user_is_shop_staff
from evillage.sourcing.selectors import price_cart_lines


def _with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related("shop", "buyer", "ship_to_place").prefetch_related(
        "lines", Prefetch("refunds", queryset=Refund.objects.order_by("-created_at"))
    )


def buyer_orders(*, buyer: User, state: str | None = None) -> QuerySet[Order]:
    orders = Order.objects.filter(buyer=buyer)
    if state in OrderState.values:
        orders = orders.filter(state=state)
    return _with_details(orders).order_by("-created_at", "-id")


def shop_orders(*, shop: Shop, state: str | None = None) -> QuerySet[Order]:
    orders = Order.objects.filter(shop=shop).exclude(state=OrderState.CLOSED, paid_at=None)
    if state in OrderState.values:
        orders = orders.filter(state=state)
    return _with_details(orders).order_by("-created_at", "-id")


@dataclass(frozen=True)
class Viewer:
    """Who is looking, read once per request: the shops they staff, whether an operator."""

    user: User
    staff_shop_ids: frozenset[int]
    is_operator: bool


def viewer_of(user: User) -> Viewer:
    return Viewer(
        user=user,
        staff_shop_ids=staff_shop_ids(user=user),
        is_operator=user.has_role(Role.OPERATOR),
    )


def may_see_order(*, user: User, order: Order) -> bool:
    """Its buyer, its shop's staff and operators may see an order (and its refunds)."""
    return (
        order.buyer_id == user.pk
        or user_is_shop_staff(user=user, shop=order.shop)
        or user.has_role(Role.OPERATOR)
    )


def order_for(*, user: User, public_id: str) -> Order | None:
    """The order if this user is its buyer, on its shop's staff, or an operator."""
    order = _with_details(Order.objects.filter(public_id=public_id)).first()
    if order is None or not may_see_order(user=user, order=order):
        return None
    return order


def order_events(*, order: Order) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor", "refund").order_by("at", "id")


def open_refund(order: Order) -> Refund | None:
    return next((r for r in order.refunds.all() if r.state in OPEN_REFUND_STATES), None)


@dataclass(frozen=True)
class OrderActions:
    """What the viewing user may do with an order now (pages show these buttons)."""

    pay: bool = False
    cancel: bool = False
    ship: bool = False
    confirm: bool = False
    extend: bool = False
    request_refund: bool = False
    cancel_refund: bool = False
    answer_refund: bool = False
    ship_return: bool = False
    receive_return: bool = False
    add_evidence: bool = False
    decide: bool = False


def order_actions(*, order: Order, user: User, viewer: Viewer | None = None) -> OrderActions:
    """Pass `viewer` (viewer_of) when listing many orders: it saves two queries per order."""
    viewer = viewer or viewer_of(user)
    is_buyer = order.buyer_id == user.pk
    is_seller = order.shop_id in viewer.staff_shop_ids
    refund = open_refund(order)
    state = order.state
    refundable = order.total - order.refunded > 0 and not order.settled_by_other_order
    # A drop-ship purchase order completes with the buyer's order it serves.
    own_settlement = not order.settled_by_other_order
    return OrderActions(
        pay=is_buyer and state == OrderState.WAIT_BUYER_PAY,
        cancel=is_buyer and state == OrderState.WAIT_BUYER_PAY,
        ship=is_seller and state == OrderState.WAIT_SELLER_SEND and refund is None,
        confirm=is_buyer
        and own_settlement
        and state == OrderState.WAIT_BUYER_CONFIRM
        and refund is None,
        extend=is_buyer
        and own_settlement
        and state == OrderState.WAIT_BUYER_CONFIRM
        and not order.confirm_extended_days,
        request_refund=is_buyer
        and state in (OrderState.WAIT_SELLER_SEND, OrderState.WAIT_BUYER_CONFIRM)
        and refund is None
        and refundable,
        cancel_refund=is_buyer and refund is not None,
        answer_refund=is_seller and refund is not None and refund.state == RefundState.REQUESTED,
        ship_return=is_buyer
        and refund is not None
        and refund.kind == RefundKind.RETURN_AND_REFUND
        and refund.state == RefundState.AWAITING_RETURN,
        receive_return=is_seller
        and refund is not None
        and refund.state == RefundState.RETURN_SHIPPED,
        add_evidence=(is_buyer or is_seller) and refund is not None,
        decide=refund is not None and refund.state == RefundState.DISPUTED and viewer.is_operator,
    )


_PHOTO_NAME = re.compile(r"[0-9a-z]{8,64}")


def evidence_photo_name(evidence: Evidence) -> str:
    """The opaque name a photo is served under (its random file name, no folder)."""
    return evidence.photo.name.rsplit("/", 1)[-1].removesuffix(".jpg")


def evidence_photo_for(*, user: User, name: str) -> Evidence | None:
    """The evidence with this photo if the user may see its order (buyer, staff, operator)."""
    if not _PHOTO_NAME.fullmatch(name):
        return None
    evidence = (
        Evidence.objects.select_related("refund__order__shop")
        .filter(photo__endswith=f"/{name}.jpg")
        .first()
    )
    if evidence is None or not may_see_order(user=user, order=evidence.refund.order):
        return None
    return evidence


def disputes_open() -> QuerySet[Refund]:
    """The operator's desk: disputed refunds, oldest first."""
    return (
        Refund.objects.filter(state=RefundState.DISPUTED)
        .select_related("order__shop", "order__buyer")
        .order_by("created_at", "id")
    )


def refund_get(*, public_id: str) -> Refund | None:
    return (
        Refund.objects.select_related("order__shop", "order__buyer")
        .filter(public_id=public_id)
        .first()
    )


@dataclass
class CartGroup:
    shop: Shop
    lines: list[CartLine]
    items_total: int
    shipping_fee: int

    @property
    def total(self) -> int:
        return self.items_total + self.shipping_fee


def cart_groups(*, user: User) -> list[CartGroup]:
    """The cart by shop, at today's prices (what checkout would charge)."""
    cart = Cart.objects.filter(owner=user).first()
    if cart is None:
        return []
    lines = list(cart.lines.select_related("sku__product__shop").order_by("added_at", "id"))
    price_cart_lines(lines)  # line.unit_price: a wholesale tier or sample price, if any
    groups: dict[int, CartGroup] = {}
    for line in lines:
        shop = line.sku.product.shop
        group = groups.setdefault(shop.pk, CartGroup(shop, [], 0, shop.shipping_fee))
        group.lines.append(line)
        group.items_total += line.unit_price * line.quantity
    return list(groups.values())


def cart_count(*, user: User) -> int:
    return CartLine.objects.filter(cart__owner=user).count()
