"""The sourcing API as a client uses it: offers and their tiers, a supplier's terms,
drop-ship links, purchase orders and the supplier's desk, with their error codes."""

import json

import pytest
from django.test import Client

from evillage.accounts.services.tokens import api_token_create
from evillage.accounts.tests.factories import UserFactory
from evillage.orders.tests.factories import fund_wallet, make_sku
from evillage.places.tests.factories import village
from evillage.sourcing.models import DropshipLink
from evillage.sourcing.tests.factories import (
    make_offer,
    paid_wholesale_order,
    retail_seller,
    variants_of,
)

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            self.headers["Authorization"] = f"Bearer {api_token_create(user=user)[1]}"

    def get(self, path, **params):
        return self.client.get(f"/api{path}", params, headers=self.headers)

    def send(self, method, path, data=None, *, key=None):
        headers = dict(self.headers)
        if key:
            headers["Idempotency-Key"] = key
        return getattr(self.client, method)(
            f"/api{path}",
            data=json.dumps(data) if data is not None else None,
            content_type="application/json",
            headers=headers,
        )


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json() if response.content else None


def error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["message"], body
    return body


def test_offer_list_and_detail_show_terms_and_tiers():
    offer = make_offer(
        min_quantity=10,
        tiers=[(10, 1200), (50, 1000)],
        sample_price=2000,
        sample_max_quantity=2,
        title="批发发夹",
    )
    make_sku()  # not an offer
    page = ok(Api().get("/sourcing/offers"))
    [summary] = page["items"]
    assert summary["id"] == offer.public_id
    assert summary["from_price"] == 1000
    assert summary["min_quantity"] == 10
    assert summary["sample_price"] == 2000 and summary["sample_max_quantity"] == 2
    assert summary["tiers"] == [
        {"min_quantity": 10, "max_quantity": 49, "unit_price": 1200},
        {"min_quantity": 50, "max_quantity": None, "unit_price": 1000},
    ]
    detail = ok(Api().get(f"/sourcing/offers/{offer.public_id}"))
    assert [v["id"] for v in detail["variants"]] == [s.public_id for s in variants_of(offer)]
    assert ok(Api().get("/sourcing/offers", q="袜子"))["count"] == 0
    assert ok(Api().get("/sourcing/offers", q="发夹"))["count"] == 1


def test_unknown_offer_and_category_codes():
    error(Api().get("/sourcing/offers/nope"), 404, "offer_not_found")
    error(Api().get(f"/sourcing/offers/{make_sku().product.public_id}"), 404, "offer_not_found")
    error(Api().get("/sourcing/offers", category="nope"), 404, "category_not_found")


def terms_body(**changes):
    return {
        "min_quantity": 10,
        "tiers": [
            {"min_quantity": 10, "unit_price": 1200},
            {"min_quantity": 50, "unit_price": 1000},
        ],
        "sample_price": 2000,
        "sample_max_quantity": 2,
        "lead_time_days": 4,
        "dropship": True,
    } | changes


def test_supplier_sets_terms_and_errors_are_coded():
    offer = make_offer()
    owner = Api(offer.shop.owner)
    path = f"/sourcing/offers/{offer.public_id}/terms"
    body = ok(owner.send("put", path, terms_body()))
    assert body["min_quantity"] == 10 and body["lead_time_days"] == 4
    rising = terms_body(
        tiers=[{"min_quantity": 10, "unit_price": 1000}, {"min_quantity": 50, "unit_price": 1200}]
    )
    assert error(owner.send("put", path, rising), 400, "bad_tiers")["field"] == "tiers"
    error(owner.send("put", path, terms_body(min_quantity="10")), 422, "invalid")
    error(Api().send("put", path, terms_body()), 401, "unauthenticated")
    error(Api(UserFactory()).send("put", path, terms_body()), 404, "product_not_found")
    retail = make_sku()
    error(
        Api(retail.product.shop.owner).send(
            "put", f"/sourcing/offers/{retail.product.public_id}/terms", terms_body()
        ),
        409,
        "not_a_supplier",
    )
    ok(owner.send("delete", path), 204)
    error(Api().get(f"/sourcing/offers/{offer.public_id}"), 404, "offer_not_found")


def test_checkout_below_the_moq_is_refused_with_its_code():
    offer = make_offer(min_quantity=10, tiers=[(10, 1200)])
    buyer = UserFactory()
    fund_wallet(buyer, 100_000)
    body = {
        "items": [{"sku": variants_of(offer)[0].public_id, "quantity": 3}],
        "ship_to": {
            "place": village().key,
            "street": "东风路 8 号",
            "name": "王小明",
            "phone": "13800138000",
        },
    }
    refused = error(
        Api(buyer).send("post", "/checkouts", body, key="co-1"), 400, "below_minimum_quantity"
    )
    assert refused["details"]["min_quantity"] == 10
    body["items"][0]["quantity"] = 10
    made = ok(Api(buyer).send("post", "/checkouts", body, key="co-2"), 201)
    assert made["total"] == 12_000


def test_dropship_links_create_list_delete():
    offer = make_offer()
    seller = retail_seller()
    own = make_sku(shop=seller)
    api = Api(seller.owner)
    supplier_sku = variants_of(offer)[0]
    link = ok(
        api.send(
            "post",
            "/sourcing/dropship-links",
            {"retail_sku": own.public_id, "supplier_sku": supplier_sku.public_id},
        ),
        201,
    )
    assert link["supplier"]["id"] == offer.shop.public_id
    assert [row["retail_sku"] for row in ok(api.get("/sourcing/dropship-links"))] == [own.public_id]
    error(
        api.send(
            "post",
            "/sourcing/dropship-links",
            {"retail_sku": own.public_id, "supplier_sku": "nope"},
        ),
        404,
        "sku_not_found",
    )
    error(
        Api(UserFactory()).send("delete", f"/sourcing/dropship-links/{own.public_id}"),
        404,
        "link_not_found",
    )
    ok(api.send("delete", f"/sourcing/dropship-links/{own.public_id}"), 204)
    assert not DropshipLink.objects.exists()


def test_purchase_orders_and_supplier_desk():
    offer = make_offer()
    seller = retail_seller()
    order = paid_wholesale_order(offer, buyer=seller.owner)
    mine = ok(Api(seller.owner).get("/sourcing/purchase-orders"))
    assert [(o["id"], o["kind"], o["retail_order"]) for o in mine["items"]] == [
        (order.public_id, "wholesale", None)
    ]
    assert mine["items"][0]["lines"][0]["unit_price"] == 1200
    desk = ok(Api(offer.shop.owner).get(f"/sourcing/shops/{offer.shop.public_id}/orders"))
    assert [o["id"] for o in desk["items"]] == [order.public_id]
    error(
        Api(UserFactory()).get(f"/sourcing/shops/{offer.shop.public_id}/orders"),
        404,
        "shop_not_found",
    )
    error(
        Api(seller.owner).get(f"/sourcing/shops/{seller.public_id}/orders"), 404, "shop_not_found"
    )
