"""Real threads, real row locks: only PostgreSQL has them (SQLite serialises writers)."""

import threading

import pytest
from django.db import connection

from evillage.accounts.tests.factories import UserFactory
from evillage.core.errors import DomainError
from evillage.ledger.models import Account, AccountKind
from evillage.ledger.selectors import ledger_audit
from evillage.ledger.services import account_platform, account_wallet, transfer_create
from evillage.ledger.tests.conftest import top_up

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_together(target, args_list: list[tuple]) -> list[str]:
    """Start one thread per args, all released at once; collect each outcome."""
    start = threading.Barrier(len(args_list))
    outcomes: list[str] = []

    def work(*args):
        try:
            start.wait()
            target(*args)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # a deadlock or IntegrityError is exactly what we look for
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return outcomes


def test_twenty_simultaneous_payments_cannot_overdraw_a_wallet():
    wallet = account_wallet(user=UserFactory(), currency="CNY")
    top_up(wallet, 100)
    escrow = account_platform(kind=AccountKind.ESCROW, currency="CNY")

    def pay():
        # Each thread brings its own (equally stale) copies, as separate requests would.
        transfer_create(
            debit=Account.objects.get(pk=wallet.pk),
            credit=Account.objects.get(pk=escrow.pk),
            amount=30,
            kind="payment",
        )

    outcomes = run_together(pay, [()] * 20)
    assert sorted(outcomes) == ["insufficient_funds"] * 17 + ["ok"] * 3
    assert Account.objects.get(pk=wallet.pk).balance == 10
    assert Account.objects.get(pk=escrow.pk).balance == 90
    assert ledger_audit().ok


def test_transfers_in_opposite_directions_do_not_deadlock():
    alice = account_wallet(user=UserFactory(), currency="CNY")
    bob = account_wallet(user=UserFactory(), currency="CNY")
    top_up(alice, 1000)
    top_up(bob, 1000)

    def shuttle(debit_pk, credit_pk):
        for _ in range(20):
            transfer_create(
                debit=Account.objects.get(pk=debit_pk),
                credit=Account.objects.get(pk=credit_pk),
                amount=7,
                kind="correction",
            )

    directions = [(alice.pk, bob.pk), (bob.pk, alice.pk)] * 5
    outcomes = run_together(shuttle, directions)
    assert outcomes == ["ok"] * 10
    assert Account.objects.get(pk=alice.pk).balance == 1000
    assert Account.objects.get(pk=bob.pk).balance == 1000
    result = ledger_audit()
    assert result.ok and result.transfers == 2 + 10 * 20
