"""Stripe-style idempotency keys for API operations that move money.

Put ``@idempotent`` under the router decorator of an operation that needs a user::

    @router.post("/orders/{order_id}/pay", auth=USER_AUTH, response={...})
    @idempotent
    def order_pay(request, order_id: str, payload: PayIn): ...

The client sends ``Idempotency-Key: <1 to 255 printable ASCII characters>``, unique per
user. The first request claims the key and runs the operation; its answer (status and
JSON text) is stored. A retry with the same key and the same parameters gets that answer
again, byte for byte, with ``Idempotent-Replayed: true``, and the operation does not run.
The same key with other parameters, or on another operation, is refused (422
``idempotency_key_reused``); a retry while the first request still runs gets 409
``idempotency_in_progress``. Requests that fail authentication or validation never reach
the operation and touch no key.

Outcomes: an answer (any status below 500) and a DomainError (a clean refusal) are
stored, so retries see the same error. An unexpected exception, or a 5xx answer, frees the
key so that the client may retry.

Transactions: the claim is an INSERT in its own durable transaction, committed before
the operation runs, so a concurrent request sees it (on PostgreSQL the second INSERT
waits for the first to commit, then fails on the unique constraint). The operation then
runs its own transactions: nothing of ours is open, so ``atomic(durable=True)`` works
inside it (and an operation under ATOMIC_REQUESTS fails loudly at the claim). Storing the
answer is one UPDATE afterwards.

The crash window: if the process dies after the operation committed and before the
answer is stored, the key stays "in progress" although the effects exist. Retries get 409
until the claim is STALE_AFTER old; then exactly one retry takes it over (a conditional
UPDATE on ``attempt``) and runs the operation again, with
``request.idempotency_key.attempt > 1``. An operation whose effects must not happen twice
therefore has to recognise its own earlier effects: stamp what it writes with the key
(e.g. a unique (user, idempotency key) column on the order or transfer) and answer from
it when it finds it. A single-transaction operation that stamps its rows this way is
exactly-once.
"""

import functools
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback
from pydantic_core import to_jsonable_python

from evillage.core.errors import Conflict, DomainError, ValidationFailed
from evillage.core.models import IdempotencyKey

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_LENGTH = 255
# Keys older than this may be purged (idempotency_purge_expired) and are reusable.
KEY_TTL = timedelta(hours=24)
# An in-progress claim older than this is taken to be left by a crashed request.
STALE_AFTER = timedelta(minutes=5)
_ATTEMPTS = 3


class IdempotencyKeyReused(DomainError):
    status = 422
    default_code = "idempotency_key_reused"


@dataclass
class _Claim:
    record: IdempotencyKey
    # The operation returned or refused cleanly: its answer is to be stored.
    finished: bool = False


def idempotent(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Make a Django Ninja operation idempotent per user and `Idempotency-Key` header.

    Sets ``request.idempotency_key`` (the claimed IdempotencyKey) for the operation.
    """

    @functools.wraps(view_func)
    def claimed(request: HttpRequest, **values: Any) -> Any:
        user = request.auth
        if not isinstance(user, get_user_model()):
            raise TypeError("@idempotent operations need auth=USER_AUTH.")
        record, owned = _claim(
            user=user,
            key=_header_key(request),
            scope=_scope(request),
            fingerprint=request_fingerprint(values),
        )
        if not owned:
            return _replay(record)
        claim = _Claim(record)
        request._idempotency_claim = claim
        request.idempotency_key = record
        try:
            result = view_func(request, **values)
        except DomainError:
            claim.finished = True
            raise
        except Exception:
            request._idempotency_claim = None
            _release(record)
            raise
        claim.finished = True
        return result

    # functools.wraps shares the wrapped function's callback list: give ours its own.
    claimed._ninja_contribute_to_operation = list(
        getattr(view_func, "_ninja_contribute_to_operation", [])
    )
    contribute_operation_callback(claimed, _document_header)
    return decorate_view(_store_answer)(claimed)


def request_fingerprint(values: dict[str, Any]) -> str:
    """SHA-256 of the validated parameters (path, query, body) as canonical JSON.

    Validated values, not the raw body: fields the operation ignores do not count, and
    key order and spacing do not matter.
    """
    data = {
        name: value for name, value in values.items() if not isinstance(value, HttpResponseBase)
    }
    text = json.dumps(to_jsonable_python(data), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def idempotency_purge_expired(*, now: datetime | None = None) -> int:
    """Delete keys older than KEY_TTL; return how many went. Safe to run at any time."""
    cutoff = (now or timezone.now()) - KEY_TTL
    deleted, _counts = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _header_key(request: HttpRequest) -> str:
    key = request.headers.get(HEADER, "")
    if not key:
        raise ValidationFailed(
            _("Send an Idempotency-Key header: a unique value for this operation."),
            code="idempotency_key_required",
        )
    if len(key) > KEY_MAX_LENGTH or not all(" " <= char <= "~" for char in key):
        raise ValidationFailed(
            _("The Idempotency-Key must be 1 to 255 printable ASCII characters."),
            code="idempotency_key_invalid",
        )
    return key


def _scope(request: HttpRequest) -> str:
    match = request.resolver_match
    route = match.route if match is not None else request.path
    return f"{request.method} {route}"[:255]


def _claim(*, user: Any, key: str, scope: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """The key's row, and whether this request owns it (True: run the operation;
    False: the row is completed, replay it). Raises when the key is in use or reused."""
    for _attempt in range(_ATTEMPTS):
        now = timezone.now()
        try:
            with transaction.atomic(durable=True):
                record = IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    scope=scope,
                    fingerprint=fingerprint,
                    locked_at=now,
                    created_at=now,
                )
            return record, True
        except IntegrityError:
            pass
        record = IdempotencyKey.objects.filter(user=user, key=key).first()
        if record is None:
            continue  # freed since our INSERT failed
        if record.created_at < now - KEY_TTL:
            # Expired but not purged yet: the key starts afresh.
            IdempotencyKey.objects.filter(pk=record.pk, attempt=record.attempt).delete()
            continue
        if record.scope != scope or record.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                _(
                    "This Idempotency-Key was used for a different request. "
                    "Use a new key for a new request."
                )
            )
        if record.state == IdempotencyKey.State.COMPLETED:
            return record, False
        if record.locked_at < now - STALE_AFTER and _reclaim_stale(record, now=now):
            return record, True
        break
    raise Conflict(
        _("A request with this Idempotency-Key is still in progress. Retry later."),
        code="idempotency_in_progress",
    )


def _reclaim_stale(record: IdempotencyKey, *, now: datetime) -> bool:
    """Take over a claim left by a crashed request. One conditional UPDATE: of several
    retries that race here, exactly one changes the row."""
    taken = IdempotencyKey.objects.filter(
        pk=record.pk, state=IdempotencyKey.State.IN_PROGRESS, attempt=record.attempt
    ).update(attempt=F("attempt") + 1, locked_at=now)
    if taken:
        logger.warning("Idempotency key %s taken over after a stale claim.", record.pk)
        record.attempt += 1
        record.locked_at = now
    return bool(taken)


def _release(record: IdempotencyKey) -> None:
    """Let the client retry after an unexpected failure. A first attempt wrote nothing
    that counts, so its row goes; a takeover's row stays (its `attempt` tells the next try
    that an earlier one may have left effects) but becomes stale at once."""
    mine = IdempotencyKey.objects.filter(
        pk=record.pk, state=IdempotencyKey.State.IN_PROGRESS, attempt=record.attempt
    )
    try:
        if record.attempt == 1:
            mine.delete()
        else:
            mine.update(locked_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))
    except DatabaseError:
        # The original failure matters more; the claim goes stale after STALE_AFTER.
        logger.exception("Could not release idempotency key %s.", record.pk)


def _store_answer(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wraps the operation's `run`, which turns the result into the final response."""

    @functools.wraps(run)
    def run_and_store(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = run(request, *args, **kwargs)
        claim = getattr(request, "_idempotency_claim", None)
        if claim is not None and claim.finished:
            if response.status_code >= 500:
                _release(claim.record)
            else:
                _complete(claim.record, response)
        return response

    return run_and_store


def _complete(record: IdempotencyKey, response: HttpResponseBase) -> None:
    if response.streaming:
        raise TypeError("@idempotent operations must answer JSON, not a stream.")
    stored = IdempotencyKey.objects.filter(
        pk=record.pk, state=IdempotencyKey.State.IN_PROGRESS, attempt=record.attempt
    ).update(
        state=IdempotencyKey.State.COMPLETED,
        response_status=response.status_code,
        response_content_type=response.get("Content-Type", ""),
        response_body=response.content.decode(response.charset),
        completed_at=timezone.now(),
    )
    if not stored:
        # A slow request outlived STALE_AFTER and a retry took its claim over.
        logger.warning("Idempotency key %s was taken over before it completed.", record.pk)


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        record.response_body,
        status=record.response_status,
        content_type=record.response_content_type or None,
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _document_header(operation: Any) -> None:
    """Show the required header in the OpenAPI document."""
    extra = operation.openapi_extra or {}
    extra.setdefault("parameters", []).append(
        {
            "in": "header",
            "name": HEADER,
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH},
            "description": "A unique value per operation; a retry with the same key and "
            "body returns the first answer (header Idempotent-Replayed: true).",
        }
    )
    operation.openapi_extra = extra
