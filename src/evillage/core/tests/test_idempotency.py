"""@idempotent API operations: one effect per key, retries replay the stored answer.

This module is also the URLconf of its tests: a small NinjaAPI whose operation creates
a Group row per run, so effects can be counted.
"""

import json
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI, Schema, Status

from evillage.accounts.api_auth import USER_AUTH
from evillage.accounts.services.tokens import api_token_create
from evillage.accounts.tests.factories import UserFactory
from evillage.core import idempotency
from evillage.core.api_schemas import ErrorOut
from evillage.core.errors import Conflict, DomainError
from evillage.core.idempotency import idempotency_purge_expired, idempotent
from evillage.core.models import IdempotencyKey

test_api = NinjaAPI(urls_namespace="test_idem")


@test_api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return test_api.create_response(request, exc.as_dict(), status=exc.status)


class EffectIn(Schema):
    name: str
    amount: int = 1
    refuse: bool = False
    sleep: float = 0


class EffectOut(Schema):
    id: int
    name: str
    attempt: int


runs: list[str] = []
_runs_lock = threading.Lock()


def _before_write() -> None:
    """Tests replace this to make the operation fail unexpectedly."""


@test_api.post(
    "/effects",
    auth=USER_AUTH,
    response={201: EffectOut, frozenset({400, 409, 422}): ErrorOut},
)
@idempotent
def effect_create(request, payload: EffectIn):
    with _runs_lock:
        runs.append(payload.name)
    if payload.refuse:
        raise Conflict("Refused.", code="refused")
    time.sleep(payload.sleep)
    _before_write()
    with transaction.atomic(durable=True):
        group = Group.objects.create(name=f"{payload.name}-{uuid.uuid4().hex[:12]}")
    return Status(
        201, {"id": group.pk, "name": payload.name, "attempt": request.idempotency_key.attempt}
    )


@test_api.post("/other-effects", auth=USER_AUTH, response={201: EffectOut})
@idempotent
def other_effect_create(request, payload: EffectIn):
    group = Group.objects.create(name=f"other-{uuid.uuid4().hex[:12]}")
    return Status(201, {"id": group.pk, "name": payload.name, "attempt": 1})


@test_api.post("/unavailable", auth=USER_AUTH, response={201: EffectOut, 503: ErrorOut})
@idempotent
def unavailable(request, payload: EffectIn):
    with _runs_lock:
        runs.append(payload.name)
    return Status(503, {"code": "provider_down", "message": "Try again later."})


urlpatterns = [path("api/", test_api.urls)]

URL = "/api/effects"


@pytest.fixture(autouse=True)
def _test_urls(settings):
    settings.ROOT_URLCONF = __name__
    runs.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def token(user):
    return api_token_create(user=user)[1]


def post(token, body, *, key="key-1", url=URL, client=None, raw=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key is not None:
        headers["Idempotency-Key"] = key
    return (client or Client()).post(
        url, raw if raw is not None else json.dumps(body), "application/json", headers=headers
    )


def effects(name="apples") -> int:
    return Group.objects.filter(name__startswith=f"{name}-").count()


def test_the_first_request_runs_the_operation_once_and_stores_its_answer(token):
    response = post(token, {"name": "apples"})

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert effects() == 1
    record = IdempotencyKey.objects.get()
    assert record.state == IdempotencyKey.State.COMPLETED
    assert record.response_status == 201
    assert json.loads(record.response_body) == response.json()


def test_a_retry_replays_the_same_answer_without_running_again(token):
    first = post(token, {"name": "apples", "amount": 3})

    retry = post(token, {"name": "apples", "amount": 3})

    assert retry.status_code == 201
    assert retry.content == first.content
    assert retry["Content-Type"] == first["Content-Type"]
    assert retry["Idempotent-Replayed"] == "true"
    assert runs == ["apples"]
    assert effects() == 1


def test_key_order_and_spacing_of_the_body_do_not_matter(token):
    post(token, None, raw='{"name": "apples", "amount": 3}')

    retry = post(token, None, raw='{ "amount":3,"name":"apples" }')

    assert retry["Idempotent-Replayed"] == "true"
    assert effects() == 1


def test_the_same_key_with_another_body_is_refused(token):
    post(token, {"name": "apples", "amount": 1})

    response = post(token, {"name": "apples", "amount": 2})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert runs == ["apples"]
    assert effects() == 1


def test_the_same_key_on_another_operation_is_refused(token):
    post(token, {"name": "apples"})

    response = post(token, {"name": "apples"}, url="/api/other-effects")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Group.objects.filter(name__startswith="other-").exists()


def test_a_request_without_a_key_is_refused_and_changes_nothing(token):
    response = post(token, {"name": "apples"}, key=None)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert runs == []
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["k" * 256, "tab\there", "键"])
def test_a_key_that_is_too_long_or_not_printable_ascii_is_refused(token, key):
    # The test client sends headers as given; a real HTTP server sees latin-1 text.
    response = post(token, {"name": "apples"}, key=key.encode().decode("latin-1"))

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert runs == []


def test_a_key_of_255_printable_characters_is_accepted(token):
    response = post(token, {"name": "apples"}, key="a b~" + "k" * 251)

    assert response.status_code == 201


def test_a_refusal_is_stored_and_replayed_like_any_answer(token):
    first = post(token, {"name": "apples", "refuse": True})

    retry = post(token, {"name": "apples", "refuse": True})

    assert first.status_code == 409
    assert first.json()["code"] == "refused"
    assert retry.status_code == 409
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert runs == ["apples"]


def test_an_unexpected_failure_frees_the_key_for_a_retry(token, monkeypatch):
    def boom():
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(f"{__name__}._before_write", boom)
    client = Client(raise_request_exception=False)

    failed = post(token, {"name": "apples"}, client=client)

    assert failed.status_code == 500
    assert not IdempotencyKey.objects.exists()
    monkeypatch.setattr(f"{__name__}._before_write", lambda: None)

    retry = post(token, {"name": "apples"})

    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert effects() == 1


def test_a_5xx_answer_is_not_stored_so_a_retry_runs_again(token):
    first = post(token, {"name": "apples"}, url="/api/unavailable")

    retry = post(token, {"name": "apples"}, url="/api/unavailable")

    assert first.status_code == retry.status_code == 503
    assert "Idempotent-Replayed" not in retry
    assert runs == ["apples", "apples"]
    assert not IdempotencyKey.objects.exists()


def test_keys_belong_to_one_user(token):
    other_token = api_token_create(user=UserFactory())[1]
    first = post(token, {"name": "apples"})

    other = post(other_token, {"name": "apples"})

    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert other.json()["id"] != first.json()["id"]
    assert effects() == 2


def test_a_session_user_is_served_like_a_token_user(user):
    client = Client()
    client.force_login(user)
    first = post(None, {"name": "apples"}, client=client)

    retry = post(None, {"name": "apples"}, client=client)

    assert first.status_code == 201
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.get().user == user


def test_an_anonymous_request_is_refused_before_any_key_is_taken(db):
    response = post(None, {"name": "apples"})

    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_an_invalid_body_takes_no_key_so_the_corrected_request_may_use_it(token):
    invalid = post(token, {"amount": 1})

    corrected = post(token, {"name": "apples", "amount": 1})

    assert invalid.status_code == 422
    assert corrected.status_code == 201


def _claim_in_progress(user, *, body, age=timedelta(0)):
    """A row as a request still running (or one that crashed `age` ago) leaves it."""
    from evillage.core.idempotency import request_fingerprint

    started = timezone.now() - age
    return IdempotencyKey.objects.create(
        user=user,
        key="key-1",
        scope=f"POST {URL.lstrip('/')}",
        fingerprint=request_fingerprint({"payload": EffectIn(**body)}),
        locked_at=started,
        created_at=started,
    )


def test_a_retry_while_the_first_request_runs_is_told_to_wait(user, token):
    _claim_in_progress(user, body={"name": "apples"})

    response = post(token, {"name": "apples"})

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert runs == []


def test_a_claim_left_by_a_crashed_request_is_taken_over_after_a_while(user, token):
    _claim_in_progress(
        user, body={"name": "apples"}, age=idempotency.STALE_AFTER + timedelta(seconds=1)
    )

    response = post(token, {"name": "apples"})

    assert response.status_code == 201
    # The operation learns that an earlier attempt may have left effects.
    assert response.json()["attempt"] == 2
    assert IdempotencyKey.objects.get().state == IdempotencyKey.State.COMPLETED


def test_of_two_retries_racing_for_a_stale_claim_only_one_wins(user):
    stale = _claim_in_progress(user, body={"name": "apples"}, age=timedelta(hours=1))
    seen_by_first, seen_by_second = (IdempotencyKey.objects.get(pk=stale.pk) for _ in range(2))
    now = timezone.now()

    assert idempotency._reclaim_stale(seen_by_first, now=now) is True
    assert idempotency._reclaim_stale(seen_by_second, now=now) is False
    assert IdempotencyKey.objects.get().attempt == 2


def test_purge_deletes_only_expired_keys(user, token):
    post(token, {"name": "apples"}, key="old")
    post(token, {"name": "apples"}, key="new")
    long_ago = timezone.now() - idempotency.KEY_TTL - timedelta(minutes=1)
    IdempotencyKey.objects.filter(key="old").update(created_at=long_ago)

    assert idempotency_purge_expired() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_an_expired_key_not_yet_purged_starts_afresh(token):
    post(token, {"name": "apples", "amount": 1})
    long_ago = timezone.now() - idempotency.KEY_TTL - timedelta(minutes=1)
    IdempotencyKey.objects.update(created_at=long_ago)

    response = post(token, {"name": "apples", "amount": 2})

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert effects() == 2


def test_the_header_is_documented_in_the_openapi_schema(db):
    schema = test_api.get_openapi_schema()

    parameters = schema["paths"]["/api/effects"]["post"]["parameters"]
    assert {"in": "header", "name": "Idempotency-Key"}.items() <= parameters[0].items()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_requests_with_one_key_have_exactly_one_effect():
    token = api_token_create(user=UserFactory())[1]
    threads_count = 10
    barrier = threading.Barrier(threads_count)
    responses = []

    def send():
        try:
            barrier.wait()
            response = post(token, {"name": "apples", "sleep": 0.3})
            responses.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert effects() == 1
    assert runs == ["apples"]
    stored = IdempotencyKey.objects.get().response_body.encode()
    assert len(responses) == threads_count
    for status, content in responses:
        assert (status, content) == (201, stored) or (
            status == 409 and json.loads(content)["code"] == "idempotency_in_progress"
        )
    assert sum(status == 201 for status, _ in responses) >= 1
