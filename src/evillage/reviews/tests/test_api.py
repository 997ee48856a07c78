"""The reviews API as an app would use it: status codes and error codes."""

import json

import pytest
from django.test import Client

from evillage.accounts.services.tokens import api_token_create
from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.reviews.models import Review
from evillage.reviews.tests.helpers import finished_order, photo, review

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            self.headers["Authorization"] = f"Bearer {api_token_create(user=user)[1]}"

    def form(self, path: str, data: dict):
        return self.client.post(f"/api{path}", data, headers=self.headers)

    def json(self, path: str, data: dict | None = None):
        return self.client.post(
            f"/api{path}",
            json.dumps(data or {}),
            content_type="application/json",
            headers=self.headers,
        )

    def get(self, path: str, **params):
        return self.client.get(f"/api{path}", params, headers=self.headers)


def review_form(**overrides) -> dict:
    return {
        "line": 1,
        "rating": "good",
        "item_as_described": 5,
        "service": 4,
        "shipping_speed": 5,
        "text": "很好",
        **overrides,
    }


def test_create_a_review_with_photos_then_409_on_a_second_submit():
    order = finished_order()
    api = Api(order.buyer)
    response = api.form(
        f"/orders/{order.public_id}/reviews",
        review_form(anonymous="true", photos=[photo("a.jpg"), photo("b.png", fmt="PNG")]),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rating"] == "good" and body["anonymous"] is True
    assert body["reviewer"].endswith("***")
    assert len(body["photos"]) == 2 and body["photos"][0]["thumb"].endswith("-t.jpg")

    again = api.form(f"/orders/{order.public_id}/reviews", review_form())
    assert again.status_code == 409 and again.json()["code"] == "already_reviewed"


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"rating": "excellent"}, 400, "bad_rating"),
        ({"service": 9}, 400, "bad_detailed_rating"),
        ({"rating": "bad", "text": ""}, 400, "text_required"),
        ({"line": 2}, 404, "line_not_found"),
        ({"service": "many"}, 422, "invalid"),
    ],
)
def test_create_errors(overrides, status, code):
    order = finished_order()
    response = Api(order.buyer).form(f"/orders/{order.public_id}/reviews", review_form(**overrides))
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Review.objects.exists()


def test_create_needs_the_buyer_and_a_finished_order():
    order = finished_order()
    assert Api().form(f"/orders/{order.public_id}/reviews", review_form()).status_code == 401
    stranger = Api(UserFactory()).form(f"/orders/{order.public_id}/reviews", review_form())
    assert (stranger.status_code, stranger.json()["code"]) == (404, "order_not_found")
    seller = Api(order.shop.owner).form(f"/orders/{order.public_id}/reviews", review_form())
    assert (seller.status_code, seller.json()["code"]) == (403, "not_your_order")
    open_order = finished_order(finish=False)
    response = Api(open_order.buyer).form(f"/orders/{open_order.public_id}/reviews", review_form())
    assert (response.status_code, response.json()["code"]) == (409, "order_not_finished")


def test_session_writes_need_the_csrf_token():
    order = finished_order()
    client = Client(enforce_csrf_checks=True)
    client.force_login(order.buyer)
    response = client.post(f"/api/orders/{order.public_id}/reviews", review_form())
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")


def test_follow_up_reply_and_public_lists():
    order = finished_order()
    made = review(order, text="不错")
    buyer, seller = Api(order.buyer), Api(order.shop.owner)

    response = buyer.form(f"/reviews/{made.public_id}/follow-up", {"text": "一个月后还很好"})
    assert response.status_code == 200 and response.json()["followup"]["text"] == "一个月后还很好"
    again = buyer.form(f"/reviews/{made.public_id}/follow-up", {"text": "again"})
    assert (again.status_code, again.json()["code"]) == (409, "already_followed_up")

    response = seller.json(f"/reviews/{made.public_id}/reply", {"text": "谢谢"})
    assert response.status_code == 200 and response.json()["reply"]["text"] == "谢谢"
    response = seller.json(f"/reviews/{made.public_id}/reply", {"text": "谢谢", "to": "followup"})
    assert response.json()["followup"]["reply"]["text"] == "谢谢"
    refused = buyer.json(f"/reviews/{made.public_id}/reply", {"text": "hi"})
    assert (refused.status_code, refused.json()["code"]) == (403, "not_your_shop")
    missing = seller.json("/reviews/nosuchreview0000/reply", {"text": "hi"})
    assert (missing.status_code, missing.json()["code"]) == (404, "review_not_found")

    public = Api()
    listed = public.get(f"/products/{made.product.public_id}/reviews").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == made.public_id
    listed = public.get(f"/shops/{order.shop.public_id}/reviews").json()
    assert listed["items"][0]["reply"]["text"] == "谢谢"
    assert public.get("/products/nosuchproduct000/reviews").status_code == 404


def test_credit_summary_is_public():
    order = finished_order()
    review(order, item_as_described=4)
    body = Api().get(f"/shops/{order.shop.public_id}/credit").json()
    assert body["score"] == 1 and body["level"] is None and body["good_rate"] == 1.0
    assert body["dsr"][0] == {"name": "item_as_described", "value": 4.0, "versus_category": 0.0}
    assert Api().get("/shops/nosuchshop000000/credit").status_code == 404


def test_operators_hide_and_unhide():
    order = finished_order()
    made = review(order, rating="bad", text="差")
    operator = Api(OperatorFactory())
    refused = Api(order.shop.owner).json(f"/reviews/{made.public_id}/hide", {"reason": "我不喜欢"})
    assert (refused.status_code, refused.json()["code"]) == (403, "operator_only")
    no_reason = operator.json(f"/reviews/{made.public_id}/hide", {"reason": ""})
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "reason_required")

    hidden = operator.json(f"/reviews/{made.public_id}/hide", {"reason": "辱骂 abusive"})
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    assert Api().get(f"/shops/{order.shop.public_id}/credit").json()["score"] == 0
    assert Api().get(f"/products/{made.product.public_id}/reviews").json()["count"] == 0
    twice = operator.json(f"/reviews/{made.public_id}/hide", {"reason": "辱骂 abusive"})
    assert (twice.status_code, twice.json()["code"]) == (409, "already_hidden")

    shown = operator.json(f"/reviews/{made.public_id}/unhide")
    assert shown.status_code == 200 and shown.json()["hidden"] is False
    assert Api().get(f"/shops/{order.shop.public_id}/credit").json()["score"] == -1
