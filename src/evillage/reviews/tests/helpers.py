"""Real finished orders (checkout, wallet payment, shipment, confirmation) to review."""

from datetime import datetime

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.tests.factories import image_upload
from evillage.orders.models import Order
from evillage.orders.services.checkout import checkout_create
from evillage.orders.services.lifecycle import order_confirm, order_ship
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.orders.tests.factories import fund_wallet, item, make_sku, ship_to
from evillage.reviews.services import review_create


def finished_order(
    *, buyer=None, sku=None, skus=None, ordered_at: datetime | None = None, finish: bool = True
) -> Order:
    """A paid, shipped and confirmed order of `buyer` for one unit of each SKU (a new
    product in a new shop if none is given). `ordered_at` back-dates its creation."""
    buyer = buyer or UserFactory()
    skus = skus or [sku or make_sku(price=1000, available=50)]
    fund_wallet(buyer, sum(s.price for s in skus) + 10_000)
    checkout = checkout_create(buyer=buyer, items=[item(s) for s in skus], ship_to=ship_to(buyer))
    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    order = checkout.orders.select_related("shop__owner").get()
    if finish:
        order_ship(order=order, actor=order.shop.owner, carrier="中通", waybill="ZT12345678")
        order_confirm(order=order, actor=buyer)
    if ordered_at is not None:
        Order.objects.filter(pk=order.pk).update(created_at=ordered_at)
    return Order.objects.select_related("shop").get(pk=order.pk)


def review(order: Order, *, rating="good", line: int = 1, photos=None, **fields):
    """Review line `line` of the order as its buyer, with 5 stars unless told."""
    values = {"item_as_described": 5, "service": 5, "shipping_speed": 5, "text": ""}
    values.update(fields)
    if rating != "good" and not values["text"]:
        values["text"] = "不太满意"
    return review_create(
        order=order,
        line=list(order.lines.select_related("sku").order_by("id"))[line - 1],
        actor=order.buyer,
        rating=rating,
        photos=photos,
        **values,
    )


def photo(name="p.jpg", **kwargs):
    return image_upload(name, **kwargs)
