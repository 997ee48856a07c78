"""Receiving a provider's signed webhook: verify, log, and settle the payment exactly once.

A delivery is a JSON body plus the header ``Evillage-Signature: t=<unix time>,v1=<hex>``,
where v1 is HMAC-SHA256 over ``f"{t}.{body}"`` with the provider's webhook secret (several
v1 values are allowed, so a secret can be rotated). The body::

    {"id": "evt_…", "type": "payment.succeeded", "created": 1767225600,
     "payment_id": "<our payment public id>", "provider_ref": "…",
     "amount": 1250, "currency": "CNY"}

Checks, in order: known provider, signature (constant-time), timestamp within
WEBHOOK_TOLERANCE_SECONDS of now (the signature covers it, so an old delivery cannot be
re-dated), well-formed body, known payment of this provider, same amount and currency.
Every delivery is logged in WebhookDelivery with its outcome.

Exactly once: an accepted delivery's row is inserted in the same durable transaction as
the settlement it causes. The partial unique constraint on (provider, event_id) where the
outcome is "accepted" decides between two identical deliveries racing: the second INSERT
waits for the first transaction, then fails, and is logged as a duplicate. If settling
raises, the whole transaction (log row included) rolls back, the delivery is logged as an
error and answered 500 so that the provider retries later.
"""

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from evillage.payments.models import (
    Payment,
    PaymentMethod,
    PaymentState,
    WebhookDelivery,
    WebhookOutcome,
)
from evillage.payments.services.payments import settle_failed, settle_succeeded

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Evillage-Signature"
# Larger bodies are refused unread: no provider event is anywhere near this.
MAX_BODY_BYTES = 64 * 1024
_LOGGED_BODY_CHARS = WebhookDelivery._meta.get_field("body").max_length
_DETAIL_CHARS = WebhookDelivery._meta.get_field("detail").max_length
_EVENT_ID_CHARS = WebhookDelivery._meta.get_field("event_id").max_length

EVENT_SUCCEEDED = "payment.succeeded"
EVENT_FAILED = "payment.failed"
EVENT_ABANDONED = "payment.abandoned"
EVENT_TYPES = (EVENT_SUCCEEDED, EVENT_FAILED, EVENT_ABANDONED)

# outcome -> (HTTP status, error code, message); accepted and duplicate answer 200.
_REFUSALS = {
    WebhookOutcome.MALFORMED: (400, "malformed", "The event is not valid."),
    WebhookOutcome.BAD_SIGNATURE: (400, "bad_signature", "The signature does not match."),
    WebhookOutcome.STALE: (400, "stale", "The timestamp is outside the tolerance window."),
    WebhookOutcome.UNKNOWN_PAYMENT: (404, "unknown_payment", "No such payment."),
    WebhookOutcome.ERROR: (500, "processing_error", "The event could not be processed now."),
}


@dataclass(frozen=True, slots=True)
class WebhookResult:
    outcome: str
    status: int
    # For a refusal: a stable code and a message (the provider's operators read these).
    code: str
    message: str
    # Whether this delivery changed the payment (False for duplicates and late events).
    changed: bool = False
    payment: Payment | None = None


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    id: str
    type: str
    payment_id: str
    provider_ref: str
    amount: int
    currency: str


class _Refused(Exception):
    def __init__(self, outcome: str, detail: str, *, status: int | None = None, code: str = ""):
        super().__init__(detail)
        self.outcome, self.detail = outcome, detail
        self.status, self.code = status, code


def signature_header(*, body: bytes, secret: str, timestamp: int) -> str:
    """The header value a provider sends with `body` (used by the sandbox provider)."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def webhook_secret(provider: str) -> str:
    """The shared secret of a provider's webhooks; empty means none is configured."""
    secrets = {"sandbox": settings.SANDBOX_WEBHOOK_SECRET}
    return secrets.get(provider, "")


def webhook_receive(
    *,
    provider: str,
    body: bytes,
    signature: str,
    remote_addr: str = "",
    now: float | None = None,
) -> WebhookResult:
    """Verify and apply one webhook delivery; never raises for anything the caller sent.

    Must run outside any transaction (it opens a durable one). `now` is for tests.
    """
    now = time.time() if now is None else now
    log = _DeliveryLog(provider=provider, body=body, remote_addr=remote_addr)
    try:
        event = _verify(provider=provider, body=body, signature=signature, now=now, log=log)
        log.event_id = event.id
        payment = _payment_for(provider=provider, event=event, log=log)
    except _Refused as refusal:
        log.write(refusal.outcome, refusal.detail)
        status, code, message = _REFUSALS[refusal.outcome]
        return WebhookResult(
            outcome=refusal.outcome,
            status=refusal.status or status,
            code=refusal.code or code,
            message=refusal.detail or message,
        )
    return _apply(event=event, payment=payment, provider=provider, log=log)


def _verify(
    *, provider: str, body: bytes, signature: str, now: float, log: "_DeliveryLog"
) -> WebhookEvent:
    if provider not in settings.PAYMENT_PROVIDERS:
        raise _Refused(
            WebhookOutcome.MALFORMED, "unknown provider", status=404, code="unknown_provider"
        )
    if len(body) > MAX_BODY_BYTES:
        raise _Refused(WebhookOutcome.MALFORMED, "body too large")
    # For the log only, before anything is trusted: which event the sender claims.
    log.event_id = _claimed_event_id(body)
    timestamp, candidates = _parse_signature(signature)
    secret = webhook_secret(provider)
    if timestamp is None or not candidates:
        raise _Refused(WebhookOutcome.BAD_SIGNATURE, "missing or unreadable signature header")
    if not secret:
        raise _Refused(WebhookOutcome.BAD_SIGNATURE, "no webhook secret configured")
    expected = _digest(secret, timestamp, body).encode()
    # Compare against every candidate, without stopping early, in constant time each.
    matches = [hmac.compare_digest(expected, candidate) for candidate in candidates]
    if not any(matches):
        raise _Refused(WebhookOutcome.BAD_SIGNATURE, "signature does not match")
    if abs(now - timestamp) > settings.WEBHOOK_TOLERANCE_SECONDS:
        raise _Refused(WebhookOutcome.STALE, "timestamp outside the tolerance window")
    return _parse_event(body)


def _payment_for(*, provider: str, event: WebhookEvent, log: "_DeliveryLog") -> Payment:
    payment = Payment.objects.filter(
        public_id=event.payment_id, provider=provider, method=PaymentMethod.PROVIDER
    ).first()
    if payment is None:
        raise _Refused(WebhookOutcome.UNKNOWN_PAYMENT, "no such payment of this provider")
    log.payment = payment
    if event.amount != payment.amount or event.currency != payment.currency:
        raise _Refused(
            WebhookOutcome.MALFORMED,
            f"amount {event.amount} {event.currency} does not match the payment's "
            f"{payment.amount} {payment.currency}",
            code="amount_mismatch",
        )
    return payment


def _apply(
    *, event: WebhookEvent, payment: Payment, provider: str, log: "_DeliveryLog"
) -> WebhookResult:
    duplicate = WebhookResult(
        outcome=WebhookOutcome.DUPLICATE,
        status=200,
        code="duplicate",
        message="This event was already processed; nothing changed.",
        payment=payment,
    )
    accepted_before = WebhookDelivery.objects.filter(
        provider=provider, event_id=event.id, outcome=WebhookOutcome.ACCEPTED
    )
    if accepted_before.exists():
        log.write(WebhookOutcome.DUPLICATE, "event already accepted")
        return duplicate
    reason = f"webhook {provider} {event.id}"
    try:
        with transaction.atomic(durable=True):
            try:
                # A savepoint: a losing race fails here and the transaction goes on clean.
                with transaction.atomic():
                    delivery = log.write(WebhookOutcome.ACCEPTED, "")
            except IntegrityError:
                changed = None
            else:
                if event.type == EVENT_SUCCEEDED:
                    changed = settle_succeeded(
                        payment_id=payment.pk, provider_ref=event.provider_ref, reason=reason
                    )
                else:
                    state = (
                        PaymentState.ABANDONED
                        if event.type == EVENT_ABANDONED
                        else PaymentState.FAILED
                    )
                    changed = settle_failed(payment_id=payment.pk, state=state, reason=reason)
                if not changed:
                    delivery.detail = _no_change_detail(event=event, payment=payment)
                    delivery.save(update_fields=["detail"])
    except Exception as exc:
        logger.exception("Webhook %s %s could not be processed.", provider, event.id)
        log.write(WebhookOutcome.ERROR, f"{type(exc).__name__}: {exc}")
        status, code, message = _REFUSALS[WebhookOutcome.ERROR]
        return WebhookResult(
            outcome=WebhookOutcome.ERROR, status=status, code=code, message=message
        )
    if changed is None:
        log.write(WebhookOutcome.DUPLICATE, "event accepted concurrently")
        return duplicate
    payment.refresh_from_db()
    return WebhookResult(
        outcome=WebhookOutcome.ACCEPTED,
        status=200,
        code="accepted",
        message="Applied." if changed else "Accepted; the payment was already settled.",
        changed=changed,
        payment=payment,
    )


def _no_change_detail(*, event: WebhookEvent, payment: Payment) -> str:
    payment.refresh_from_db(fields=["state"])
    if event.type == EVENT_SUCCEEDED and payment.state != PaymentState.SUCCEEDED:
        # The provider took the money but we had given up on the payment: an operator
        # must refund it at the provider.
        logger.error(
            "Payment %s succeeded at the provider after it was %s: refund it.",
            payment.public_id,
            payment.state,
        )
        return f"late success of a {payment.state} payment: refund at the provider"
    return f"no change: the payment is already {payment.state}"


class _DeliveryLog:
    """Collects what is known about a delivery and writes its WebhookDelivery row."""

    def __init__(self, *, provider: str, body: bytes, remote_addr: str) -> None:
        self.provider = provider[: WebhookDelivery._meta.get_field("provider").max_length]
        self.body = _printable(body.decode("utf-8", "replace"), _LOGGED_BODY_CHARS)
        self.remote_addr = (remote_addr or "")[:45]
        self.event_id = ""
        self.payment: Payment | None = None

    def write(self, outcome: str, detail: str) -> WebhookDelivery:
        return WebhookDelivery.objects.create(
            provider=self.provider,
            event_id=self.event_id,
            outcome=outcome,
            payment=self.payment,
            remote_addr=self.remote_addr,
            body=self.body,
            detail=_printable(detail, _DETAIL_CHARS),
        )


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _parse_signature(header: str) -> tuple[int | None, list[bytes]]:
    """'t=1767225600,v1=ab12…[,v1=…]' -> (timestamp, [candidate digests])."""
    timestamp: int | None = None
    candidates: list[bytes] = []
    for item in header.split(",")[:10]:
        name, _sep, value = item.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value.encode("utf-8", "replace"))
    return timestamp, candidates


def _claimed_event_id(body: bytes) -> str:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    event_id = data.get("id") if isinstance(data, dict) else None
    return _printable(event_id, _EVENT_ID_CHARS) if isinstance(event_id, str) else ""


def _parse_event(body: bytes) -> WebhookEvent:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _Refused(WebhookOutcome.MALFORMED, "body is not JSON") from None
    if not isinstance(data, dict):
        raise _Refused(WebhookOutcome.MALFORMED, "body is not a JSON object")
    event_id = _text(data, "id", 1, _EVENT_ID_CHARS)
    kind = _text(data, "type", 1, 40)
    if kind not in EVENT_TYPES:
        raise _Refused(WebhookOutcome.MALFORMED, "unknown event type")
    amount = data.get("amount")
    if type(amount) is not int:
        raise _Refused(WebhookOutcome.MALFORMED, "amount must be an integer")
    return WebhookEvent(
        id=event_id,
        type=kind,
        payment_id=_text(data, "payment_id", 1, 40),
        provider_ref=_text(data, "provider_ref", 0, 80),
        amount=amount,
        currency=_text(data, "currency", 3, 3),
    )


def _text(data: dict[str, Any], key: str, shortest: int, longest: int) -> str:
    value = data.get(key, "" if shortest == 0 else None)
    if not isinstance(value, str) or not shortest <= len(value) <= longest:
        raise _Refused(WebhookOutcome.MALFORMED, f"{key} must be text of {shortest}-{longest}")
    if not value.isprintable():
        raise _Refused(WebhookOutcome.MALFORMED, f"{key} has control characters")
    return value


def _printable(text: str, limit: int | None) -> str:
    """PostgreSQL text cannot hold NUL; and a log line is cut, never refused."""
    return text.replace("\x00", "\ufffd")[:limit]


def event_body(event: dict[str, Any]) -> bytes:
    """Canonical JSON bytes of an event (what the sandbox provider sends)."""
    return json.dumps(event, separators=(",", ":"), sort_keys=True).encode()
