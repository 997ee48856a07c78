"""Random sequences of money movements never break the books."""

import pytest
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from evillage.accounts.tests.factories import UserFactory
from evillage.core.errors import Conflict
from evillage.ledger.models import Account, AccountKind
from evillage.ledger.selectors import ledger_audit
from evillage.ledger.services import (
    Leg,
    account_platform,
    account_wallet,
    transfer_create,
    transfers_create,
)

BUYERS = 3
amounts = st.integers(min_value=1, max_value=2_000)


class Books(RuleBasedStateMachine):
    """Buyers top up, pay into escrow, get refunds; escrow releases to a seller minus
    commission; wallets pay out to banks. A Python model predicts every balance.

    Each example runs in its own savepoint, rolled back in teardown, inside the
    django_db transaction of the pytest test that drives the machine.
    """

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.buyers = [account_wallet(user=UserFactory(), currency="CNY") for _ in range(BUYERS)]
        self.seller = account_wallet(user=UserFactory(), currency="CNY")
        self.escrow = account_platform(kind=AccountKind.ESCROW, currency="CNY")
        self.revenue = account_platform(kind=AccountKind.REVENUE, currency="CNY")
        self.clearing = account_platform(kind=AccountKind.CLEARING, currency="CNY")
        self.payout = account_platform(kind=AccountKind.PAYOUT, currency="CNY")
        self.expected = {a.pk: 0 for a in [*self.buyers, self.seller, self.escrow]}
        self.expected |= {self.revenue.pk: 0, self.clearing.pk: 0, self.payout.pk: 0}
        # Per buyer, what they still have in escrow (refundable).
        self.held = [0] * BUYERS

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _move(self, legs: list[Leg], *, expect_ok: bool) -> None:
        try:
            transfers_create(legs=legs)
        except Conflict as exc:
            assert exc.code == "insufficient_funds"
            assert not expect_ok, "refused a transfer the model says is covered"
            return
        assert expect_ok, "accepted a transfer that overdraws a wallet"
        for leg in legs:
            self.expected[leg.debit.pk] -= leg.amount
            self.expected[leg.credit.pk] += leg.amount

    @rule(buyer=st.integers(0, BUYERS - 1), amount=amounts)
    def top_up(self, buyer, amount):
        transfer_create(debit=self.clearing, credit=self.buyers[buyer], amount=amount, kind="topup")
        self.expected[self.clearing.pk] -= amount
        self.expected[self.buyers[buyer].pk] += amount

    @rule(buyer=st.integers(0, BUYERS - 1), amount=amounts)
    def pay(self, buyer, amount):
        wallet = self.buyers[buyer]
        covered = self.expected[wallet.pk] >= amount
        self._move([Leg(wallet, self.escrow, amount, "payment")], expect_ok=covered)
        if covered:
            self.held[buyer] += amount

    @rule(buyer=st.integers(0, BUYERS - 1), percent=st.integers(0, 100), rate=st.integers(0, 20))
    def release(self, buyer, percent, rate):
        amount = self.held[buyer] * percent // 100
        commission = amount * rate // 100
        legs = []
        if amount - commission:
            legs.append(Leg(self.escrow, self.seller, amount - commission, "escrow_release"))
        if commission:
            legs.append(Leg(self.escrow, self.revenue, commission, "commission"))
        if legs:
            self._move(legs, expect_ok=True)
            self.held[buyer] -= amount

    @rule(buyer=st.integers(0, BUYERS - 1), percent=st.integers(0, 100))
    def refund(self, buyer, percent):
        amount = self.held[buyer] * percent // 100
        if amount:
            self._move([Leg(self.escrow, self.buyers[buyer], amount, "refund")], expect_ok=True)
            self.held[buyer] -= amount

    @rule(who=st.integers(0, BUYERS), amount=amounts)
    def pay_out(self, who, amount):
        wallet = self.seller if who == BUYERS else self.buyers[who]
        covered = self.expected[wallet.pk] >= amount
        self._move([Leg(wallet, self.payout, amount, "payout")], expect_ok=covered)

    @invariant()
    def books_balance(self):
        stored = dict(Account.objects.values_list("pk", "balance"))
        assert stored == self.expected
        assert all(
            stored[a.pk] >= 0 for a in [*self.buyers, self.seller, self.escrow, self.revenue]
        )
        assert ledger_audit().ok


@pytest.mark.django_db
def test_random_money_movements_keep_the_books_balanced():
    run_state_machine_as_test(
        Books,
        settings=settings(max_examples=25, stateful_step_count=15, deadline=None, database=None),
    )
