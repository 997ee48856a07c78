"""Several people writing into one conversation at once (PostgreSQL, real threads):
every message gets its own place, and the counters add up."""

import threading

import pytest
from django.db import connection

from evillage.messaging.models import Conversation
from evillage.messaging.services import message_send
from evillage.messaging.tests.factories import agent_of, conversation

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PER_WRITER = 5


def test_concurrent_senders_get_distinct_seqs_and_exact_unread_counts():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    chat = conversation()
    writers = [chat.buyer, chat.buyer, agent_of(chat.shop), agent_of(chat.shop)]
    start = threading.Barrier(len(writers))
    errors = []

    def write(user):
        from django.db import connections

        try:
            start.wait()
            for n in range(PER_WRITER):
                message_send(user=user, conversation=chat, text=f"{user.pk}-{n}")
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(user,)) for user in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    chat = Conversation.objects.get(pk=chat.pk)
    seqs = list(chat.messages.values_list("seq", flat=True))
    assert seqs == list(range(1, 4 * PER_WRITER + 1))
    assert chat.last_seq == 4 * PER_WRITER
    # Each side's unread count is the other side's messages after its own last message.
    ordered = list(chat.messages.values_list("side", flat=True))
    last_buyer = max(i for i, side in enumerate(ordered) if side == "buyer")
    last_shop = max(i for i, side in enumerate(ordered) if side == "shop")
    assert chat.shop_unread == sum(1 for side in ordered[last_shop + 1 :] if side == "buyer")
    assert chat.buyer_unread == sum(1 for side in ordered[last_buyer + 1 :] if side == "shop")
