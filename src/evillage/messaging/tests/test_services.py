"""The messenger's rules: who may talk, what is stored, counters, blocks, limits, reports."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.catalog.tests.factories import ProductFactory
from evillage.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from evillage.messaging import selectors, services
from evillage.messaging.models import ChatSettings, Conversation, MessageKind, ReportState
from evillage.messaging.tests.factories import agent_of, conversation
from evillage.shops.models import ShopStatus
from evillage.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def _jpeg(color=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG", exif=b"Exif\x00\x00secret")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_one_conversation_per_buyer_and_shop():
    """Asking the same shop twice returns to the same conversation."""
    buyer, shop = UserFactory(), ShopFactory()
    first = services.conversation_open(user=buyer, shop=shop)
    again = services.conversation_open(user=buyer, shop=shop)
    assert first.created and not again.created
    assert first.conversation.pk == again.conversation.pk
    assert Conversation.objects.count() == 1


def test_nobody_chats_with_their_own_shop():
    shop = ShopFactory()
    with pytest.raises(PermissionDenied) as error:
        services.conversation_open(user=shop.owner, shop=shop)
    assert error.value.code == "own_shop"
    with pytest.raises(PermissionDenied):
        services.conversation_open(user=agent_of(shop), shop=shop)
    assert not Conversation.objects.exists()


def test_closed_shop_takes_no_new_conversations():
    shop = ShopFactory(status=ShopStatus.CLOSED)
    with pytest.raises(Conflict):
        services.conversation_open(user=UserFactory(), shop=shop)


def test_product_card_is_attached_once():
    """Opening from a product page shows the product; opening again from the same product
    does not repeat the card, another product adds its own."""
    buyer, shop = UserFactory(), ShopFactory()
    chair, table = ProductFactory(shop=shop), ProductFactory(shop=shop)
    services.conversation_open(user=buyer, shop=shop, product=chair)
    services.conversation_open(user=buyer, shop=shop, product=chair)
    opened = services.conversation_open(user=buyer, shop=shop, product=table)
    cards = list(opened.conversation.messages.values_list("kind", "product_id"))
    assert cards == [(MessageKind.PRODUCT, chair.pk), (MessageKind.PRODUCT, table.pk)]


def test_product_of_another_shop_is_refused():
    with pytest.raises(ValidationFailed):
        services.conversation_open(user=UserFactory(), shop=ShopFactory(), product=ProductFactory())


def test_every_service_agent_shares_the_shop_inbox():
    """A message from the buyer is unread for the shop until any of its agents reads it;
    both agents and the owner see the conversation; a stranger does not."""
    shop = ShopFactory()
    anna, bo = agent_of(shop), agent_of(shop)
    chat = conversation(shop=shop)
    services.message_send(user=chat.buyer, conversation=chat, text="这把椅子有现货吗？")
    for user in (anna, bo, shop.owner):
        assert [row.conversation.pk for row in selectors.conversations_of(user=user)] == [chat.pk]
        assert selectors.unread_total(user=user) == 1
    assert selectors.conversation_for(user=UserFactory(), public_id=chat.public_id) is None
    services.conversation_mark_read(user=anna, conversation=chat)
    assert selectors.unread_total(user=bo) == 0


def test_unread_counts_and_read_receipts():
    chat = conversation()
    agent = agent_of(chat.shop)
    services.message_send(user=chat.buyer, conversation=chat, text="在吗")
    services.message_send(user=chat.buyer, conversation=chat, text="能便宜点吗")
    chat.refresh_from_db()
    assert (chat.shop_unread, chat.buyer_unread) == (2, 0)
    assert chat.shop_read_seq == 0 and chat.buyer_read_seq == 2
    services.message_send(user=agent, conversation=chat, text="在的，亲")
    chat.refresh_from_db()
    # Answering means the agent has read the buyer's messages.
    assert (chat.shop_unread, chat.buyer_unread) == (0, 1)
    assert chat.shop_read_seq == 3
    assert selectors.unread_total(user=chat.buyer) == 1
    services.conversation_mark_read(user=chat.buyer, conversation=chat)
    assert selectors.unread_total(user=chat.buyer) == 0


def test_empty_and_overlong_messages_are_refused_and_nothing_is_stored():
    chat = conversation()
    for text, code in (("   ", "message_empty"), ("字" * 2001, "message_too_long")):
        with pytest.raises(ValidationFailed) as error:
            services.message_send(user=chat.buyer, conversation=chat, text=text)
        assert error.value.code == code
    assert not chat.messages.exists()


def test_outsider_cannot_send():
    chat = conversation()
    with pytest.raises(NotFound):
        services.message_send(user=UserFactory(), conversation=chat, text="hi")


def test_photo_is_reencoded_without_metadata_and_only_the_two_sides_see_it():
    chat = conversation()
    [message] = services.message_send(user=chat.buyer, conversation=chat, image=_jpeg())
    assert message.kind == MessageKind.IMAGE
    data = message.image.open("rb").read()
    assert data.startswith(b"\xff\xd8") and b"secret" not in data
    name = message.image.name
    assert selectors.message_image_for(user=chat.shop.owner, name=name) == message
    assert selectors.message_image_for(user=UserFactory(), name=name) is None


def test_a_file_that_is_not_a_photo_is_refused():
    chat = conversation()
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as error:
        services.message_send(user=chat.buyer, conversation=chat, text="看图", image=bad)
    assert error.value.field == "image"
    assert not chat.messages.exists()  # not even the text


def test_block_stops_the_other_side_only_until_unblocked():
    chat = conversation()
    services.conversation_block(user=chat.buyer, conversation=chat)
    with pytest.raises(PermissionDenied) as error:
        services.message_send(user=chat.shop.owner, conversation=chat, text="优惠券")
    assert error.value.code == "blocked"
    services.message_send(user=chat.buyer, conversation=chat, text="I can still write")
    services.conversation_block(user=chat.buyer, conversation=chat, blocked=False)
    services.message_send(user=chat.shop.owner, conversation=chat, text="优惠券")
    assert chat.messages.count() == 2


def test_rate_limit_per_minute(settings):
    settings.MESSENGER_MAX_PER_MINUTE = 3
    chat = conversation()
    for n in range(3):
        services.message_send(user=chat.buyer, conversation=chat, text=f"m{n}")
    with pytest.raises(services.TooManyMessages) as error:
        services.message_send(user=chat.buyer, conversation=chat, text="spam")
    assert error.value.status == 429 and error.value.code == "rate_limited"
    assert chat.messages.count() == 3


def test_new_conversations_per_day_are_limited(settings):
    settings.MESSENGER_NEW_CONVERSATIONS_PER_DAY = 2
    buyer = UserFactory()
    shops = [ShopFactory() for _ in range(3)]
    services.conversation_open(user=buyer, shop=shops[0])
    services.conversation_open(user=buyer, shop=shops[1])
    with pytest.raises(services.TooManyMessages):
        services.conversation_open(user=buyer, shop=shops[2])
    # Returning to an existing conversation is always possible.
    services.conversation_open(user=buyer, shop=shops[0])


def test_auto_reply_when_nobody_is_online_once_per_quiet_spell():
    chat = conversation()
    services.chat_settings_update(
        user=chat.shop.owner, shop=chat.shop, auto_reply="您好，客服不在线，稍后回复您"
    )
    first = services.message_send(user=chat.buyer, conversation=chat, text="在吗")
    assert [m.is_auto_reply for m in first] == [False, True]
    assert first[1].text == "您好，客服不在线，稍后回复您" and first[1].sender is None
    chat.refresh_from_db()
    # The automatic reply is unread for the buyer; it reads nothing for the shop.
    assert chat.buyer_unread == 1 and chat.shop_unread == 1
    second = services.message_send(user=chat.buyer, conversation=chat, text="在吗？？")
    assert len(second) == 1


def test_no_auto_reply_while_staff_are_online():
    chat = conversation()
    services.chat_settings_update(user=chat.shop.owner, shop=chat.shop, auto_reply="不在")
    services.staff_seen(shop_id=chat.shop_id)
    created = services.message_send(user=chat.buyer, conversation=chat, text="在吗")
    assert len(created) == 1


def test_auto_reply_after_staff_went_quiet(settings):
    chat = conversation()
    services.chat_settings_update(user=chat.shop.owner, shop=chat.shop, auto_reply="不在")
    long_ago = timezone.now() - timezone.timedelta(
        seconds=settings.MESSENGER_STAFF_ONLINE_SECONDS + 5
    )
    ChatSettings.objects.filter(shop=chat.shop).update(last_staff_seen_at=long_ago)
    assert len(services.message_send(user=chat.buyer, conversation=chat, text="在吗")) == 2


def test_only_the_shops_inbox_staff_change_its_settings():
    shop = ShopFactory()
    with pytest.raises(PermissionDenied):
        services.chat_settings_update(user=UserFactory(), shop=shop, auto_reply="x")
    reply = services.quick_reply_add(user=agent_of(shop), shop=shop, text="亲，包邮哦")
    assert list(shop.quick_replies.values_list("text", flat=True)) == ["亲，包邮哦"]
    with pytest.raises(PermissionDenied):
        services.quick_reply_remove(user=UserFactory(), reply=reply)


def test_report_then_operator_removes_the_message():
    chat = conversation()
    [spam] = services.message_send(user=chat.shop.owner, conversation=chat, text="加微信 spam")
    with pytest.raises(ValidationFailed):
        services.message_report(user=chat.shop.owner, message=spam, reason="mine")
    report = services.message_report(user=chat.buyer, message=spam, reason="广告")
    with pytest.raises(Conflict):
        services.message_report(user=chat.buyer, message=spam, reason="again")
    operator = OperatorFactory()
    services.report_handle(operator=operator, report=report, remove=True)
    spam.refresh_from_db()
    assert spam.removed_at is not None
    assert report.state == ReportState.ACTIONED and report.handled_by == operator
    with pytest.raises(Conflict):
        services.report_handle(operator=operator, report=report, remove=False)
    # Removed messages are no longer found by search.
    assert not selectors.message_search(user=chat.buyer, query="spam").exists()


def test_search_finds_only_ones_own_conversations():
    mine = conversation()
    other = conversation()
    services.message_send(user=mine.buyer, conversation=mine, text="红木茶几多少钱")
    services.message_send(user=other.buyer, conversation=other, text="红木茶几")
    found = selectors.message_search(user=mine.buyer, query="茶几")
    assert [m.conversation_id for m in found] == [mine.pk]


def test_export_holds_every_message_of_the_users_conversations():
    chat = conversation()
    services.message_send(user=chat.buyer, conversation=chat, text="你好")
    services.message_send(user=chat.shop.owner, conversation=chat, text="您好")
    data = selectors.export_of(user=chat.buyer)
    [exported] = data["conversations"]
    assert [m["text"] for m in exported["messages"]] == ["你好", "您好"]
    assert [m["from"] for m in exported["messages"]] == ["buyer", "shop"]


def test_a_new_message_is_published_to_both_sides_after_commit(django_capture_on_commit_callbacks):
    """The buyer's group and the shop's group each get the message, told which side
    they are on."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from evillage.messaging.realtime import shop_group, user_group

    chat = conversation()
    layer = get_channel_layer()
    buyer_channel = async_to_sync(layer.new_channel)()
    shop_channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(chat.buyer_id), buyer_channel)
    async_to_sync(layer.group_add)(shop_group(chat.shop_id), shop_channel)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(user=chat.buyer, conversation=chat, text="<b>hi</b>")
    to_buyer = async_to_sync(layer.receive)(buyer_channel)["payload"]
    to_shop = async_to_sync(layer.receive)(shop_channel)["payload"]
    assert to_buyer["text"] == to_shop["text"] == "<b>hi</b>"
    assert (to_buyer["for_side"], to_shop["for_side"]) == ("buyer", "shop")


def test_a_socket_send_hands_its_events_to_the_event_loop(django_capture_on_commit_callbacks):
    """Inside a consumer's database work the events are collected, not sent (the database
    thread is not held by channel-layer round trips); `deliver` then sends them all."""
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from evillage.messaging.realtime import deferred_delivery, deliver, shop_group, user_group

    chat = conversation()
    layer = get_channel_layer()
    buyer_channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(chat.buyer_id), buyer_channel)
    with deferred_delivery() as events, django_capture_on_commit_callbacks(execute=True):
        services.message_send(user=chat.shop.owner, conversation=chat, text="发货了")

    async def nothing_yet():
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(buyer_channel), timeout=0.2)

    async_to_sync(nothing_yet)()
    assert [group for group, _ in events] == [
        user_group(chat.buyer_id),
        shop_group(chat.shop_id),
    ]
    async_to_sync(deliver)(events)
    assert async_to_sync(layer.receive)(buyer_channel)["payload"]["text"] == "发货了"
