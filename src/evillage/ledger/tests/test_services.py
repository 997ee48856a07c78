from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from evillage.accounts.tests.factories import UserFactory
from evillage.core.errors import Conflict, ValidationFailed
from evillage.ledger import services
from evillage.ledger.models import Account, AccountKind, Transfer
from evillage.ledger.selectors import ledger_audit
from evillage.ledger.services import (
    Leg,
    account_platform,
    account_wallet,
    transfer_create,
    transfers_create,
)
from evillage.ledger.tests.conftest import top_up

pytestmark = pytest.mark.django_db


def balances(*accounts: Account) -> list[int]:
    return [Account.objects.get(pk=a.pk).balance for a in accounts]


def test_a_wallet_is_created_once_per_user_and_currency():
    user = UserFactory()
    cny = account_wallet(user=user, currency="CNY")
    assert account_wallet(user=user, currency="CNY") == cny
    idr = account_wallet(user=user, currency="IDR")
    assert idr != cny and idr.kind == AccountKind.WALLET and idr.owner == user
    assert Account.objects.count() == 2


def test_platform_accounts_are_singletons_and_wallet_is_not_one():
    escrow = account_platform(kind=AccountKind.ESCROW, currency="IDR")
    assert account_platform(kind=AccountKind.ESCROW, currency="IDR") == escrow
    assert escrow.owner is None
    with pytest.raises(ValidationFailed) as excinfo:
        account_platform(kind=AccountKind.WALLET, currency="IDR")
    assert excinfo.value.code == "bad_account"


def test_an_unsupported_currency_is_refused():
    with pytest.raises(ValidationFailed) as excinfo:
        account_wallet(user=UserFactory(), currency="USD")
    assert excinfo.value.code == "bad_currency"
    assert not Account.objects.exists()


def test_a_transfer_moves_money_and_records_who_and_why(wallet, escrow):
    top_up(wallet, 500)
    actor = UserFactory()
    transfer = transfer_create(
        debit=wallet,
        credit=escrow,
        amount=120,
        kind="payment",
        reference="order:abc",
        memo="两斤茶叶",
        actor=actor,
    )
    assert balances(wallet, escrow) == [380, 120]
    # The caller's objects show the new balances too.
    assert (wallet.balance, escrow.balance) == (380, 120)
    stored = Transfer.objects.get(pk=transfer.pk)
    assert (stored.debit, stored.credit, stored.amount, stored.currency) == (
        wallet,
        escrow,
        120,
        "CNY",
    )
    assert (stored.kind, stored.reference, stored.memo, stored.created_by) == (
        "payment",
        "order:abc",
        "两斤茶叶",
        actor,
    )
    assert ledger_audit().ok


@pytest.mark.parametrize("amount", [0, -5, 1.0, 2.5, Decimal("3"), True, "10", None, 10**16])
def test_an_amount_that_is_not_a_positive_whole_number_of_minor_units_is_refused(
    wallet, escrow, amount
):
    top_up(wallet, 100)
    with pytest.raises(ValidationFailed) as excinfo:
        transfer_create(debit=wallet, credit=escrow, amount=amount, kind="payment")
    assert excinfo.value.code == "bad_amount"
    assert balances(wallet, escrow) == [100, 0]
    assert Transfer.objects.count() == 1


def test_accounts_in_different_currencies_cannot_trade(wallet):
    top_up(wallet, 100)
    rupiah_escrow = account_platform(kind=AccountKind.ESCROW, currency="IDR")
    with pytest.raises(ValidationFailed) as excinfo:
        transfer_create(debit=wallet, credit=rupiah_escrow, amount=10, kind="payment")
    assert excinfo.value.code == "currency_mismatch"
    assert balances(wallet, rupiah_escrow) == [100, 0]


def test_a_stale_account_object_cannot_smuggle_a_currency_past_the_check(wallet, escrow):
    """The rows locked in the database decide, not what the caller's object says."""
    top_up(wallet, 100)
    forged = Account.objects.get(pk=escrow.pk)
    forged.currency = "IDR"
    rupiah_wallet = account_wallet(user=UserFactory(), currency="IDR")
    with pytest.raises(ValidationFailed) as excinfo:
        transfer_create(debit=forged, credit=rupiah_wallet, amount=1, kind="refund")
    assert excinfo.value.code == "currency_mismatch"
    assert balances(escrow, rupiah_wallet) == [0, 0]


def test_an_account_cannot_pay_itself(wallet):
    top_up(wallet, 100)
    with pytest.raises(ValidationFailed) as excinfo:
        transfer_create(debit=wallet, credit=wallet, amount=10, kind="correction")
    assert excinfo.value.code == "same_account"
    assert balances(wallet) == [100]


def test_an_unknown_kind_is_refused(wallet, escrow):
    top_up(wallet, 100)
    with pytest.raises(ValidationFailed) as excinfo:
        transfer_create(debit=wallet, credit=escrow, amount=10, kind="gift")
    assert excinfo.value.code == "bad_kind"


def test_insufficient_funds_leaves_nothing_written(wallet, escrow):
    top_up(wallet, 100)
    with pytest.raises(Conflict) as excinfo:
        transfer_create(debit=wallet, credit=escrow, amount=101, kind="payment")
    assert excinfo.value.code == "insufficient_funds"
    assert balances(wallet, escrow) == [100, 0]
    assert wallet.balance == 100
    assert Transfer.objects.count() == 1
    # Exactly the whole balance is fine.
    transfer_create(debit=wallet, credit=escrow, amount=100, kind="payment")
    assert balances(wallet, escrow) == [0, 100]


def test_the_database_constraint_catches_an_overdraft_the_lock_check_missed(
    wallet, escrow, monkeypatch
):
    """If the check under the lock were ever wrong, the CHECK constraint still refuses."""
    top_up(wallet, 100)
    monkeypatch.setattr(services, "_overdrawn", lambda kind, balance: False)
    with pytest.raises(Conflict) as excinfo:
        transfer_create(debit=wallet, credit=escrow, amount=150, kind="payment")
    assert excinfo.value.code == "insufficient_funds"
    assert balances(wallet, escrow) == [100, 0]
    assert Transfer.objects.count() == 1


def test_platform_clearing_may_go_negative(wallet):
    top_up(wallet, 700)
    clearing = account_platform(kind=AccountKind.CLEARING, currency="CNY")
    assert balances(clearing) == [-700]


def test_escrow_release_pays_seller_and_commission_together(wallet, escrow):
    top_up(wallet, 1000)
    transfer_create(debit=wallet, credit=escrow, amount=1000, kind="payment")
    seller = account_wallet(user=UserFactory(), currency="CNY")
    revenue = account_platform(kind=AccountKind.REVENUE, currency="CNY")
    transfers = transfers_create(
        legs=[
            Leg(debit=escrow, credit=seller, amount=950, kind="escrow_release"),
            Leg(debit=escrow, credit=revenue, amount=50, kind="commission"),
        ],
        reference="order:42",
    )
    assert [t.kind for t in transfers] == ["escrow_release", "commission"]
    assert all(t.pk and t.reference == "order:42" for t in transfers)
    assert balances(escrow, seller, revenue) == [0, 950, 50]
    assert ledger_audit().ok


def test_a_multi_leg_operation_is_all_or_nothing(wallet, escrow):
    """The second leg overdraws a wallet, so the first leg is not written either."""
    top_up(wallet, 100)
    other = account_wallet(user=UserFactory(), currency="CNY")
    with pytest.raises(Conflict):
        transfers_create(
            legs=[
                Leg(debit=wallet, credit=escrow, amount=60, kind="payment"),
                Leg(debit=wallet, credit=other, amount=60, kind="payment"),
            ]
        )
    assert balances(wallet, escrow, other) == [100, 0, 0]
    assert Transfer.objects.count() == 1


def test_a_malformed_later_leg_refuses_the_whole_operation(wallet, escrow):
    top_up(wallet, 100)
    with pytest.raises(ValidationFailed):
        transfers_create(
            legs=[
                Leg(debit=wallet, credit=escrow, amount=10, kind="payment"),
                Leg(debit=wallet, credit=escrow, amount=0, kind="payment"),
            ]
        )
    assert balances(wallet, escrow) == [100, 0]


def test_legs_in_two_currencies_are_refused(wallet, escrow):
    top_up(wallet, 100)
    rupiah = account_wallet(user=UserFactory(), currency="IDR")
    top_up(rupiah, 100)
    idr_escrow = account_platform(kind=AccountKind.ESCROW, currency="IDR")
    with pytest.raises(ValidationFailed) as excinfo:
        transfers_create(
            legs=[
                Leg(debit=wallet, credit=escrow, amount=10, kind="payment"),
                Leg(debit=rupiah, credit=idr_escrow, amount=10, kind="payment"),
            ]
        )
    assert excinfo.value.code == "currency_mismatch"
    assert balances(wallet, rupiah) == [100, 100]


def test_a_failed_transfer_inside_a_callers_transaction_keeps_the_rest(wallet, escrow):
    """Ledger calls are savepoints: the caller decides what to do with a refusal."""
    top_up(wallet, 100)
    with transaction.atomic():
        transfer_create(debit=wallet, credit=escrow, amount=30, kind="payment")
        with pytest.raises(Conflict):
            transfer_create(debit=wallet, credit=escrow, amount=80, kind="payment")
    assert balances(wallet, escrow) == [70, 30]


def test_transfers_cannot_be_edited_or_deleted(wallet, escrow):
    transfer = top_up(wallet, 100)
    transfer.amount = 1
    with pytest.raises(TypeError):
        transfer.save()
    with pytest.raises(TypeError):
        transfer.delete()
    with pytest.raises(TypeError):
        Transfer.objects.filter(pk=transfer.pk).update(amount=1)
    with pytest.raises(TypeError):
        Transfer.objects.all().delete()
    assert Transfer.objects.get(pk=transfer.pk).amount == 100


def test_the_database_refuses_a_non_positive_or_self_transfer(wallet, escrow):
    for amount, credit in [(0, escrow), (-1, escrow), (5, wallet)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Transfer.objects.create(
                debit=wallet, credit=credit, amount=amount, currency="CNY", kind="payment"
            )


def test_the_database_refuses_a_second_wallet_for_the_same_owner_and_currency(wallet):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(kind=AccountKind.WALLET, owner=wallet.owner, currency="CNY")


def test_the_database_ties_owners_to_wallets_only(wallet):
    """A wallet needs an owner; a platform account must not have one."""
    for kind, owner in [(AccountKind.WALLET, None), (AccountKind.ESCROW, wallet.owner)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Account.objects.create(kind=kind, owner=owner, currency="IDR")


def test_an_overlong_reference_or_memo_is_refused_before_writing(wallet, escrow):
    top_up(wallet, 100)
    for extra in ({"reference": "x" * 101}, {"memo": "备" * 501}):
        with pytest.raises(ValidationFailed) as excinfo:
            transfer_create(debit=wallet, credit=escrow, amount=10, kind="payment", **extra)
        assert excinfo.value.code == "too_long"
    assert balances(wallet, escrow) == [100, 0]
