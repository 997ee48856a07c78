"""The messenger's pages as a buyer and a shop agent use them, with and without HTMX."""

import json

import pytest
from django.urls import reverse

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.tests.factories import ProductFactory, image_upload
from evillage.messaging import services
from evillage.messaging.models import Conversation, MessageKind, MessageReport
from evillage.messaging.tests.factories import agent_of, conversation

pytestmark = pytest.mark.django_db


def _page(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_chat_button_on_the_product_page_opens_the_conversation_with_its_card(client):
    product = ProductFactory()
    buyer = UserFactory()
    client.force_login(buyer)
    page = client.get(reverse("catalog:product", args=[product.public_id]))
    assert "Chat with the seller" in page.text
    response = client.post(
        reverse("messaging:open"), {"shop": product.shop.public_id, "product": product.public_id}
    )
    chat = Conversation.objects.get(buyer=buyer)
    assert response.url == reverse("messaging:conversation", args=[chat.public_id])
    page = client.get(response.url)
    assert product.title in page.text
    assert chat.messages.get().kind == MessageKind.PRODUCT


def test_the_shops_own_staff_see_no_chat_button(client):
    product = ProductFactory()
    page = _page(client, product.shop.owner, reverse("catalog:product", args=[product.public_id]))
    assert "Chat with the seller" not in page.text


def test_anonymous_visitors_are_sent_to_log_in_first(client):
    product = ProductFactory()
    page = client.get(reverse("catalog:product", args=[product.public_id]))
    assert reverse("accounts:login") + "?next=" in page.text


def test_opening_ones_own_shop_shows_the_error(client):
    product = ProductFactory()
    client.force_login(product.shop.owner)
    back = reverse("catalog:product", args=[product.public_id])
    response = client.post(
        reverse("messaging:open"), {"shop": product.shop.public_id, "next": back}, follow=True
    )
    assert "You cannot start a conversation with your own shop." in response.text
    assert not Conversation.objects.exists()


def test_send_without_javascript_and_the_text_is_escaped(client):
    chat = conversation()
    client.force_login(chat.buyer)
    url = reverse("messaging:send", args=[chat.public_id])
    response = client.post(url, {"text": "<script>alert(1)</script>"})
    assert response.status_code == 302
    page = client.get(reverse("messaging:conversation", args=[chat.public_id]))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)</script>" not in page.text


def test_send_with_htmx_returns_the_new_message(client):
    chat = conversation()
    client.force_login(chat.buyer)
    url = reverse("messaging:send", args=[chat.public_id])
    response = client.post(url, {"text": "包邮吗"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "包邮吗" in response.text and 'class="msg mine' in response.text


def test_an_empty_message_shows_an_error_and_stores_nothing(client):
    chat = conversation()
    client.force_login(chat.buyer)
    url = reverse("messaging:send", args=[chat.public_id])
    page = client.post(url, {"text": "  "})
    assert page.status_code == 400 and "Write a message first." in page.text
    htmx = client.post(url, {"text": ""}, HTTP_HX_REQUEST="true")
    assert htmx.headers["HX-Retarget"] == "#send-errors"
    assert "Write a message first." in htmx.text
    assert not chat.messages.exists()


def test_photo_upload_is_shown_only_to_the_two_sides(client):
    chat = conversation()
    client.force_login(chat.buyer)
    client.post(
        reverse("messaging:send", args=[chat.public_id]), {"text": "", "image": image_upload()}
    )
    message = chat.messages.get()
    url = reverse("messaging:image", args=[message.image.name])
    assert client.get(url).status_code == 200
    client.force_login(chat.shop.owner)
    assert client.get(url).status_code == 200
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    # An API client (no session) fetches it with its bearer token.
    from evillage.accounts.services.tokens import api_token_create

    client.logout()
    _, token = api_token_create(user=chat.shop.owner)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert client.get(url).status_code == 302  # no credentials: the login page


def test_inbox_and_header_show_unread_counts(client):
    chat = conversation()
    agent = agent_of(chat.shop)
    services.message_send(user=chat.buyer, conversation=chat, text="有现货吗")
    page = _page(client, agent, reverse("messaging:inbox"))
    assert chat.buyer.public_name in page.text
    assert 'id="chat-unread" class="count"' in page.text
    assert "有现货吗" in page.text
    # Opening the conversation reads it: the count is gone.
    client.get(reverse("messaging:conversation", args=[chat.public_id]))
    page = client.get(reverse("messaging:inbox"))
    assert 'class="count zero"' in page.text


def test_strangers_get_404(client):
    chat = conversation()
    page = _page(client, UserFactory(), reverse("messaging:conversation", args=[chat.public_id]))
    assert page.status_code == 404


def test_search_page(client):
    chat = conversation()
    services.message_send(user=chat.buyer, conversation=chat, text="红木茶几多少钱")
    page = _page(client, chat.buyer, reverse("messaging:inbox") + "?q=茶几")
    assert "红木茶几多少钱" in page.text


def test_poll_returns_only_newer_messages(client):
    chat = conversation()
    services.message_send(user=chat.buyer, conversation=chat, text="第一条")
    services.message_send(user=chat.shop.owner, conversation=chat, text="第二条")
    client.force_login(chat.buyer)
    page = client.get(reverse("messaging:poll", args=[chat.public_id]) + "?after=1")
    assert "第二条" in page.text and "第一条" not in page.text


def test_report_form(client):
    chat = conversation()
    [message] = services.message_send(user=chat.shop.owner, conversation=chat, text="加我微信")
    client.force_login(chat.buyer)
    url = reverse("messaging:report", args=[message.public_id])
    page = client.post(url, {"reason": ""})
    assert "This field is required." in page.text
    client.post(url, {"reason": "站外交易"})
    assert MessageReport.objects.get().reason == "站外交易"


def test_block_and_unblock_buttons(client):
    chat = conversation()
    client.force_login(chat.buyer)
    client.post(reverse("messaging:block", args=[chat.public_id]), {"action": "block"})
    chat.refresh_from_db()
    assert chat.blocked_by_buyer
    page = client.get(reverse("messaging:conversation", args=[chat.public_id]))
    assert "Unblock" in page.text
    client.post(reverse("messaging:block", args=[chat.public_id]), {"action": "unblock"})
    chat.refresh_from_db()
    assert not chat.blocked_by_buyer


def test_export_downloads_all_conversations(client):
    chat = conversation()
    services.message_send(user=chat.buyer, conversation=chat, text="你好")
    response = _page(client, chat.buyer, reverse("messaging:export"))
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["conversations"][0]["messages"][0]["text"] == "你好"


def test_shop_settings_auto_reply_and_quick_replies(client):
    chat = conversation()
    agent = agent_of(chat.shop)
    url = reverse("messaging:shop_settings", args=[chat.shop.public_id])
    client.force_login(agent)
    client.post(url, {"action": "auto_reply", "auto_reply": "客服休息中"})
    client.post(url, {"action": "add_quick", "text": "亲，48小时内发货"})
    page = client.get(reverse("messaging:conversation", args=[chat.public_id]))
    assert "亲，48小时内发货" in page.text  # offered as a quick reply
    created = services.message_send(user=chat.buyer, conversation=chat, text="在吗")
    assert created[-1].is_auto_reply is False  # the agent was online a moment ago
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_order_page_has_contact_buttons_for_both_sides(client):
    from evillage.orders.services.checkout import checkout_create
    from evillage.orders.tests.factories import item, make_sku, ship_to

    sku = make_sku()
    buyer = UserFactory()
    checkout = checkout_create(buyer=buyer, items=[item(sku)], ship_to=ship_to(buyer))
    order = checkout.orders.get()
    url = reverse("orders:detail", args=[order.public_id])
    assert "Contact the seller" in _page(client, buyer, url).text
    assert "Contact the buyer" in _page(client, order.shop.owner, url).text
    client.force_login(order.shop.owner)
    response = client.post(reverse("messaging:open"), {"order": order.public_id})
    chat = Conversation.objects.get(buyer=buyer, shop=order.shop)
    assert response.url == reverse("messaging:conversation", args=[chat.public_id])
    assert chat.messages.get().order == order
