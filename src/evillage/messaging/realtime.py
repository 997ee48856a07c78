"""Realtime delivery: after a write commits, tell both sides through the channel layer.

Each connected user joins a group of their own and one per shop inbox they share, so a
message reaches the buyer's every tab and every service agent of the shop. The layer is
in-memory in one process by default and Redis when `REDIS_URL` is set (settings).
"""

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from evillage.messaging.models import Conversation, Message, MessageKind, Side

log = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"chat.user.{user_id}"


def shop_group(shop_id: int) -> str:
    return f"chat.shop.{shop_id}"


def image_url(message: Message) -> str:
    if not message.image:
        return ""
    return reverse("messaging:image", kwargs={"name": message.image.name})


def message_payload(message: Message) -> dict:
    """What a client needs to show a message; the text is sent raw and must be escaped by
    whoever displays it (the page script sets textContent, never innerHTML)."""
    conversation = message.conversation
    payload = {
        "type": "message",
        "conversation": conversation.public_id,
        "shop": conversation.shop.name,
        "buyer": conversation.buyer.public_name,
        "id": message.public_id,
        "seq": message.seq,
        "side": str(message.side),
        "kind": str(message.kind),
        "text": message.text,
        "image": image_url(message),
        "auto_reply": message.is_auto_reply,
        "sender": message.sender.public_name if message.sender_id else "",
        "at": message.created_at.isoformat(),
        "at_label": date_format(localtime(message.created_at), "SHORT_DATETIME_FORMAT"),
    }
    if message.kind == MessageKind.PRODUCT and message.product_id:
        product = message.product
        payload["card"] = {
            "title": product.title,
            "url": reverse("catalog:product", kwargs={"public_id": product.public_id}),
        }
    if message.kind == MessageKind.ORDER and message.order_id:
        order = message.order
        payload["card"] = {
            "title": order.public_id,
            "state": order.get_state_display(),
            "url": reverse("orders:detail", kwargs={"public_id": order.public_id}),
        }
    return payload


Event = tuple[str, dict]  # (group, channel-layer message)

# Set by a consumer around its database work: events are collected, not sent (below).
_outbox: ContextVar[list[Event] | None] = ContextVar("messenger_outbox", default=None)


@contextmanager
def deferred_delivery() -> Iterator[list[Event]]:
    """Collect the events published inside the block instead of sending them.

    A consumer's database work runs on the process's one database thread; sending from
    there would hold that thread for every channel-layer round trip (two per message, to
    Redis when it is the layer). The consumer sends the collected events with `deliver`
    from the event loop instead, and the thread takes the next message at once.
    """
    box: list[Event] = []
    token = _outbox.set(box)
    try:
        yield box
    finally:
        _outbox.reset(token)


async def deliver(events: list[Event]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group, event in events:
        try:
            await layer.group_send(group, event)
        except Exception:  # delivery is best effort; the message is stored
            log.exception("could not publish to %s", group)


def _send(groups: list[str], payload: dict) -> None:
    """Send to the buyer's group and the shop's group, each told which side it is on."""
    events = [
        (group, {"type": "chat.event", "payload": {**payload, "for_side": str(side)}})
        for group, side in zip(groups, (Side.BUYER, Side.SHOP), strict=True)
    ]
    box = _outbox.get()
    if box is not None:
        box.extend(events)
        return
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for group, event in events:
        try:
            send(group, event)
        except Exception:  # delivery is best effort; the message is stored
            log.exception("could not publish to %s", group)


def _groups(conversation: Conversation) -> list[str]:
    """The buyer's group, then the shop's (the order _send relies on)."""
    return [user_group(conversation.buyer_id), shop_group(conversation.shop_id)]


def publish_messages(messages: list[Message]) -> None:
    """After commit, push each new message to both sides."""
    for message in messages:
        payload = message_payload(message)
        transaction.on_commit(
            functools.partial(_send, _groups(message.conversation), payload), robust=True
        )


def publish_read(*, conversation: Conversation, side: str, seq: int) -> None:
    """After commit, tell both sides that `side` has read up to `seq` (read receipts)."""
    payload = {
        "type": "read",
        "conversation": conversation.public_id,
        "side": str(side),
        "seq": seq,
    }
    transaction.on_commit(functools.partial(_send, _groups(conversation), payload), robust=True)
