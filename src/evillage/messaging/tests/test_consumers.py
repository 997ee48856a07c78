"""The messenger's WebSocket, driven by Channels' communicator through the real ASGI
application (authentication included): on the in-memory layer, and on Redis when
REDIS_URL is set (marked `redis`, run by CI)."""

import os

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from evillage.accounts.services.tokens import api_token_create
from evillage.accounts.tests.factories import UserFactory
from evillage.asgi import application
from evillage.messaging.tests.factories import agent_of, conversation

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TIMEOUT = 5


def _client(user=None, *, token: str | None = None, origin: bytes | None = None):
    headers = []
    if user is not None:
        token = api_token_create(user=user, name="ws")[1]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if origin is not None:
        headers.append((b"origin", origin))
    return WebsocketCommunicator(application, "/ws/messenger/", headers=headers)


async def _connect(communicator) -> None:
    connected, _code = await communicator.connect(timeout=TIMEOUT)
    assert connected


def _chat_round_trip() -> None:
    chat = conversation()
    agent = agent_of(chat.shop)
    stranger = UserFactory()
    clients = {"buyer": _client(chat.buyer), "agent": _client(agent), "stranger": _client(stranger)}

    async def scenario():
        for client in clients.values():
            await _connect(client)
        await clients["buyer"].send_json_to(
            {"type": "send", "conversation": chat.public_id, "text": "<img src=x>有货吗", "ref": 7}
        )
        # The sender gets an acknowledgement and, like every tab of theirs, the message.
        replies = [await clients["buyer"].receive_json_from(TIMEOUT) for _ in range(2)]
        assert {r["type"] for r in replies} == {"sent", "message"}
        assert next(r for r in replies if r["type"] == "sent")["ref"] == 7
        seen = await clients["agent"].receive_json_from(TIMEOUT)
        assert seen["type"] == "message" and seen["text"] == "<img src=x>有货吗"
        assert seen["side"] == "buyer" and seen["for_side"] == "shop"
        # The agent opens the conversation (read receipt), then answers.
        await clients["agent"].send_json_to({"type": "read", "conversation": chat.public_id})
        receipt = await clients["buyer"].receive_json_from(TIMEOUT)
        assert receipt == {
            "type": "read",
            "conversation": chat.public_id,
            "side": "shop",
            "seq": 1,
            "for_side": "buyer",
        }
        await clients["agent"].send_json_to(
            {"type": "send", "conversation": chat.public_id, "text": "有的"}
        )
        answer = await clients["buyer"].receive_json_from(TIMEOUT)
        assert answer["text"] == "有的" and answer["side"] == "shop"
        # Somebody else's connection receives nothing of it.
        assert await clients["stranger"].receive_nothing(timeout=0.3)
        for client in clients.values():
            await client.disconnect()

    async_to_sync(scenario)()


@TRANSACTIONAL
def test_buyer_and_agent_talk_in_real_time_in_memory(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    _chat_round_trip()


@pytest.mark.redis
@pytest.mark.parametrize(
    "backend",
    ["channels_redis.pubsub.RedisPubSubChannelLayer", "channels_redis.core.RedisChannelLayer"],
)
@TRANSACTIONAL
def test_buyer_and_agent_talk_in_real_time_on_redis(settings, backend):
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must run this with REDIS_URL set (.ci/run does)")
        pytest.skip("REDIS_URL is not set")
    host = {"address": url, "socket_timeout": None, "max_connections": 1000}
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": backend,
            "CONFIG": {"hosts": [host], "prefix": f"evillage-test-{os.getpid()}"},
        }
    }
    _chat_round_trip()


@TRANSACTIONAL
def test_errors_come_back_on_the_socket_and_nothing_is_stored():
    chat = conversation()
    client = _client(chat.buyer)

    async def scenario():
        await _connect(client)
        await client.send_json_to({"type": "send", "conversation": chat.public_id, "text": " "})
        error = await client.receive_json_from(TIMEOUT)
        assert error["type"] == "error" and error["code"] == "message_empty"
        await client.send_json_to({"type": "send", "conversation": "nope", "text": "hi"})
        error = await client.receive_json_from(TIMEOUT)
        assert error["code"] == "conversation_not_found"
        await client.send_to(text_data="not json")
        error = await client.receive_json_from(TIMEOUT)
        assert error["code"] == "bad_request"
        await client.disconnect()

    async_to_sync(scenario)()
    assert not chat.messages.exists()


@TRANSACTIONAL
def test_anonymous_and_bad_tokens_are_turned_away():
    async def scenario():
        for client in (_client(token="wrong"), _client(origin=b"http://evil.example")):
            connected, _code = await client.connect(timeout=TIMEOUT)
            assert not connected
            await client.disconnect()

    async_to_sync(scenario)()
