"""The whole money path of a purchase, as a buyer and a seller see it."""

import pytest

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.models import Sku
from evillage.core.errors import Conflict
from evillage.orders.models import OrderState, RefundKind, RefundState
from evillage.orders.services.checkout import checkout_create
from evillage.orders.services.lifecycle import order_confirm, order_ship
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.orders.services.refunds import refund_agree, refund_request
from evillage.orders.tests.factories import (
    assert_books_balance,
    escrow_balance,
    fund_wallet,
    item,
    make_shop,
    make_sku,
    ship_to,
    wallet_balance,
)
from evillage.shops.models import ShopKind

pytestmark = pytest.mark.django_db


def test_two_shop_checkout_pay_ship_confirm_pays_each_seller():
    buyer = UserFactory()
    fund_wallet(buyer, 100_000)
    a = make_sku(shop=make_shop(shipping_fee=1000), price=19900, available=5)
    b = make_sku(
        shop=make_shop(kind=ShopKind.ENTERPRISE), price=5000, available=5, commission_bp=500
    )
    checkout = checkout_create(buyer=buyer, items=[item(a, 2), item(b)], ship_to=ship_to(buyer))
    orders = {o.shop_id: o for o in checkout.orders.all()}
    assert checkout.total == 2 * 19900 + 1000 + 5000
    a.refresh_from_db()
    assert (a.available, a.reserved) == (3, 2)

    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    assert wallet_balance(buyer) == 100_000 - checkout.total
    assert escrow_balance() == checkout.total

    for sku in (a, b):
        order = orders[sku.product.shop_id]
        order_ship(order=order, actor=sku.product.shop.owner, carrier="中通", waybill="ZT12345678")
        order_confirm(order=order, actor=buyer)
        order.refresh_from_db()
        assert order.state == OrderState.FINISHED
    assert wallet_balance(a.product.shop.owner) == 2 * 19900 + 1000  # individual: no commission
    assert wallet_balance(b.product.shop.owner) == 5000 - 250  # enterprise: 5%
    assert escrow_balance() == 0
    a.refresh_from_db()
    assert (a.available, a.reserved, a.sold) == (3, 0, 2)
    assert_books_balance()


def test_out_of_stock_checkout_reserves_nothing():
    buyer = UserFactory()
    plenty, scarce = make_sku(available=10), make_sku(available=1)
    with pytest.raises(Conflict) as caught:
        checkout_create(
            buyer=buyer, items=[item(plenty, 2), item(scarce, 2)], ship_to=ship_to(buyer)
        )
    assert caught.value.code == "out_of_stock"
    assert Sku.objects.get(pk=plenty.pk).available == 10


def test_refund_before_shipment_is_full_and_immediate():
    buyer = UserFactory()
    fund_wallet(buyer, 50_000)
    sku = make_sku(price=19900, available=3)
    checkout = checkout_create(buyer=buyer, items=[item(sku)], ship_to=ship_to(buyer))
    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    order = checkout.orders.get()
    refund = refund_request(order=order, actor=buyer, reason="买错了")
    assert refund.state == RefundState.REFUNDED
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED
    assert wallet_balance(buyer) == 50_000
    assert Sku.objects.get(pk=sku.pk).available == 3
    assert_books_balance()


def test_refund_after_shipment_when_seller_agrees():
    buyer = UserFactory()
    fund_wallet(buyer, 50_000)
    sku = make_sku(price=19900)
    seller = sku.product.shop.owner
    checkout = checkout_create(buyer=buyer, items=[item(sku)], ship_to=ship_to(buyer))
    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    order = checkout.orders.get()
    order_ship(order=order, actor=seller, carrier="EMS", waybill="EMS0001")
    refund = refund_request(
        order=order, actor=buyer, reason="破损", kind=RefundKind.REFUND_ONLY, amount=5000
    )
    with pytest.raises(Conflict):
        order_confirm(order=order, actor=buyer)
    refund_agree(refund=refund, actor=seller)
    order_confirm(order=order, actor=buyer)
    assert wallet_balance(buyer) == 50_000 - 19900 + 5000
    assert wallet_balance(seller) == 19900 - 5000
    assert_books_balance()
