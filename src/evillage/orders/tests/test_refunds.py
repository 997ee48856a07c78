"""Refunds and disputes as buyer, seller and operator see them: who gets how much, where
the money goes back to, and what stays refused."""

from unittest import mock

import pytest

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.catalog.models import Sku
from evillage.catalog.tests.factories import image_upload
from evillage.core.errors import Conflict, PermissionDenied, ValidationFailed
from evillage.ledger.models import AccountKind
from evillage.ledger.services import account_platform
from evillage.orders.models import OrderEvent, OrderState, RefundKind, RefundState
from evillage.orders.services.checkout import checkout_create
from evillage.orders.services.lifecycle import order_confirm, order_ship
from evillage.orders.services.payment import checkout_pay_provider, checkout_pay_wallet
from evillage.orders.services.refunds import (
    dispute_decide,
    evidence_add,
    refund_agree,
    refund_cancel,
    refund_refuse,
    refund_request,
    refund_return_received,
    refund_return_shipped,
)
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
from evillage.payments.models import Payment
from evillage.payments.providers.sandbox import SandboxProvider
from evillage.shops.models import ShopKind

pytestmark = pytest.mark.django_db


def _clearing() -> int:
    return account_platform(kind=AccountKind.CLEARING, currency="CNY").balance


def _revenue() -> int:
    return account_platform(kind=AccountKind.REVENUE, currency="CNY").balance


def _buy(buyer, *items_):
    checkout = checkout_create(buyer=buyer, items=list(items_), ship_to=ship_to(buyer))
    fund_wallet(buyer, checkout.total)
    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    return checkout


def _ship(order):
    order_ship(order=order, actor=order.shop.owner, carrier="中通", waybill="ZT12345678")
    order.refresh_from_db()
    return order


def _shipped_order(buyer, sku):
    return _ship(_buy(buyer, item(sku)).orders.get())


def _disputed(buyer, sku, *, amount: int, kind=RefundKind.REFUND_ONLY):
    order = _shipped_order(buyer, sku)
    refund = refund_request(order=order, actor=buyer, reason="与描述不符", kind=kind, amount=amount)
    refund_refuse(refund=refund, actor=sku.product.shop.owner, answer="与描述一致")
    refund.refresh_from_db()
    return order, refund


def test_refund_before_shipment_returns_one_order_in_full_to_the_wallet():
    buyer = UserFactory()
    a = make_sku(shop=make_shop(shipping_fee=800), price=19900, available=4)
    b = make_sku(price=5000, available=4)
    checkout = _buy(buyer, item(a, 2), item(b))
    order_a = checkout.orders.get(shop=a.product.shop)
    payment = Payment.objects.get(reference=checkout.public_id)

    refund = refund_request(order=order_a, actor=buyer, reason="拍错了")

    assert (refund.state, refund.amount_refunded) == (RefundState.REFUNDED, 2 * 19900 + 800)
    order_a.refresh_from_db()
    assert (order_a.state, order_a.refunded) == (OrderState.CLOSED, order_a.total)
    assert wallet_balance(buyer) == 2 * 19900 + 800
    assert escrow_balance() == 5000  # the other shop's order is untouched
    assert checkout.orders.get(shop=b.product.shop).state == OrderState.WAIT_SELLER_SEND
    payment.refresh_from_db()
    assert payment.refunded == order_a.total
    a.refresh_from_db()
    assert (a.available, a.reserved, a.sold) == (4, 0, 0)  # back on sale
    assert_books_balance()


def test_refund_before_shipment_must_be_the_whole_order():
    buyer = UserFactory()
    order = _buy(buyer, item(make_sku(price=19900))).orders.get()
    with pytest.raises(ValidationFailed) as caught:
        refund_request(order=order, actor=buyer, reason="拍错了", amount=100)
    assert caught.value.code == "bad_amount"
    assert escrow_balance() == 19900


def test_refund_of_a_provider_payment_goes_back_through_clearing(
    django_capture_on_commit_callbacks,
):
    buyer = UserFactory()
    sku = make_sku(price=19900)
    checkout = checkout_create(buyer=buyer, items=[item(sku)], ship_to=ship_to(buyer))
    payment = checkout_pay_provider(checkout=checkout, buyer=buyer)
    result = SandboxProvider().deliver_event(payment=payment, action="pay")
    assert result.changed
    assert (_clearing(), escrow_balance()) == (-19900, 19900)
    order = _ship(checkout.orders.get())

    refund = refund_request(order=order, actor=buyer, reason="破损", amount=6000)
    with (
        mock.patch.object(SandboxProvider, "refund", autospec=True) as provider_refund,
        django_capture_on_commit_callbacks(execute=True),
    ):
        refund_agree(refund=refund, actor=sku.product.shop.owner)

    # The money leaves the platform back to the card or bank, not into a wallet.
    assert (_clearing(), escrow_balance(), wallet_balance(buyer)) == (-13900, 13900, 0)
    payment.refresh_from_db()
    assert payment.refunded == 6000
    provider_refund.assert_called_once()
    assert provider_refund.call_args.kwargs["amount"] == 6000
    assert_books_balance()


def test_partial_refund_then_confirm_pays_the_seller_the_rest_minus_its_commission():
    buyer = UserFactory()
    store = make_shop(kind=ShopKind.ENTERPRISE, shipping_fee=1000)
    sku = make_sku(shop=store, price=10000, commission_bp=500)  # 5% on goods
    order = _shipped_order(buyer, sku)
    assert order.total == 11000

    refund = refund_request(order=order, actor=buyer, reason="少了配件", amount=3000)
    refund_agree(refund=refund, actor=store.owner)
    order_confirm(order=order, actor=buyer)

    order.refresh_from_db()
    # Commission: 5% of the goods (500) in proportion to what is released (8000 / 11000).
    assert (order.state, order.refunded, order.commission) == (OrderState.FINISHED, 3000, 363)
    assert order.seller_amount == 8000 - 363
    assert wallet_balance(store.owner) == 8000 - 363
    assert _revenue() == 363
    assert wallet_balance(buyer) == 3000
    assert escrow_balance() == 0
    assert_books_balance()


def test_refund_larger_than_what_was_paid_is_refused():
    buyer = UserFactory()
    sku = make_sku(price=19900)
    order = _shipped_order(buyer, sku)
    with pytest.raises(ValidationFailed) as caught:
        refund_request(order=order, actor=buyer, reason="全部退", amount=19901)
    assert caught.value.code == "refund_exceeds_payment"

    first = refund_request(order=order, actor=buyer, reason="划痕", amount=15000)
    refund_agree(refund=first, actor=sku.product.shop.owner)
    with pytest.raises(ValidationFailed) as caught:
        refund_request(order=order, actor=buyer, reason="还有问题", amount=4901)
    assert caught.value.code == "refund_exceeds_payment"
    # The rest can still be asked for, and then the order is closed.
    rest = refund_request(order=order, actor=buyer, reason="还有问题", amount=4900)
    refund_agree(refund=rest, actor=sku.product.shop.owner)
    order.refresh_from_db()
    assert (order.state, order.refunded) == (OrderState.CLOSED, 19900)
    assert wallet_balance(buyer) == 19900
    assert escrow_balance() == 0
    assert_books_balance()


def test_only_one_refund_is_open_at_a_time_and_only_the_buyer_asks():
    buyer = UserFactory()
    order = _shipped_order(buyer, make_sku(price=19900))
    with pytest.raises(PermissionDenied):
        refund_request(order=order, actor=UserFactory(), reason="不是我的", amount=100)
    refund_request(order=order, actor=buyer, reason="划痕", amount=1000)
    with pytest.raises(Conflict) as caught:
        refund_request(order=order, actor=buyer, reason="又一个", amount=1000)
    assert caught.value.code == "refund_open"


def test_dispute_decided_at_zero_is_rejected_and_the_order_continues():
    buyer, operator = UserFactory(), OperatorFactory()
    sku = make_sku(price=19900)
    seller = sku.product.shop.owner
    order, refund = _disputed(buyer, sku, amount=19900)
    assert refund.state == RefundState.DISPUTED
    with pytest.raises(Conflict) as caught:
        order_confirm(order=order, actor=buyer)
    assert caught.value.code == "refund_open"
    with pytest.raises(PermissionDenied):
        dispute_decide(refund=refund, actor=seller, amount=0, decision="我说了算")
    with pytest.raises(ValidationFailed) as caught:
        dispute_decide(refund=refund, actor=operator, amount=19901, decision="多退")
    assert caught.value.code == "refund_exceeds_request"

    dispute_decide(refund=refund, actor=operator, amount=0, decision="商品与描述一致")

    refund.refresh_from_db()
    assert (refund.state, refund.amount_refunded, refund.decided_by) == (
        RefundState.REJECTED,
        0,
        operator,
    )
    order.refresh_from_db()
    assert (order.state, order.refunded) == (OrderState.WAIT_BUYER_CONFIRM, 0)
    order_confirm(order=order, actor=buyer)
    assert wallet_balance(seller) == 19900
    assert wallet_balance(buyer) == 0
    assert_books_balance()


def test_dispute_decided_in_part_refunds_that_much_and_the_seller_gets_the_rest():
    buyer, operator = UserFactory(), OperatorFactory()
    sku = make_sku(price=19900)
    order, refund = _disputed(buyer, sku, amount=10000)

    dispute_decide(refund=refund, actor=operator, amount=4000, decision="各担一半责任")

    refund.refresh_from_db()
    assert (refund.state, refund.amount, refund.amount_refunded) == (
        RefundState.REFUNDED,
        10000,
        4000,
    )
    order_confirm(order=order, actor=buyer)
    assert wallet_balance(buyer) == 4000
    assert wallet_balance(sku.product.shop.owner) == 19900 - 4000
    assert escrow_balance() == 0
    assert_books_balance()


def test_return_and_refund_waits_for_the_goods_then_refunds_in_full():
    buyer = UserFactory()
    sku = make_sku(price=19900, available=3)
    seller = sku.product.shop.owner
    order = _shipped_order(buyer, sku)

    refund = refund_request(
        order=order, actor=buyer, reason="尺寸不合适", kind=RefundKind.RETURN_AND_REFUND
    )
    refund_agree(refund=refund, actor=seller)
    refund.refresh_from_db()
    assert refund.state == RefundState.AWAITING_RETURN
    assert wallet_balance(buyer) == 0  # nothing before the goods are back
    with pytest.raises(Conflict):
        refund_return_received(refund=refund, actor=seller)  # not sent yet
    with pytest.raises(ValidationFailed) as caught:
        refund_return_shipped(refund=refund, actor=buyer, carrier="EMS", waybill="?!")
    assert caught.value.code == "bad_waybill"

    refund_return_shipped(refund=refund, actor=buyer, carrier="EMS", waybill="EMS00012345")
    refund_return_received(refund=refund, actor=seller)

    refund.refresh_from_db()
    assert (refund.state, refund.return_waybill) == (RefundState.REFUNDED, "EMS00012345")
    order.refresh_from_db()
    assert (order.state, order.refunded) == (OrderState.CLOSED, 19900)
    assert (wallet_balance(buyer), wallet_balance(seller), escrow_balance()) == (19900, 0, 0)
    trail = list(OrderEvent.objects.filter(refund=refund).values_list("from_state", "to_state"))
    assert trail == [
        ("", "requested"),
        ("requested", "await_return"),
        ("await_return", "returned"),
        ("returned", "refunded"),
    ]
    assert Sku.objects.get(pk=sku.pk).sold == 1  # shipped once; the seller restocks by hand
    assert_books_balance()


def test_seller_may_dispute_a_return_that_came_back_damaged():
    buyer, operator = UserFactory(), OperatorFactory()
    sku = make_sku(price=19900)
    seller = sku.product.shop.owner
    order = _shipped_order(buyer, sku)
    refund = refund_request(
        order=order, actor=buyer, reason="不喜欢", kind=RefundKind.RETURN_AND_REFUND
    )
    refund_agree(refund=refund, actor=seller)
    refund_return_shipped(refund=refund, actor=buyer, carrier="EMS", waybill="EMS00012345")
    refund_refuse(refund=refund, actor=seller, answer="退回的商品已损坏")
    dispute_decide(refund=refund, actor=operator, amount=15000, decision="扣除损坏部分")
    order.refresh_from_db()
    assert (order.state, order.refunded) == (OrderState.WAIT_BUYER_CONFIRM, 15000)
    order_confirm(order=order, actor=buyer)
    assert (wallet_balance(buyer), wallet_balance(seller)) == (15000, 4900)
    assert_books_balance()


def test_withdrawn_refund_lets_the_buyer_confirm():
    buyer = UserFactory()
    sku = make_sku(price=19900)
    order = _shipped_order(buyer, sku)
    refund = refund_request(order=order, actor=buyer, reason="再看看", amount=1000)
    with pytest.raises(PermissionDenied):
        refund_cancel(refund=refund, actor=sku.product.shop.owner)
    refund_cancel(refund=refund, actor=buyer)
    order_confirm(order=order, actor=buyer)
    assert wallet_balance(sku.product.shop.owner) == 19900


def test_evidence_with_a_photo_goes_before_the_operator():
    buyer, operator = UserFactory(), OperatorFactory()
    sku = make_sku(price=19900)
    seller = sku.product.shop.owner
    _order, refund = _disputed(buyer, sku, amount=5000)

    photo = evidence_add(refund=refund, actor=buyer, text="收到时已破损", photo=image_upload())
    note = evidence_add(refund=refund, actor=seller, text="发货视频在此")
    evidence_add(refund=refund, actor=operator, text="请补充快递签收照片")

    assert photo.photo.name.endswith(".jpg")
    with photo.photo.open("rb") as stored:
        assert stored.read(3) == b"\xff\xd8\xff"  # re-encoded as JPEG
    assert not note.photo
    assert list(refund.evidence.values_list("author", flat=True)) == [
        buyer.pk,
        seller.pk,
        operator.pk,
    ]
    with pytest.raises(PermissionDenied):
        evidence_add(refund=refund, actor=UserFactory(), text="路人")
    with pytest.raises(ValidationFailed) as caught:
        evidence_add(refund=refund, actor=buyer)
    assert caught.value.code == "empty_evidence"
    with pytest.raises(ValidationFailed) as caught:
        evidence_add(refund=refund, actor=buyer, photo=_not_an_image())
    assert caught.value.field == "photo"

    dispute_decide(refund=refund, actor=operator, amount=5000, decision="照片清楚显示破损")
    refund.refresh_from_db()
    with pytest.raises(Conflict) as caught:
        evidence_add(refund=refund, actor=buyer, text="补充")
    assert caught.value.code == "refund_closed"
    assert refund.evidence.count() == 3


def _not_an_image():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.jpg", b"not a picture", content_type="image/jpeg")
