import pytest

from evillage.accounts.tests.factories import UserFactory
from evillage.ledger.selectors import account_statement
from evillage.ledger.services import account_wallet, transfer_create
from evillage.ledger.tests.conftest import top_up

pytestmark = pytest.mark.django_db


def test_a_statement_lists_newest_first_with_signs_and_running_balance(wallet, escrow):
    top_up(wallet, 500)
    transfer_create(debit=wallet, credit=escrow, amount=200, kind="payment")
    transfer_create(debit=escrow, credit=wallet, amount=50, kind="refund")
    # Someone else's money does not show up on this statement.
    top_up(account_wallet(user=UserFactory(), currency="CNY"), 999)

    lines = list(account_statement(account=wallet))
    assert [(t.kind, t.signed_amount, t.balance_after) for t in lines] == [
        ("refund", 50, 350),
        ("payment", -200, 300),
        ("topup", 500, 500),
    ]
    assert lines[0].balance_after == wallet.balance


def test_a_page_of_the_statement_keeps_the_running_balance_of_the_whole_history(wallet):
    for amount in (10, 20, 30):
        top_up(wallet, amount)
    oldest_page = list(account_statement(account=wallet)[2:])
    assert [(t.signed_amount, t.balance_after) for t in oldest_page] == [(10, 10)]
    newest_page = list(account_statement(account=wallet)[:1])
    assert [(t.signed_amount, t.balance_after) for t in newest_page] == [(30, 60)]
