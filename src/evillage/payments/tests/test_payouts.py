"""Withdrawals: the money is held before the provider is called, and comes back if the
bank refuses; an unknown outcome keeps it held until the provider says how it ended."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from evillage.core.errors import Conflict, ValidationFailed
from evillage.ledger.models import Transfer
from evillage.payments.models import Payout, PayoutState
from evillage.payments.providers.base import PayoutResult
from evillage.payments.providers.sandbox import SandboxProvider
from evillage.payments.services import payout_request, payouts_resume_pending
from evillage.payments.tests.conftest import assert_books_balance, fund, wallet_balance

pytestmark = pytest.mark.django_db

BANK = {
    "bank_account_name": "Li Wei",
    "bank_account_number": "6222 0202 1234 5678",
    "bank_name": "ICBC",
}


def withdraw(owner, amount=3000, **kwargs):
    return payout_request(owner=owner, amount=amount, currency="CNY", **{**BANK, **kwargs})


def test_a_withdrawal_pays_the_bank_and_keeps_only_the_masked_number(payer):
    fund(payer, 10_000)

    payout = withdraw(payer)

    assert payout.state == PayoutState.PAID
    assert payout.provider_ref == f"sandbox-payout-{payout.public_id}"
    assert payout.bank_account_number == "•••• 5678"
    assert wallet_balance(payer) == 7000
    transfer = Transfer.objects.get(kind="payout")
    assert transfer.reference == f"payout:{payout.public_id}"
    assert "6222" not in transfer.memo
    assert_books_balance()


def test_the_provider_gets_the_full_number_without_a_transaction_open(payer, monkeypatch):
    fund(payer, 10_000)
    seen = {}

    def send_payout(self, *, payout, account_number):
        seen["number"] = account_number
        # The money is already held when the provider is called.
        seen["balance"] = wallet_balance(payer)
        seen["atomic_blocks"] = len(connection.atomic_blocks)
        return PayoutResult(ok=True, provider_ref="bank-1")

    monkeypatch.setattr(SandboxProvider, "send_payout", send_payout)
    # The test's own transaction wraps everything: count the blocks opened inside it.
    depth = len(connection.atomic_blocks)
    withdraw(payer)

    assert seen["number"] == "6222020212345678"
    assert seen["balance"] == 7000
    assert seen["atomic_blocks"] == depth


def test_a_withdrawal_above_the_balance_writes_nothing(payer):
    fund(payer, 2999)

    with pytest.raises(Conflict) as refused:
        withdraw(payer, amount=3000)

    assert refused.value.code == "insufficient_funds"
    assert not Payout.objects.exists()
    assert wallet_balance(payer) == 2999
    assert Transfer.objects.filter(kind="payout").count() == 0


def test_a_user_without_a_wallet_cannot_withdraw(payer):
    with pytest.raises(Conflict):
        withdraw(payer, amount=1)
    assert not Payout.objects.exists()


def test_a_refused_payout_returns_the_money_to_the_wallet(payer, monkeypatch):
    fund(payer, 10_000)
    monkeypatch.setattr(
        SandboxProvider,
        "send_payout",
        lambda self, *, payout, account_number: PayoutResult(ok=False, reason="account closed"),
    )

    payout = withdraw(payer)

    assert payout.state == PayoutState.FAILED
    assert payout.failure_reason == "account closed"
    assert wallet_balance(payer) == 10_000
    kinds = list(
        Transfer.objects.filter(reference=f"payout:{payout.public_id}")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["payout", "payout_return"]
    assert_books_balance()


def test_a_provider_that_does_not_answer_leaves_the_payout_pending_until_resumed(
    payer, monkeypatch
):
    fund(payer, 10_000)

    def timeout(self, *, payout, account_number):
        raise TimeoutError("bank gateway timeout")

    monkeypatch.setattr(SandboxProvider, "send_payout", timeout)

    payout = withdraw(payer)

    # Paid or not, nobody knows yet: the money stays held, not returned.
    assert payout.state == PayoutState.PENDING
    assert wallet_balance(payer) == 7000
    assert payouts_resume_pending(timedelta(minutes=10)) == 0  # too young to touch

    later = timezone.now() + timedelta(minutes=11)
    assert payouts_resume_pending(timedelta(minutes=10), now=later) == 1

    payout.refresh_from_db()
    assert payout.state == PayoutState.PAID
    assert wallet_balance(payer) == 7000
    assert payouts_resume_pending(older_than=timedelta(0), now=later) == 0
    assert_books_balance()


def test_resuming_a_payout_the_provider_reports_failed_returns_the_money(payer, monkeypatch):
    fund(payer, 10_000)
    monkeypatch.setattr(
        SandboxProvider,
        "send_payout",
        lambda self, *, payout, account_number: (_ for _ in ()).throw(ConnectionError()),
    )
    payout = withdraw(payer)
    monkeypatch.setattr(
        SandboxProvider,
        "payout_status",
        lambda self, *, payout: PayoutResult(ok=False, reason="never received"),
    )

    payouts_resume_pending(timedelta(0))

    payout.refresh_from_db()
    assert payout.state == PayoutState.FAILED
    assert wallet_balance(payer) == 10_000
    assert_books_balance()


def test_a_provider_that_does_not_know_yet_leaves_it_pending(payer, monkeypatch):
    fund(payer, 10_000)
    monkeypatch.setattr(
        SandboxProvider,
        "send_payout",
        lambda self, *, payout, account_number: (_ for _ in ()).throw(ConnectionError()),
    )
    withdraw(payer)
    monkeypatch.setattr(SandboxProvider, "payout_status", lambda self, *, payout: None)

    assert payouts_resume_pending(timedelta(0)) == 0
    assert Payout.objects.get().state == PayoutState.PENDING


def test_the_same_idempotency_key_makes_one_payout(payer):
    fund(payer, 10_000)

    first = withdraw(payer, idempotency_key="k1")
    second = withdraw(payer, idempotency_key="k1")

    assert first.pk == second.pk
    assert wallet_balance(payer) == 7000


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": True}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"bank_account_name": "  "}, "bank_account_name"),
        ({"bank_account_name": "x" * 81}, "bank_account_name"),
        ({"bank_name": ""}, "bank_name"),
        ({"bank_account_number": "12345"}, "bank_account_number"),
        ({"bank_account_number": "1" * 35}, "bank_account_number"),
        ({"bank_account_number": "1234567A"}, "bank_account_number"),
        ({"bank_account_number": "١٢٣٤٥٦٧٨"}, "bank_account_number"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(payer, change, field):
    fund(payer, 10_000)
    args = {"amount": 3000, "currency": "CNY", **BANK, **change}

    with pytest.raises(ValidationFailed) as refused:
        payout_request(owner=payer, **args)

    assert refused.value.field == field
    assert not Payout.objects.exists()
    assert wallet_balance(payer) == 10_000


def test_rupiah_withdrawals_are_whole_rupiah(payer):
    fund(payer, 1_000_000, currency="IDR")

    with pytest.raises(ValidationFailed):
        payout_request(owner=payer, amount=50_050, currency="IDR", **BANK)
    payout = payout_request(owner=payer, amount=50_000, currency="IDR", **BANK)

    assert payout.state == PayoutState.PAID
    assert wallet_balance(payer, "IDR") == 950_000
