"""Operators can look up idempotency keys in the admin, but not edit them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.core.models import IdempotencyKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    now = timezone.now()
    return IdempotencyKey.objects.create(
        user=UserFactory(),
        key="order-7f3a",
        scope="POST api/orders",
        fingerprint="0" * 64,
        state=IdempotencyKey.State.COMPLETED,
        response_status=201,
        response_body='{"id": "o_1"}',
        locked_at=now,
        created_at=now,
        completed_at=now,
    )


def test_an_operator_finds_a_key_and_sees_its_stored_answer(client, record):
    client.force_login(OperatorFactory())

    listing = client.get(reverse("admin:core_idempotencykey_changelist"), {"q": "7f3a"})
    detail = client.get(reverse("admin:core_idempotencykey_change", args=[record.pk]))

    assert listing.status_code == 200
    assert "order-7f3a" in listing.content.decode()
    assert detail.status_code == 200
    assert "o_1" in detail.content.decode()
    assert b'name="_save"' not in detail.content


def test_keys_cannot_be_added_in_the_admin(client):
    client.force_login(OperatorFactory())

    response = client.get(reverse("admin:core_idempotencykey_add"))

    assert response.status_code == 403
