"""The order page and its actions, the seller's orders, and the operators' dispute desk."""

import secrets

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.catalog.tests.factories import image_upload
from evillage.core.money import format_money
from evillage.orders.models import Order, OrderEvent, OrderState, RefundKind, RefundState
from evillage.orders.selectors import evidence_photo_name
from evillage.orders.services.checkout import checkout_create
from evillage.orders.services.lifecycle import order_ship
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.orders.services.refunds import refund_refuse, refund_request
from evillage.orders.tests.factories import (
    assert_books_balance,
    fund_wallet,
    item,
    make_shop,
    make_sku,
    ship_to,
    wallet_balance,
)
from evillage.shops.models import ShopStaff, StaffRole

pytestmark = pytest.mark.django_db

PRICE, FEE = 19900, 1000


def yuan(amount: int) -> str:
    return format_money(amount, "CNY", "en")


def act(order: Order, action: str) -> str:
    return reverse("orders:action", args=[order.public_id, action])


def detail(order: Order) -> str:
    return reverse("orders:detail", args=[order.public_id])


@pytest.fixture
def buyer():
    user = UserFactory()
    fund_wallet(user, 100_000)
    return user


@pytest.fixture
def paid_order(buyer) -> Order:
    sku = make_sku(shop=make_shop(shipping_fee=FEE), price=PRICE, available=5)
    checkout = checkout_create(buyer=buyer, items=[item(sku)], ship_to=ship_to(buyer))
    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    return checkout.orders.get()


@pytest.fixture
def shipped_order(paid_order) -> Order:
    order_ship(order=paid_order, actor=paid_order.shop.owner, carrier="中通", waybill="ZT12345678")
    paid_order.refresh_from_db()
    return paid_order


def as_user(client, user):
    client.force_login(user)
    return client


class TestWhoSeesAnOrder:
    def test_buyer_seller_and_operator_see_it_others_get_404(self, client, paid_order):
        for user in (paid_order.buyer, paid_order.shop.owner, OperatorFactory()):
            assert as_user(client, user).get(detail(paid_order)).status_code == 200
        stranger = as_user(client, UserFactory())
        assert stranger.get(detail(paid_order)).status_code == 404
        response = stranger.post(act(paid_order, "refund"), {"refund-reason": "x"})
        assert response.status_code == 404
        assert not paid_order.refunds.exists()

    def test_page_shows_lines_money_address_and_history(self, client, paid_order):
        html = as_user(client, paid_order.buyer).get(detail(paid_order)).content.decode()
        line = paid_order.lines.get()
        assert line.title in html and line.label in html
        assert yuan(PRICE) in html and yuan(FEE) in html and yuan(PRICE + FEE) in html
        assert paid_order.ship_to_street in html and paid_order.ship_to_name in html
        assert "paid, waiting for shipment" in html
        assert "waiting for payment" in html  # the history: wait_pay → paid
        assert "paid by wallet" in html


class TestShipAndConfirm:
    def test_seller_ships_from_the_page(self, client, paid_order):
        seller = as_user(client, paid_order.shop.owner)
        assert 'id="ship"' in seller.get(detail(paid_order)).content.decode()
        response = seller.post(
            act(paid_order, "ship"), {"ship-carrier": "中通快递", "ship-waybill": "ZT1234567890"}
        )
        assert response["Location"] == detail(paid_order)
        html = seller.get(detail(paid_order)).content.decode()
        assert "ZT1234567890" in html and "shipped, waiting for the buyer" in html
        paid_order.refresh_from_db()
        assert paid_order.state == OrderState.WAIT_BUYER_CONFIRM

    def test_bad_waybill_shows_the_error_and_changes_nothing(self, client, paid_order):
        seller = as_user(client, paid_order.shop.owner)
        events = OrderEvent.objects.count()
        response = seller.post(
            act(paid_order, "ship"), {"ship-carrier": "中通快递", "ship-waybill": "单号?"}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "A waybill number has 4 to 40 letters, digits or dashes." in html
        assert 'value="中通快递"' in html  # the form keeps what was typed
        paid_order.refresh_from_db()
        assert paid_order.state == OrderState.WAIT_SELLER_SEND and paid_order.waybill == ""
        assert OrderEvent.objects.count() == events

    def test_buyer_cannot_ship(self, client, paid_order):
        buyer = as_user(client, paid_order.buyer)
        assert 'id="ship"' not in buyer.get(detail(paid_order)).content.decode()
        response = buyer.post(
            act(paid_order, "ship"), {"ship-carrier": "中通", "ship-waybill": "ZT12345678"}
        )
        assert "This order is not for your shop." in response.content.decode()
        assert Order.objects.get(pk=paid_order.pk).state == OrderState.WAIT_SELLER_SEND

    def test_buyer_confirms_and_the_seller_is_paid(self, client, shipped_order):
        seller = shipped_order.shop.owner
        before = wallet_balance(seller)
        buyer = as_user(client, shipped_order.buyer)
        assert "Confirm receipt" in buyer.get(detail(shipped_order)).content.decode()
        buyer.post(act(shipped_order, "confirm"))
        assert wallet_balance(seller) == before + PRICE + FEE
        html = buyer.get(detail(shipped_order)).content.decode()
        assert "finished" in html and "Confirm receipt" not in html
        assert_books_balance()

    def test_extend_moves_the_automatic_confirmation(self, client, shipped_order):
        before = shipped_order.auto_confirm_at
        as_user(client, shipped_order.buyer).post(
            act(shipped_order, "extend"), {"extend-days": "5"}
        )
        shipped_order.refresh_from_db()
        assert (shipped_order.auto_confirm_at - before).days == 5

    def test_customer_service_staff_can_ship(self, client, paid_order):
        helper = UserFactory()
        ShopStaff.objects.create(shop=paid_order.shop, user=helper, role=StaffRole.CUSTOMER_SERVICE)
        as_user(client, helper).post(
            act(paid_order, "ship"), {"ship-carrier": "顺丰", "ship-waybill": "SF1234567890"}
        )
        assert Order.objects.get(pk=paid_order.pk).state == OrderState.WAIT_BUYER_CONFIRM


class TestRefunds:
    def test_refund_before_shipment_is_immediate_and_full(self, client, paid_order):
        buyer = paid_order.buyer
        before = wallet_balance(buyer)
        page = as_user(client, buyer).get(detail(paid_order)).content.decode()
        assert "Not shipped yet" in page
        client.post(
            act(paid_order, "refund"),
            {"refund-token": secrets.token_urlsafe(16), "refund-reason": "买错了"},
        )
        assert wallet_balance(buyer) == before + PRICE + FEE
        paid_order.refresh_from_db()
        assert paid_order.state == OrderState.CLOSED
        html = client.get(detail(paid_order)).content.decode()
        assert "买错了" in html and "refunded" in html

    def test_refund_amount_above_what_was_paid_is_refused(self, client, shipped_order):
        response = as_user(client, shipped_order.buyer).post(
            act(shipped_order, "refund"),
            {
                "refund-token": secrets.token_urlsafe(16),
                "refund-kind": RefundKind.REFUND_ONLY,
                "refund-amount": "999.00",
                "refund-reason": "坏了",
            },
        )
        assert "At most what you paid" in response.content.decode()
        assert not shipped_order.refunds.exists()

    def test_refusal_opens_a_dispute_the_operator_decides_on_the_desk(self, client, shipped_order):
        buyer = shipped_order.buyer
        as_user(client, buyer).post(
            act(shipped_order, "refund"),
            {
                "refund-token": secrets.token_urlsafe(16),
                "refund-kind": RefundKind.REFUND_ONLY,
                "refund-amount": "50",
                "refund-reason": "桌腿有裂缝",
            },
        )
        refund = shipped_order.refunds.get()
        assert (refund.state, refund.amount) == (RefundState.REQUESTED, 5000)
        client.post(act(shipped_order, "evidence"), {"evidence-photo": image_upload()})
        assert refund.evidence.get().photo

        seller = as_user(client, shipped_order.shop.owner)
        # A refusal without a reason is refused, and the request stays open.
        response = seller.post(
            act(shipped_order, "refund_answer"), {"refund_answer-verdict": "refuse"}
        )
        assert "Tell the buyer and the operator why" in response.content.decode()
        refund.refresh_from_db()
        assert refund.state == RefundState.REQUESTED
        seller.post(
            act(shipped_order, "refund_answer"),
            {"refund_answer-verdict": "refuse", "refund_answer-answer": "发货前检查过，完好"},
        )
        refund.refresh_from_db()
        assert refund.state == RefundState.DISPUTED

        # Not operators: 403 on the desk, and no link to it.
        assert as_user(client, buyer).get(reverse("orders:desk")).status_code == 403
        assert (
            client.post(
                reverse("orders:dispute_decide", args=[refund.public_id]),
                {f"{refund.public_id}-amount": "50", f"{refund.public_id}-decision": "x"},
            ).status_code
            == 403
        )
        operator = as_user(client, OperatorFactory())
        desk = operator.get(reverse("orders:desk")).content.decode()
        assert "桌腿有裂缝" in desk and "发货前检查过，完好" in desk
        evidence = refund.evidence.get()
        photo_url = reverse("orders:evidence_photo", args=[evidence_photo_name(evidence)])
        assert photo_url in desk
        # The photo is streamed to the people of the dispute only, never a public file.
        assert operator.get(photo_url)["Content-Type"] == "image/jpeg"
        stranger = Client()
        assert stranger.get(photo_url).status_code == 302  # to the login page
        stranger.force_login(UserFactory())
        assert stranger.get(photo_url).status_code == 404
        assert not str(evidence.photo.path).startswith(str(settings.MEDIA_ROOT))
        assert reverse("orders:desk") in desk  # the header link

        # Too much: the error is shown, nothing moves.
        before = wallet_balance(buyer)
        decide = reverse("orders:dispute_decide", args=[refund.public_id])
        response = operator.post(
            decide, {f"{refund.public_id}-amount": "60", f"{refund.public_id}-decision": "部分退款"}
        )
        assert "At most the amount the buyer asked for." in response.content.decode()
        assert wallet_balance(buyer) == before
        operator.post(
            decide, {f"{refund.public_id}-amount": "30", f"{refund.public_id}-decision": "部分退款"}
        )
        refund.refresh_from_db()
        assert (refund.state, refund.amount_refunded) == (RefundState.REFUNDED, 3000)
        assert wallet_balance(buyer) == before + 3000
        assert "No open disputes." in operator.get(reverse("orders:desk")).content.decode()
        assert_books_balance()

    def test_operator_decides_zero_from_the_order_page(self, client, shipped_order):
        refund = refund_request(
            order=shipped_order, actor=shipped_order.buyer, reason="不喜欢", amount=2000
        )
        refund_refuse(refund=refund, actor=shipped_order.shop.owner, answer="无质量问题")
        operator = as_user(client, OperatorFactory())
        assert "Decide the dispute" in operator.get(detail(shipped_order)).content.decode()
        operator.post(
            act(shipped_order, "decide"), {"decide-amount": "0", "decide-decision": "驳回"}
        )
        refund.refresh_from_db()
        assert refund.state == RefundState.REJECTED

    def test_return_and_refund_round_trip(self, client, shipped_order):
        buyer, seller = shipped_order.buyer, shipped_order.shop.owner
        before = wallet_balance(buyer)
        as_user(client, buyer).post(
            act(shipped_order, "refund"),
            {
                "refund-token": secrets.token_urlsafe(16),
                "refund-kind": RefundKind.RETURN_AND_REFUND,
                "refund-reason": "尺寸不对",
            },
        )
        as_user(client, seller).post(
            act(shipped_order, "refund_answer"), {"refund_answer-verdict": "agree"}
        )
        as_user(client, buyer).post(
            act(shipped_order, "return_ship"),
            {"return_ship-carrier": "中通", "return_ship-waybill": "ZT99990000"},
        )
        as_user(client, seller).post(
            act(shipped_order, "return_received"), {"return_received-verdict": "received"}
        )
        assert wallet_balance(buyer) == before + PRICE + FEE
        shipped_order.refresh_from_db()
        assert shipped_order.state == OrderState.CLOSED


class TestSellerOrders:
    def test_to_ship_first_and_only_my_shops(self, client, buyer, paid_order, shipped_order):
        # paid_order is now shipped (same object); make another paid one in the same shop.
        sku = make_sku(shop=shipped_order.shop, price=700)
        checkout = checkout_create(buyer=buyer, items=[item(sku)], ship_to=ship_to(buyer))
        checkout_pay_wallet(checkout=checkout, buyer=buyer)
        to_ship = checkout.orders.get()
        other_shop_order = make_sku(price=800)
        checkout_create(buyer=buyer, items=[item(other_shop_order)], ship_to=ship_to(buyer))

        html = (
            as_user(client, shipped_order.shop.owner)
            .get(reverse("orders:seller_orders"))
            .content.decode()
        )
        assert html.index(to_ship.public_id) < html.index(shipped_order.public_id)
        assert Order.objects.filter(shop=other_shop_order.product.shop).get().public_id not in html
        assert reverse("orders:seller_orders") in html  # the header link for sellers
        shipped_tab = client.get(reverse("orders:seller_orders") + "?tab=shipped").content.decode()
        assert shipped_order.public_id in shipped_tab and to_ship.public_id not in shipped_tab
