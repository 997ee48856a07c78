import pytest

from evillage.accounts.tests.factories import UserFactory
from evillage.ledger.models import AccountKind
from evillage.ledger.services import account_platform, account_wallet, transfer_create


def top_up(wallet, amount: int):
    """Money arriving from the payment provider into a wallet."""
    clearing = account_platform(kind=AccountKind.CLEARING, currency=wallet.currency)
    return transfer_create(debit=clearing, credit=wallet, amount=amount, kind="topup")


@pytest.fixture
def wallet(db):
    return account_wallet(user=UserFactory(), currency="CNY")


@pytest.fixture
def escrow(db):
    return account_platform(kind=AccountKind.ESCROW, currency="CNY")
