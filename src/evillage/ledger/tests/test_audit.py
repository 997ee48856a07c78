import pytest
from django.core.management import CommandError, call_command

from evillage.accounts.tests.factories import UserFactory
from evillage.ledger.models import Account, AccountKind
from evillage.ledger.selectors import balances_by_currency, ledger_audit
from evillage.ledger.services import account_platform, account_wallet, transfer_create
from evillage.ledger.tests.conftest import top_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(wallet, escrow):
    """A small but busy set of books in two currencies."""
    top_up(wallet, 1000)
    transfer_create(debit=wallet, credit=escrow, amount=300, kind="payment")
    rupiah = account_wallet(user=UserFactory(), currency="IDR")
    top_up(rupiah, 50000)
    payout = account_platform(kind=AccountKind.PAYOUT, currency="IDR")
    transfer_create(debit=rupiah, credit=payout, amount=20000, kind="payout")
    account_wallet(user=UserFactory(), currency="CNY")  # never used: balance 0
    return {"wallet": wallet, "escrow": escrow, "rupiah": rupiah}


def test_consistent_books_pass_the_audit(books, capsys):
    result = ledger_audit()
    assert result.ok
    assert (result.accounts, result.transfers) == (7, 4)
    assert result.totals == {"CNY": 0, "IDR": 0}

    call_command("ledger_audit")
    out = capsys.readouterr().out
    assert "accounts checked: 7" in out
    assert "transfers: 4" in out
    assert "total CNY: 0" in out and "total IDR: 0" in out


def test_a_tampered_balance_fails_the_audit_naming_the_account(books, capsys):
    wallet = books["wallet"]
    Account.objects.filter(pk=wallet.pk).update(balance=999)

    result = ledger_audit()
    assert not result.ok
    assert [(m.account, m.cached, m.computed) for m in result.mismatches] == [(wallet, 999, 700)]
    assert result.unbalanced_currencies == ["CNY"]

    with pytest.raises(CommandError):
        call_command("ledger_audit")
    err = capsys.readouterr().err
    assert wallet.public_id in err
    assert wallet.owner.public_id in err
    assert "cached=999 computed=700" in err
    assert "CNY sums to 299" in err
    assert books["rupiah"].public_id not in err


def test_balances_that_still_sum_to_zero_but_disagree_with_transfers_fail(books):
    """Moving cached balance between two accounts keeps the total: the recompute catches it."""
    Account.objects.filter(pk=books["wallet"].pk).update(balance=600)
    Account.objects.filter(pk=books["escrow"].pk).update(balance=400)
    result = ledger_audit()
    assert result.totals["CNY"] == 0
    assert {m.account.pk for m in result.mismatches} == {books["wallet"].pk, books["escrow"].pk}
    assert not result.ok


def test_an_empty_ledger_is_clean(capsys):
    call_command("ledger_audit")
    assert "accounts checked: 0" in capsys.readouterr().out


def test_balances_by_currency_sums_each_kind(books):
    assert balances_by_currency() == {
        "CNY": {"clearing": -1000, "escrow": 300, "wallet": 700},
        "IDR": {"clearing": -50000, "payout": 20000, "wallet": 30000},
    }
