"""The webhook receiver: only authentic, fresh, first-time events about known payments
change anything, and every delivery is logged with its outcome."""

import time

import pytest
from django.test import Client

from evillage.payments.models import PaymentState, WebhookDelivery, WebhookOutcome
from evillage.payments.services import payments as payment_services
from evillage.payments.services import topup_start, webhook_receive
from evillage.payments.tests.conftest import (
    WEBHOOK_URL,
    assert_books_balance,
    sandbox_event,
    sign,
    wallet_balance,
)

pytestmark = pytest.mark.django_db


def deliver(body: bytes, signature: str | None, *, url: str = WEBHOOK_URL):
    # A provider has no session and no CSRF token: the endpoint must not need them.
    headers = {} if signature is None else {"Evillage-Signature": signature}
    return Client(enforce_csrf_checks=True).post(
        url, body, content_type="application/json", headers=headers
    )


def outcomes() -> list[str]:
    return list(WebhookDelivery.objects.order_by("id").values_list("outcome", flat=True))


def test_a_signed_success_event_settles_the_top_up_and_fills_the_wallet(payer, topup):
    body = sandbox_event(topup)

    response = deliver(body, sign(body))

    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    topup.refresh_from_db()
    assert topup.state == PaymentState.SUCCEEDED
    assert topup.provider_ref == f"sbx_{topup.public_id}"
    assert wallet_balance(payer) == 2500
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.event_id, delivery.payment) == ("accepted", "evt_1", topup)
    assert_books_balance()


@pytest.mark.parametrize(
    ("event_type", "state"),
    [("payment.failed", PaymentState.FAILED), ("payment.abandoned", PaymentState.ABANDONED)],
)
def test_failed_and_abandoned_events_close_the_payment_without_money(
    payer, topup, event_type, state
):
    body = sandbox_event(topup, type=event_type)

    response = deliver(body, sign(body))

    assert response.status_code == 200
    topup.refresh_from_db()
    assert topup.state == state
    assert wallet_balance(payer) == 0
    assert list(topup.events.values_list("to_state", flat=True)) == ["pending", state]


def test_a_tampered_body_is_refused(payer, topup):
    signature = sign(sandbox_event(topup))
    tampered = sandbox_event(topup, amount=999_999)

    response = deliver(tampered, signature)

    assert response.status_code == 400
    assert response.json()["code"] == "bad_signature"
    topup.refresh_from_db()
    assert topup.state == PaymentState.PENDING
    assert outcomes() == ["bad_signature"]


def test_a_signature_made_with_another_secret_is_refused(payer, topup):
    body = sandbox_event(topup)

    response = deliver(body, sign(body, secret="not-the-secret"))

    assert response.status_code == 400
    assert response.json()["code"] == "bad_signature"
    assert wallet_balance(payer) == 0


@pytest.mark.parametrize("signature", [None, "", "v1=abc", "t=123", "t=abc,v1=def", "garbage"])
def test_a_missing_or_unreadable_signature_header_is_refused(payer, topup, signature):
    response = deliver(sandbox_event(topup), signature)

    assert response.status_code == 400
    assert response.json()["code"] == "bad_signature"
    assert outcomes() == ["bad_signature"]


def test_a_rotated_secret_may_send_several_signatures(payer, topup):
    body = sandbox_event(topup)
    now = int(time.time())
    old = sign(body, timestamp=now, secret="old-secret").split(",")[1]

    response = deliver(body, f"{sign(body, timestamp=now)},{old}")

    assert response.status_code == 200


# 302, not 301: the whole-second timestamp may be up to a second behind the clock.
@pytest.mark.parametrize("offset", [-302, 302, -86_400])
def test_a_timestamp_outside_the_window_is_stale(payer, topup, offset, settings):
    settings.WEBHOOK_TOLERANCE_SECONDS = 300
    body = sandbox_event(topup)

    response = deliver(body, sign(body, timestamp=int(time.time()) + offset))

    assert response.status_code == 400
    assert response.json()["code"] == "stale"
    assert outcomes() == ["stale"]
    assert wallet_balance(payer) == 0


def test_a_timestamp_just_inside_the_window_is_accepted(payer, topup, settings):
    settings.WEBHOOK_TOLERANCE_SECONDS = 300
    body = sandbox_event(topup)

    response = deliver(body, sign(body, timestamp=int(time.time()) - 250))

    assert response.status_code == 200


def test_a_replayed_event_is_a_duplicate_with_no_effect(payer, topup):
    body = sandbox_event(topup)
    deliver(body, sign(body))

    replay = deliver(body, sign(body))

    assert replay.status_code == 200
    assert replay.json()["status"] == "duplicate"
    assert wallet_balance(payer) == 2500
    assert outcomes() == ["accepted", "duplicate"]
    assert_books_balance()


def test_a_new_event_about_a_settled_payment_changes_nothing(payer, topup):
    paid = sandbox_event(topup, event_id="evt_paid")
    deliver(paid, sign(paid))
    failed = sandbox_event(topup, event_id="evt_failed", type="payment.failed")

    response = deliver(failed, sign(failed))

    assert response.status_code == 200
    topup.refresh_from_db()
    assert topup.state == PaymentState.SUCCEEDED
    assert wallet_balance(payer) == 2500
    assert "already succeeded" in WebhookDelivery.objects.get(event_id="evt_failed").detail


def test_a_late_success_of_an_abandoned_payment_is_flagged_for_refund(payer, topup):
    payment_services.payment_fail(payment_id=topup.pk, state=PaymentState.ABANDONED)
    body = sandbox_event(topup)

    deliver(body, sign(body))

    topup.refresh_from_db()
    assert topup.state == PaymentState.ABANDONED
    assert wallet_balance(payer) == 0
    assert "refund" in WebhookDelivery.objects.get().detail


def test_an_unknown_payment_is_404(payer, topup):
    body = sandbox_event(topup, payment_id="NoSuchPayment1")

    response = deliver(body, sign(body))

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_payment"
    assert outcomes() == ["unknown_payment"]


@pytest.mark.parametrize("change", [{"amount": 2400}, {"amount": 2600}, {"currency": "IDR"}])
def test_an_amount_or_currency_mismatch_is_refused(payer, topup, change):
    body = sandbox_event(topup, **change)

    response = deliver(body, sign(body))

    assert response.status_code == 400
    assert response.json()["code"] == "amount_mismatch"
    topup.refresh_from_db()
    assert topup.state == PaymentState.PENDING
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.payment) == ("malformed", topup)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"id": "evt_1"}',
        b'{"id": "evt_1", "type": "payment.refunded", "payment_id": "x", "amount": 1, '
        b'"currency": "CNY"}',
        b'{"id": "evt_1", "type": "payment.succeeded", "payment_id": "x", "amount": "25", '
        b'"currency": "CNY"}',
        b'{"id": "evt\\u0000", "type": "payment.succeeded", "payment_id": "x", "amount": 1, '
        b'"currency": "CNY"}',
    ],
)
def test_a_signed_but_malformed_event_is_refused_and_logged(payer, body):
    response = deliver(body, sign(body))

    assert response.status_code == 400
    assert response.json()["code"] == "malformed"
    assert outcomes() == ["malformed"]


def test_an_unknown_provider_is_404(payer, topup):
    body = sandbox_event(topup)

    response = deliver(body, sign(body), url="/api/payments/webhooks/paypal")

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_provider"
    assert outcomes() == ["malformed"]


def test_a_huge_body_is_refused_unread(payer, topup):
    body = b'{"id": "' + b"x" * 70_000 + b'"}'

    response = deliver(body, sign(body))

    assert response.status_code == 400
    assert len(WebhookDelivery.objects.get().body) <= 20_000


def test_a_failing_purpose_handler_rolls_back_and_asks_the_provider_to_retry(
    payer, topup, monkeypatch
):
    def broken(payment):
        raise RuntimeError("disk full")

    monkeypatch.setitem(payment_services._HANDLERS, "topup", broken)
    body = sandbox_event(topup)

    response = deliver(body, sign(body))

    assert response.status_code == 500
    topup.refresh_from_db()
    assert topup.state == PaymentState.PENDING
    assert outcomes() == ["error"]

    monkeypatch.undo()
    retry = deliver(body, sign(body))

    assert retry.status_code == 200
    assert wallet_balance(payer) == 2500
    assert outcomes() == ["error", "accepted"]


def test_the_receiver_service_refuses_what_the_http_endpoint_refuses(payer):
    """The sandbox page calls the service directly: same checks, same log."""
    payment = topup_start(payer=payer, amount=100, currency="CNY")
    body = sandbox_event(payment)

    result = webhook_receive(provider="sandbox", body=body, signature=sign(body, secret="x"))

    assert (result.status, result.outcome) == (400, WebhookOutcome.BAD_SIGNATURE)
    assert outcomes() == ["bad_signature"]
