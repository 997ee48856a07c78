"""The orders JSON API as an app would use it: cart, checkout, payment, shipping,
confirmation, refunds and disputes, with the errors a client must handle."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from evillage.accounts.services.tokens import api_token_create
from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.catalog.models import Sku
from evillage.catalog.tests.factories import image_upload
from evillage.orders.models import Checkout, Order, OrderState, Refund
from evillage.orders.tests.factories import (
    assert_books_balance,
    escrow_balance,
    fund_wallet,
    make_shop,
    make_sku,
    wallet_balance,
)
from evillage.payments.models import Payment
from evillage.payments.providers.sandbox import SandboxProvider
from evillage.places.tests.factories import village

pytestmark = pytest.mark.django_db


class Api:
    """JSON calls to /api with one user's bearer token."""

    def __init__(self, user):
        self.user = user
        self.token = api_token_create(user=user)[1]
        self.client = Client()

    def call(self, method: str, path: str, data=None, *, key: str | None = None):
        headers = {"Authorization": f"Bearer {self.token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        kwargs = {"content_type": "application/json", "headers": headers}
        if data is not None:
            kwargs["data"] = json.dumps(data)
        return getattr(self.client, method)(f"/api{path}", **kwargs)

    def get(self, path: str, **params):
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.client.get(f"/api{path}", params, headers=headers)

    def post(self, path: str, data=None, *, key: str | None = None):
        return self.call("post", path, data, key=key)


def address() -> dict:
    return {
        "place": village().key,
        "street": "东风路 8 号",
        "name": "王小明",
        "phone": "13800138000",
    }


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json() if response.content else {}


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    return body


@pytest.fixture
def buyer():
    user = UserFactory()
    fund_wallet(user, 100_000)
    return Api(user)


def seller_of(sku) -> Api:
    return Api(sku.product.shop.owner)


def checkout(buyer: Api, items=None, *, key: str = "checkout-1") -> dict:
    body = {"ship_to": address()}
    if items is not None:
        body["items"] = items
    return ok(buyer.post("/checkouts", body, key=key), 201)


def paid_order(buyer: Api, sku, quantity: int = 1) -> dict:
    made = checkout(buyer, [{"sku": sku.public_id, "quantity": quantity}], key=f"co-{sku.pk}")
    ok(buyer.post(f"/checkouts/{made['id']}/pay", {"method": "wallet"}, key=f"pay-{sku.pk}"), 201)
    return made["orders"][0]


def test_a_purchase_from_cart_to_confirmation_pays_the_sellers(buyer):
    chairs = make_sku(shop=make_shop(shipping_fee=1000), price=19900, available=5)
    tea = make_sku(price=5000, available=5)
    ok(buyer.post("/cart/lines", {"sku": chairs.public_id, "quantity": 2}), 201)
    cart = ok(buyer.post("/cart/lines", {"sku": tea.public_id}), 201)
    assert cart["count"] == 2
    by_shop = {group["shop"]["id"]: group for group in cart["shops"]}
    chair_group = by_shop[chairs.product.shop.public_id]
    assert (chair_group["items_total"], chair_group["shipping_fee"]) == (39800, 1000)
    assert chair_group["lines"][0]["amount"] == 39800
    assert chair_group["lines"][0]["on_sale"] is True
    assert cart["totals"] == [
        {"currency": "CNY", "items_total": 44800, "shipping_fee": 1000, "total": 45800}
    ]

    body = {"ship_to": address(), "notes": {chairs.product.shop.public_id: "请周末送"}}
    made = ok(buyer.post("/checkouts", body, key="first-checkout"), 201)
    assert (made["total"], made["amount_due"], made["currency"]) == (45800, 45800, "CNY")
    assert {o["state"] for o in made["orders"]} == {"wait_pay"}
    notes = {o["shop"]["id"]: o["note"] for o in made["orders"]}
    assert notes[chairs.product.shop.public_id] == "请周末送"
    assert ok(buyer.get("/cart"))["count"] == 0  # the items left the cart

    payment = ok(
        buyer.post(f"/checkouts/{made['id']}/pay", {"method": "wallet"}, key="first-pay"), 201
    )
    assert (payment["state"], payment["amount"], payment["pay_url"]) == ("succeeded", 45800, None)
    assert wallet_balance(buyer.user) == 100_000 - 45800
    assert ok(buyer.get(f"/checkouts/{made['id']}"))["amount_due"] == 0

    for order in made["orders"]:
        seller = Api(Order.objects.get(public_id=order["id"]).shop.owner)
        detail = ok(seller.get(f"/orders/{order['id']}"))
        assert detail["state"] == "paid"
        assert detail["actions"]["ship"] is True
        shipped = ok(
            seller.post(f"/orders/{order['id']}/ship", {"carrier": "中通", "waybill": "ZT12345678"})
        )
        assert shipped["tracking"]["waybill"] == "ZT12345678"
        assert shipped["deadlines"]["auto_confirm_at"] is not None

        as_buyer = ok(buyer.get(f"/orders/{order['id']}"))
        assert as_buyer["actions"]["confirm"] is True
        assert as_buyer["actions"]["ship"] is False
        done = ok(buyer.post(f"/orders/{order['id']}/confirm", key=f"confirm-{order['id']}"))
        assert done["state"] == "finished"
        assert [e["to_state"] for e in done["events"]] == [
            "wait_pay",
            "paid",
            "shipped",
            "finished",
        ]

    assert wallet_balance(chairs.product.shop.owner) == 39800 + 1000
    assert wallet_balance(tea.product.shop.owner) == 5000
    assert escrow_balance() == 0
    assert_books_balance()


def test_paying_through_the_provider_returns_a_pay_url_and_the_webhook_pays(buyer):
    sku = make_sku(price=8800)
    made = checkout(buyer, [{"sku": sku.public_id, "quantity": 1}])
    payment = ok(
        buyer.post(
            f"/checkouts/{made['id']}/pay",
            {"method": "provider", "provider": "sandbox", "return_url": "/orders/"},
            key="pay-provider",
        ),
        201,
    )
    assert (payment["state"], payment["amount"], payment["method"]) == ("pending", 8800, "provider")
    assert payment["pay_url"].startswith(f"http://testserver/pay/sandbox/{payment['id']}/")
    assert wallet_balance(buyer.user) == 100_000  # nothing taken yet

    SandboxProvider().deliver_event(
        payment=Payment.objects.get(public_id=payment["id"]), action="pay"
    )
    order = ok(buyer.get(f"/orders/{made['orders'][0]['id']}"))
    assert order["state"] == "paid"
    assert escrow_balance() == 8800
    assert_books_balance()


def test_an_offsite_return_url_or_unknown_provider_is_refused(buyer):
    made = checkout(buyer, [{"sku": make_sku().public_id, "quantity": 1}])
    pay = f"/checkouts/{made['id']}/pay"
    error(
        buyer.post(pay, {"method": "provider", "provider": "nope"}, key="p1"), 400, "bad_provider"
    )
    error(buyer.post(pay, {"method": "cash"}, key="p2"), 400, "bad_method")
    response = buyer.post(
        f"/checkouts/{made['id']}/pay",
        {"method": "provider", "return_url": "https://evil.example/"},
        key="pay-evil",
    )
    error(response, 400, "bad_return_url")
    assert not Payment.objects.exists()


class TestIdempotency:
    def test_a_retried_checkout_answers_the_same_checkout_once(self, buyer):
        sku = make_sku(available=5)
        body = {"items": [{"sku": sku.public_id, "quantity": 2}], "ship_to": address()}
        first = buyer.post("/checkouts", body, key="retry-me")
        again = buyer.post("/checkouts", body, key="retry-me")
        assert first.status_code == again.status_code == 201
        assert again["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first
        assert again.json()["id"] == first.json()["id"]
        assert Checkout.objects.count() == 1
        assert Sku.objects.get(pk=sku.pk).reserved == 2  # reserved once, not twice

    def test_the_same_key_with_another_body_is_refused(self, buyer):
        sku = make_sku(available=5)
        body = {"items": [{"sku": sku.public_id, "quantity": 1}], "ship_to": address()}
        ok(buyer.post("/checkouts", body, key="once"), 201)
        body["items"][0]["quantity"] = 3
        error(buyer.post("/checkouts", body, key="once"), 422, "idempotency_key_reused")
        assert Checkout.objects.count() == 1

    def test_money_moving_posts_need_a_key(self, buyer):
        sku = make_sku()
        body = {"items": [{"sku": sku.public_id, "quantity": 1}], "ship_to": address()}
        error(buyer.post("/checkouts", body), 400, "idempotency_key_required")
        made = checkout(buyer, body["items"])
        error(
            buyer.post(f"/checkouts/{made['id']}/pay", {"method": "wallet"}),
            400,
            "idempotency_key_required",
        )
        order_id = made["orders"][0]["id"]
        error(buyer.post(f"/orders/{order_id}/confirm"), 400, "idempotency_key_required")
        assert wallet_balance(buyer.user) == 100_000

    def test_a_retried_wallet_payment_pays_once(self, buyer):
        made = checkout(buyer, [{"sku": make_sku(price=3000).public_id, "quantity": 1}])
        path = f"/checkouts/{made['id']}/pay"
        first = ok(buyer.post(path, {"method": "wallet"}, key="pay-once"), 201)
        again = buyer.post(path, {"method": "wallet"}, key="pay-once")
        assert again["Idempotent-Replayed"] == "true"
        assert again.json() == first
        assert wallet_balance(buyer.user) == 100_000 - 3000
        # A new key finds nothing left to pay.
        error(buyer.post(path, {"method": "wallet"}, key="pay-twice"), 409, "nothing_to_pay")


class TestErrors:
    def test_cart_refusals(self, buyer):
        sku = make_sku()
        for quantity in (0, -1, 1000):
            body = {"sku": sku.public_id, "quantity": quantity}
            error(buyer.post("/cart/lines", body), 400, "bad_quantity")
        error(buyer.post("/cart/lines", {"sku": sku.public_id, "quantity": 1.5}), 422, "invalid")
        error(buyer.post("/cart/lines", {"sku": sku.public_id, "quantity": True}), 422, "invalid")
        error(buyer.post("/cart/lines", {"sku": "nosuchsku0000000"}), 404, "sku_not_found")
        error(seller_of(sku).post("/cart/lines", {"sku": sku.public_id}), 409, "own_shop")
        error(
            buyer.call("patch", f"/cart/lines/{sku.public_id}", {"quantity": 2}),
            404,
            "not_in_cart",
        )
        assert ok(buyer.get("/cart"))["count"] == 0

    def test_cart_quantity_changes_and_removal(self, buyer):
        sku = make_sku(price=1000)
        ok(buyer.post("/cart/lines", {"sku": sku.public_id, "quantity": 2}), 201)
        cart = ok(buyer.post("/cart/lines", {"sku": sku.public_id, "quantity": 3}), 201)
        assert cart["shops"][0]["lines"][0]["quantity"] == 5  # added to the line
        cart = ok(buyer.call("patch", f"/cart/lines/{sku.public_id}", {"quantity": 1}))
        assert cart["totals"][0]["items_total"] == 1000
        cart = ok(buyer.call("patch", f"/cart/lines/{sku.public_id}", {"quantity": 0}))
        assert cart["count"] == 0
        ok(buyer.post("/cart/lines", {"sku": sku.public_id}), 201)
        assert buyer.call("delete", f"/cart/lines/{sku.public_id}").status_code == 204
        assert ok(buyer.get("/cart"))["count"] == 0

    def test_out_of_stock_is_a_conflict_and_reserves_nothing(self, buyer):
        plenty, scarce = make_sku(available=10), make_sku(available=1)
        items = [
            {"sku": plenty.public_id, "quantity": 2},
            {"sku": scarce.public_id, "quantity": 2},
        ]
        body = error(
            buyer.post("/checkouts", {"items": items, "ship_to": address()}, key="k"),
            409,
            "out_of_stock",
        )
        assert body["details"] == {"sku": scarce.public_id, "available": 1}
        assert Sku.objects.get(pk=plenty.pk).available == 10
        assert not Order.objects.exists()

    def test_an_empty_cart_cannot_be_checked_out(self, buyer):
        error(buyer.post("/checkouts", {"ship_to": address()}, key="k"), 400, "empty_checkout")

    def test_someone_elses_order_is_not_found(self, buyer):
        order = paid_order(buyer, make_sku())
        stranger = Api(UserFactory())
        error(stranger.get(f"/orders/{order['id']}"), 404, "order_not_found")
        error(stranger.post(f"/orders/{order['id']}/confirm", key="x"), 404, "order_not_found")
        error(stranger.get(f"/checkouts/{order['checkout']}"), 404, "checkout_not_found")
        assert ok(stranger.get("/orders"))["count"] == 0

    def test_a_seller_action_by_the_buyer_is_forbidden(self, buyer):
        sku = make_sku()
        order = paid_order(buyer, sku)
        ship = {"carrier": "中通", "waybill": "ZT12345678"}
        error(buyer.post(f"/orders/{order['id']}/ship", ship), 403, "not_your_shop")
        # ... and a buyer's action by the seller.
        error(seller_of(sku).post(f"/orders/{order['id']}/confirm", key="c"), 403, "not_your_order")
        assert Order.objects.get(public_id=order["id"]).state == OrderState.WAIT_SELLER_SEND

    def test_without_a_token_the_api_answers_401(self):
        error(Client().get("/api/cart"), 401, "unauthenticated")
        error(Client().get("/api/orders"), 401, "unauthenticated")

    def test_an_unknown_state_filter_is_invalid(self, buyer):
        error(buyer.get("/orders", state="lost"), 422, "invalid")


def test_the_browser_session_works_too():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    sku = make_sku()
    response = client.post(
        "/api/cart/lines", json.dumps({"sku": sku.public_id}), content_type="application/json"
    )
    assert response.status_code == 201
    assert client.get("/api/cart").json()["count"] == 1


def test_unpaid_orders_can_be_cancelled_and_stock_returns(buyer):
    sku = make_sku(available=3)
    made = checkout(buyer, [{"sku": sku.public_id, "quantity": 2}])
    order_id = made["orders"][0]["id"]
    assert ok(buyer.get(f"/orders/{order_id}"))["actions"]["cancel"] is True
    cancelled = ok(buyer.post(f"/orders/{order_id}/cancel", {"reason": "买多了"}))
    assert cancelled["state"] == "closed"
    assert Sku.objects.get(pk=sku.pk).available == 3
    error(
        buyer.post(f"/checkouts/{made['id']}/pay", {"method": "wallet"}, key="late"),
        409,
        "nothing_to_pay",
    )
    error(buyer.post(f"/orders/{order_id}/cancel"), 409, "order_state")


def test_the_buyer_extends_the_confirmation_deadline_once(buyer):
    sku = make_sku()
    order = paid_order(buyer, sku)
    ship = {"carrier": "中通", "waybill": "ZT12345678"}
    before = ok(seller_of(sku).post(f"/orders/{order['id']}/ship", ship))
    error(buyer.post(f"/orders/{order['id']}/extend", {"days": 4}), 400, "bad_extension")
    extended = ok(buyer.post(f"/orders/{order['id']}/extend", {"days": 3}))
    assert extended["deadlines"]["confirm_extended_days"] == 3
    assert extended["deadlines"]["auto_confirm_at"] > before["deadlines"]["auto_confirm_at"]
    assert extended["actions"]["extend"] is False
    error(buyer.post(f"/orders/{order['id']}/extend", {"days": 3}), 409, "already_extended")


def test_orders_lists_for_buyer_and_shop(buyer):
    sku = make_sku()
    paid = paid_order(buyer, sku)
    unpaid = checkout(buyer, [{"sku": sku.public_id, "quantity": 1}], key="unpaid")
    mine = ok(buyer.get("/orders"))
    assert mine["count"] == 2
    assert mine["items"][0]["id"] == unpaid["orders"][0]["id"]  # newest first
    assert [o["id"] for o in ok(buyer.get("/orders", state="paid"))["items"]] == [paid["id"]]

    shop_id = sku.product.shop.public_id
    seller = seller_of(sku)
    listed = ok(seller.get(f"/shops/{shop_id}/orders"))
    assert {o["id"] for o in listed["items"]} == {paid["id"], unpaid["orders"][0]["id"]}
    assert listed["items"][0]["ship_to"]["phone"] == "+8613800138000"
    assert ok(seller.get(f"/shops/{shop_id}/orders", state="paid"))["count"] == 1
    error(buyer.get(f"/shops/{shop_id}/orders"), 404, "not_found")
    # The shops router still answers its own paths.
    assert ok(seller.get(f"/shops/{shop_id}"))["id"] == shop_id


def test_listing_orders_costs_the_same_queries_for_many_orders(
    buyer, django_assert_max_num_queries
):
    paid_order(buyer, make_sku(price=100))
    with CaptureQueriesContext(connection) as one:
        ok(buyer.get("/orders"))
    queries = len(one)  # now: each request empties the connection's query log
    for _n in range(4):
        paid_order(buyer, make_sku(price=100))
    with django_assert_max_num_queries(queries):
        assert ok(buyer.get("/orders"))["count"] == 5


def test_refusal_dispute_and_a_partial_refund_decided_by_an_operator(buyer):
    sku = make_sku(price=20000)
    order = paid_order(buyer, sku)
    seller = seller_of(sku)
    ok(seller.post(f"/orders/{order['id']}/ship", {"carrier": "中通", "waybill": "ZT12345678"}))

    asked = {"kind": "refund_only", "amount": 8000, "reason": "桌腿有裂纹"}
    error(
        buyer.post(f"/orders/{order['id']}/refunds", {**asked, "amount": 99_999}, key="too-much"),
        400,
        "refund_exceeds_payment",
    )
    refund = ok(buyer.post(f"/orders/{order['id']}/refunds", asked, key="ask"), 201)
    assert (refund["state"], refund["amount"], refund["currency"]) == ("requested", 8000, "CNY")
    assert refund["deadline"] is not None
    detail = ok(buyer.get(f"/orders/{order['id']}"))
    assert detail["actions"]["confirm"] is False  # not while a refund is open
    assert detail["refunds"][0]["id"] == refund["id"]
    assert ok(seller.get(f"/orders/{order['id']}"))["actions"]["answer_refund"] is True

    error(buyer.post(f"/refunds/{refund['id']}/refuse", {"answer": "no"}), 403, "not_your_shop")
    error(seller.post(f"/refunds/{refund['id']}/refuse", {"answer": ""}), 400, "bad_answer")
    refused = ok(seller.post(f"/refunds/{refund['id']}/refuse", {"answer": "发货时完好"}))
    assert refused["state"] == "disputed"

    photo = image_upload()
    evidence = buyer.client.post(
        f"/api/refunds/{refund['id']}/evidence",
        {"text": "裂纹照片", "photo": photo},
        headers={"Authorization": f"Bearer {buyer.token}"},
    )
    added = ok(evidence, 201)
    assert added["text"] == "裂纹照片"
    assert added["photo"].endswith(".jpg")
    statement = seller.client.post(
        f"/api/refunds/{refund['id']}/evidence",
        {"text": "出库检验记录完好"},
        headers={"Authorization": f"Bearer {seller.token}"},
    )
    assert ok(statement, 201)["photo"] is None
    empty = seller.client.post(
        f"/api/refunds/{refund['id']}/evidence",
        {"text": " "},
        headers={"Authorization": f"Bearer {seller.token}"},
    )
    error(empty, 400, "empty_evidence")
    stranger = Api(UserFactory())
    error(stranger.post(f"/refunds/{refund['id']}/cancel"), 404, "refund_not_found")

    decision = {"amount": 5000, "decision": "裂纹影响使用，退一部分"}
    error(buyer.get("/disputes"), 403, "not_operator")
    error(buyer.post(f"/disputes/{refund['id']}/decide", decision, key="self"), 403, "not_operator")
    operator = Api(OperatorFactory())
    desk = ok(operator.get("/disputes"))
    assert [d["id"] for d in desk["items"]] == [refund["id"]]
    assert [e["text"] for e in desk["items"][0]["evidence"]] == ["裂纹照片", "出库检验记录完好"]
    assert desk["items"][0]["order_total"] == 20000
    error(
        operator.post(f"/disputes/{refund['id']}/decide", {**decision, "amount": 9000}, key="d0"),
        400,
        "refund_exceeds_request",
    )
    decided = ok(operator.post(f"/disputes/{refund['id']}/decide", decision, key="d1"))
    assert (decided["state"], decided["amount_refunded"]) == ("refunded", 5000)
    again = operator.post(f"/disputes/{refund['id']}/decide", decision, key="d1")
    assert again["Idempotent-Replayed"] == "true"
    assert wallet_balance(buyer.user) == 100_000 - 20000 + 5000

    detail = ok(buyer.get(f"/orders/{order['id']}"))
    assert (detail["state"], detail["refunded"]) == ("shipped", 5000)
    ok(buyer.post(f"/orders/{order['id']}/confirm", key="confirm"))
    assert wallet_balance(sku.product.shop.owner) == 15000
    assert escrow_balance() == 0
    assert_books_balance()


def test_a_return_is_refunded_when_the_seller_receives_the_goods(buyer):
    sku = make_sku(price=12000)
    order = paid_order(buyer, sku)
    seller = seller_of(sku)
    ok(seller.post(f"/orders/{order['id']}/ship", {"carrier": "中通", "waybill": "ZT12345678"}))
    asked = {"kind": "return", "reason": "尺寸不对"}
    refund = ok(buyer.post(f"/orders/{order['id']}/refunds", asked, key="ask"), 201)
    assert refund["amount"] == 12000  # all that is refundable
    agreed = ok(seller.post(f"/refunds/{refund['id']}/agree", {"answer": "请寄回"}, key="agree"))
    assert agreed["state"] == "await_return"
    returned = ok(
        buyer.post(f"/refunds/{refund['id']}/return", {"carrier": "顺丰", "waybill": "SF1234567"})
    )
    assert returned["return_waybill"] == "SF1234567"
    received = ok(seller.post(f"/refunds/{refund['id']}/return-received", key="got-it"))
    assert (received["state"], received["amount_refunded"]) == ("refunded", 12000)
    assert ok(buyer.get(f"/orders/{order['id']}"))["state"] == "closed"
    assert wallet_balance(buyer.user) == 100_000
    assert_books_balance()


def test_a_refund_before_shipment_is_immediate_and_can_be_withdrawn_after(buyer):
    sku = make_sku(price=7000, available=2)
    order = paid_order(buyer, sku)
    refund = ok(
        buyer.post(
            f"/orders/{order['id']}/refunds", {"kind": "refund_only", "reason": "买错了"}, key="r"
        ),
        201,
    )
    assert refund["state"] == "refunded"
    assert ok(buyer.get(f"/orders/{order['id']}"))["state"] == "closed"
    assert Sku.objects.get(pk=sku.pk).available == 2
    error(buyer.post(f"/refunds/{refund['id']}/cancel"), 409, "refund_state")
    assert Refund.objects.count() == 1
    assert_books_balance()


def test_openapi_documents_the_orders_operations(client):
    schema = client.get("/api/openapi.json").json()
    start = schema["paths"]["/api/checkouts"]["post"]
    headers = [p["name"] for p in start["parameters"] if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]
    assert {"201", "409", "422"} <= set(start["responses"])
    detail = schema["paths"]["/api/orders/{order_id}"]["get"]["responses"]["200"]
    ref = detail["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "actions" in schema["components"]["schemas"][ref]["properties"]
    assert "/api/shops/{shop_id}/orders" in schema["paths"]
