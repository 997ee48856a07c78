"""Orders: the buyer's and a shop's lists, one order with what may be done, and its steps."""

from typing import Literal

from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from evillage.accounts.api_auth import USER_AUTH
from evillage.core.api_schemas import BoundedPageNumberPagination, ErrorOut
from evillage.core.errors import NotFound
from evillage.core.idempotency import idempotent
from evillage.orders.api._common import READS, WRITES, visible_order, with_details
from evillage.orders.models import Order
from evillage.orders.schemas import ExtendIn, OrderDetail, OrderSummary, ReasonIn, ShipIn
from evillage.orders.selectors import buyer_orders, shop_orders
from evillage.orders.services.lifecycle import (
    order_cancel,
    order_confirm,
    order_extend_confirm,
    order_ship,
)
from evillage.shops.selectors import shop_for_staff

router = Router(tags=["orders"], auth=USER_AUTH)

StateFilter = Literal["wait_pay", "paid", "shipped", "finished", "closed"]


def _detail(request: HttpRequest, order_id: str) -> Order:
    """The order as stored now (after a write), with what OrderDetail reads."""
    order = visible_order(request, order_id)
    prefetch_related_objects([order], "lines__sku", "refunds__evidence__author")
    return order


@router.get("/orders", response={200: list[OrderSummary], READS: ErrorOut})
@paginate(BoundedPageNumberPagination, page_size=20)
def order_list(request, state: StateFilter | None = None):
    """Your orders as a buyer, newest first; `state` filters."""
    return with_details(buyer_orders(buyer=request.auth, state=state))


@router.get("/shops/{shop_id}/orders", response={200: list[OrderSummary], READS: ErrorOut})
@paginate(BoundedPageNumberPagination, page_size=20)
def shop_order_list(request, shop_id: str, state: StateFilter | None = None):
    """A shop's orders, newest first, for its staff (404 for anyone else). Orders closed
    before they were paid are left out."""
    shop = shop_for_staff(user=request.auth, public_id=shop_id)
    if shop is None:
        raise NotFound(_("Shop not found."))
    return with_details(shop_orders(shop=shop, state=state))


@router.get("/orders/{order_id}", response={200: OrderDetail, READS: ErrorOut})
def order_detail(request, order_id: str):
    """One order, for its buyer, its shop's staff or an operator (404 for anyone else):
    lines, money, tracking, deadlines, refunds, events and the `actions` you may take."""
    return _detail(request, order_id)


@router.post("/orders/{order_id}/cancel", response={200: OrderDetail, WRITES: ErrorOut})
def order_cancel_op(request, order_id: str, payload: ReasonIn | None = None):
    """The buyer cancels an order not paid yet; its stock goes back on sale."""
    order = visible_order(request, order_id)
    order_cancel(order=order, actor=request.auth, reason=payload.reason if payload else "")
    return _detail(request, order_id)


@router.post("/orders/{order_id}/ship", response={200: OrderDetail, WRITES: ErrorOut})
def order_ship_op(request, order_id: str, payload: ShipIn):
    """The seller hands the parcel to a carrier; the buyer's confirmation clock starts."""
    order = visible_order(request, order_id)
    order_ship(order=order, actor=request.auth, carrier=payload.carrier, waybill=payload.waybill)
    return _detail(request, order_id)


@router.post("/orders/{order_id}/confirm", response={200: OrderDetail, WRITES: ErrorOut})
@idempotent
def order_confirm_op(request, order_id: str):
    """The buyer confirms receipt: escrow pays the seller (less any commission)."""
    order = visible_order(request, order_id)
    order_confirm(order=order, actor=request.auth)
    return _detail(request, order_id)


@router.post("/orders/{order_id}/extend", response={200: OrderDetail, WRITES: ErrorOut})
def order_extend_op(request, order_id: str, payload: ExtendIn):
    """The buyer needs more time before the automatic confirmation; once per order."""
    order = visible_order(request, order_id)
    order_extend_confirm(order=order, actor=request.auth, days=payload.days)
    return _detail(request, order_id)
