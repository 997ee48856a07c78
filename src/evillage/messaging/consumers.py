"""The messenger's WebSocket: one connection per browser tab (or API client).

Client → server: {"type": "send", "conversation": id, "text": ..., "ref": any}
                 {"type": "read", "conversation": id}
                 {"type": "ping"}
Server → client: {"type": "message", ...} (see realtime.message_payload),
                 {"type": "read", "conversation": id, "side": ..., "seq": n},
                 {"type": "sent", "ref": ..., "id": ...}, {"type": "error", "ref": ...,
                 "code": ..., "message": ...}, {"type": "pong"}.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from evillage.core.errors import DomainError, NotFound
from evillage.messaging import services
from evillage.messaging.realtime import (
    Event,
    deferred_delivery,
    deliver,
    shop_group,
    user_group,
)
from evillage.messaging.selectors import conversation_for, inbox_shop_ids

# Close codes in the application range (4000-4999): the client should not retry blindly.
CLOSE_UNAUTHENTICATED = 4401


@database_sync_to_async
def _shop_ids(user) -> frozenset[int]:
    return inbox_shop_ids(user=user)


@database_sync_to_async
def _seen(shop_ids: frozenset[int]) -> None:
    for shop_id in shop_ids:
        services.staff_seen(shop_id=shop_id)


@database_sync_to_async
def _send(user, conversation_id: str, text: str) -> tuple[str, list[Event]]:
    """Store the message; return its id and the events to deliver from the event loop."""
    # Errors in the user's own language (no LocaleMiddleware on a socket).
    with translation.override(user.language or settings.LANGUAGE_CODE), deferred_delivery() as out:
        seen = conversation_for(user=user, public_id=conversation_id)
        if seen is None:
            raise NotFound(_("Conversation not found."), code="conversation_not_found")
        created = services.message_send(user=user, conversation=seen.conversation, text=text)
    return created[0].public_id, out


@database_sync_to_async
def _read(user, conversation_id: str) -> list[Event]:
    with deferred_delivery() as out:
        seen = conversation_for(user=user, public_id=conversation_id)
        if seen is not None:
            services.conversation_mark_read(user=user, conversation=seen.conversation)
    return out


class MessengerConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.shop_ids = await _shop_ids(user)
        self.groups_joined = [user_group(user.pk), *(shop_group(s) for s in self.shop_ids)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        if self.shop_ids:
            await _seen(self.shop_ids)

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict):
            await self.send_json(
                {"type": "error", "code": "bad_request", "message": "Send a JSON object."}
            )
            return
        kind = content.get("type")
        ref = content.get("ref")
        if kind == "ping":
            if self.shop_ids:
                await _seen(self.shop_ids)
            await self.send_json({"type": "pong"})
        elif kind == "send":
            try:
                message_id, events = await _send(
                    self.user, str(content.get("conversation", "")), str(content.get("text", ""))
                )
            except DomainError as exc:
                await self.send_json({"type": "error", "ref": ref, **exc.as_dict()})
            else:
                await deliver(events)
                await self.send_json({"type": "sent", "ref": ref, "id": message_id})
        elif kind == "read":
            await deliver(await _read(self.user, str(content.get("conversation", ""))))
        else:
            await self.send_json(
                {"type": "error", "ref": ref, "code": "bad_request", "message": "Unknown type."}
            )

    async def decode_json(self, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def chat_event(self, event) -> None:
        await self.send_json(event["payload"])
