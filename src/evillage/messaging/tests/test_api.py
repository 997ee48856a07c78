"""The messenger API as an app uses it: open, send, read, block, report, shop settings,
and the errors a client must handle."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from evillage.accounts.services.tokens import api_token_create
from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.tests.factories import ProductFactory, image_upload
from evillage.messaging.models import MessageReport
from evillage.messaging.tests.factories import agent_of
from evillage.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def _api(user) -> Client:
    token = api_token_create(user=user, name="app")[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


def _open(client, **body):
    return client.post("/api/conversations", body, content_type="application/json")


def test_buyer_and_agent_exchange_messages():
    product = ProductFactory()
    buyer, agent = UserFactory(), agent_of(product.shop)
    as_buyer, as_agent = _api(buyer), _api(agent)
    opened = _open(as_buyer, shop=product.shop.public_id, product=product.public_id)
    assert opened.status_code == 201
    chat = opened.json()["id"]
    assert _open(as_buyer, shop=product.shop.public_id).status_code == 200
    sent = as_buyer.post(
        f"/api/conversations/{chat}/messages",
        {"text": "还有蓝色吗"},
        content_type="application/json",
    )
    assert sent.status_code == 201 and sent.json()[0]["read_by_other_side"] is False
    assert as_agent.get("/api/messenger/unread").json() == {"unread": 2}  # card + text
    [row] = as_agent.get("/api/conversations").json()
    assert row["side"] == "shop" and row["unread"] == 2
    assert as_agent.post(f"/api/conversations/{chat}/read").json()["unread"] == 0
    as_agent.post(
        f"/api/conversations/{chat}/messages", {"text": "有的"}, content_type="application/json"
    )
    messages = as_buyer.get(f"/api/conversations/{chat}/messages").json()
    assert [(m["kind"], m["side"]) for m in messages] == [
        ("product", "buyer"),
        ("text", "buyer"),
        ("text", "shop"),
    ]
    assert messages[0]["card"]["id"] == product.public_id
    assert messages[1]["read_by_other_side"] is True
    newer = as_buyer.get(f"/api/conversations/{chat}/messages?after=2").json()
    assert [m["text"] for m in newer] == ["有的"]
    found = as_buyer.get("/api/messenger/search?q=蓝色").json()
    assert [m["text"] for m in found] == ["还有蓝色吗"]


def test_photo_message():
    buyer = UserFactory()
    client = _api(buyer)
    chat = _open(client, shop=ShopFactory().public_id).json()["id"]
    response = client.post(
        f"/api/conversations/{chat}/images", {"image": image_upload(), "text": "这个"}
    )
    assert response.status_code == 201
    assert [m["kind"] for m in response.json()] == ["text", "image"]
    bad = client.post(
        f"/api/conversations/{chat}/images",
        {"image": SimpleUploadedFile("x.jpg", b"<html>", content_type="image/jpeg")},
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "photo_not_image")
    assert bad.json()["field"] == "image"


def test_errors_are_json_with_stable_codes(settings):
    settings.MESSENGER_MAX_PER_MINUTE = 1
    shop = ShopFactory()
    buyer = UserFactory()
    client = _api(buyer)
    assert Client().get("/api/conversations").status_code == 401
    own = _open(_api(shop.owner), shop=shop.public_id)
    assert (own.status_code, own.json()["code"]) == (403, "own_shop")
    missing = _open(client, shop="nope")
    assert (missing.status_code, missing.json()["code"]) == (404, "shop_not_found")
    chat = _open(client, shop=shop.public_id).json()["id"]
    url = f"/api/conversations/{chat}/messages"
    empty = client.post(url, {"text": " "}, content_type="application/json")
    assert (empty.status_code, empty.json()["code"]) == (400, "message_empty")
    assert client.post(url, {"text": "1"}, content_type="application/json").status_code == 201
    fast = client.post(url, {"text": "2"}, content_type="application/json")
    assert (fast.status_code, fast.json()["code"]) == (429, "rate_limited")
    stranger = _api(UserFactory()).get(url)
    assert (stranger.status_code, stranger.json()["code"]) == (404, "conversation_not_found")


def test_block_report_and_shop_settings():
    shop = ShopFactory()
    buyer, agent = UserFactory(), agent_of(shop)
    as_buyer, as_agent = _api(buyer), _api(agent)
    chat = _open(as_buyer, shop=shop.public_id).json()["id"]
    sent = as_agent.post(
        f"/api/conversations/{chat}/messages", {"text": "加微信"}, content_type="application/json"
    )
    message_id = sent.json()[0]["id"]
    report = as_buyer.post(
        f"/api/messages/{message_id}/report",
        {"reason": "站外交易"},
        content_type="application/json",
    )
    assert report.status_code == 201 and MessageReport.objects.count() == 1
    assert as_buyer.post(f"/api/conversations/{chat}/block").json()["you_blocked"] is True
    blocked = as_agent.post(
        f"/api/conversations/{chat}/messages", {"text": "?"}, content_type="application/json"
    )
    assert (blocked.status_code, blocked.json()["code"]) == (403, "blocked")
    assert as_buyer.delete(f"/api/conversations/{chat}/block").json()["you_blocked"] is False

    quick = as_agent.post(
        f"/api/shops/{shop.public_id}/quick-replies",
        {"text": "亲，包邮"},
        content_type="application/json",
    )
    assert quick.status_code == 201
    listed = as_agent.get(f"/api/shops/{shop.public_id}/quick-replies").json()
    assert [r["text"] for r in listed] == ["亲，包邮"]
    assert as_buyer.get(f"/api/shops/{shop.public_id}/quick-replies").status_code == 404
    settings_url = f"/api/shops/{shop.public_id}/chat-settings"
    saved = as_agent.put(settings_url, {"auto_reply": "稍后回复"}, content_type="application/json")
    assert saved.json() == {"auto_reply": "稍后回复"}
    removed = as_agent.delete(f"/api/shops/{shop.public_id}/quick-replies/{quick.json()['id']}")
    assert removed.status_code == 204


def test_export():
    buyer = UserFactory()
    client = _api(buyer)
    chat = _open(client, shop=ShopFactory().public_id).json()["id"]
    client.post(
        f"/api/conversations/{chat}/messages", {"text": "hi"}, content_type="application/json"
    )
    data = client.get("/api/messenger/export").json()
    assert data["conversations"][0]["messages"][0]["text"] == "hi"
