"""Real threads on PostgreSQL: identical webhook deliveries racing have one effect."""

import threading
import time

import pytest
from django.db import connection

from evillage.accounts.tests.factories import UserFactory
from evillage.core.errors import DomainError
from evillage.payments.models import Payment, PaymentState, WebhookDelivery
from evillage.payments.services import payments as payment_services
from evillage.payments.services import payout_request, topup_start, webhook_receive
from evillage.payments.services.topups import settle_topup_payment
from evillage.payments.tests.conftest import (
    assert_books_balance,
    fund,
    sandbox_event,
    sign,
    wallet_balance,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_together(target, count: int) -> list:
    start = threading.Barrier(count)
    results: list = []

    def work():
        try:
            start.wait()
            results.append(target())
        except DomainError as exc:
            results.append(exc.code)
        except Exception as exc:
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return results


def test_two_identical_deliveries_at_once_credit_the_wallet_once(monkeypatch):
    payer = UserFactory()
    payment = topup_start(payer=payer, amount=2500, currency="CNY")
    body = sandbox_event(payment)
    signature = sign(body)

    def slow_settle(payment: Payment) -> None:
        # Hold the first transaction open so the second delivery arrives while it runs.
        time.sleep(0.3)
        settle_topup_payment(payment)

    monkeypatch.setitem(payment_services._HANDLERS, "topup", slow_settle)

    results = run_together(
        lambda: webhook_receive(provider="sandbox", body=body, signature=signature), 2
    )

    assert sorted((r.status, r.outcome) for r in results) == [
        (200, "accepted"),
        (200, "duplicate"),
    ]
    assert wallet_balance(payer) == 2500
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.SUCCEEDED
    assert sorted(WebhookDelivery.objects.values_list("outcome", "detail")) == [
        ("accepted", ""),
        # Both passed the "already accepted?" read; the unique constraint stopped one.
        ("duplicate", "event accepted concurrently"),
    ]
    assert_books_balance()


def test_many_identical_deliveries_at_once_have_one_effect():
    payer = UserFactory()
    payment = topup_start(payer=payer, amount=700, currency="CNY")
    body = sandbox_event(payment)
    signature = sign(body)

    results = run_together(
        lambda: webhook_receive(provider="sandbox", body=body, signature=signature), 8
    )

    assert sorted(r.outcome for r in results) == ["accepted"] + ["duplicate"] * 7
    assert wallet_balance(payer) == 700
    assert WebhookDelivery.objects.filter(outcome="accepted").count() == 1
    assert_books_balance()


def test_simultaneous_withdrawals_cannot_overdraw_the_wallet():
    owner = UserFactory()
    fund(owner, 1000)

    def withdraw():
        return payout_request(
            owner=owner,
            amount=300,
            currency="CNY",
            bank_account_name="Li Wei",
            bank_account_number="6222020212345678",
            bank_name="ICBC",
        ).state

    results = run_together(withdraw, 6)

    assert sorted(results) == ["insufficient_funds"] * 3 + ["paid"] * 3
    assert wallet_balance(owner) == 100
    assert_books_balance()
