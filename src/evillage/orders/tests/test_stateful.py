"""Random sequences of shopping, paying, shipping, refunding and waiting never lose money,
stock or history.

A RuleBasedStateMachine drives the services the way buyers, sellers, an operator, the
payment provider and the deadline sweeper would, in any order, with wrong actors too.
Each rule predicts from the database whether the service must accept or refuse; a refusal
must change nothing. After every step the invariants of the money path are checked.
"""

import itertools
from collections import defaultdict
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.catalog.models import Sku
from evillage.core.errors import DomainError
from evillage.ledger.models import Account, AccountKind, Transfer, TransferKind
from evillage.ledger.selectors import ledger_audit
from evillage.orders.models import (
    ESCROW_STATES,
    OPEN_REFUND_STATES,
    OPEN_STATES,
    CartLine,
    Checkout,
    Evidence,
    Order,
    OrderEvent,
    OrderLine,
    OrderState,
    Refund,
    RefundKind,
    RefundState,
)
from evillage.orders.services.cart import cart_add
from evillage.orders.services.checkout import CheckoutItem, checkout_create
from evillage.orders.services.deadlines import deadlines_sweep
from evillage.orders.services.lifecycle import (
    order_cancel,
    order_confirm,
    order_extend_confirm,
    order_ship,
)
from evillage.orders.services.payment import (
    checkout_amount_due,
    checkout_pay_provider,
    checkout_pay_wallet,
)
from evillage.orders.services.refunds import (
    dispute_decide,
    refund_agree,
    refund_cancel,
    refund_refuse,
    refund_request,
    refund_return_received,
    refund_return_shipped,
)
from evillage.orders.tests.factories import fund_wallet, make_shop, make_sku, ship_to
from evillage.payments.models import Payment, PaymentMethod, PaymentState
from evillage.payments.services import payment_fail, payment_succeed
from evillage.shops.models import ShopKind

BUYERS = 3
# (shop index, price, stock, commission in basis points)
SKUS = [(0, 1990, 3, 0), (0, 4550, 2, 0), (1, 1200, 2, 0), (2, 9900, 3, 500), (2, 333, 4, 1234)]
START_FUNDS = [300_000, 40_000, 0]

pick = st.integers(min_value=0, max_value=10_000)
buyer_ix = st.integers(0, BUYERS - 1)
sku_ix = st.integers(0, len(SKUS) - 1)
# Mostly the right person acts; sometimes someone who must be refused.
wrong_actor = st.sampled_from([False, False, False, True])
waits = st.sampled_from(
    [timedelta(hours=1), timedelta(days=1), timedelta(days=3), timedelta(days=11)]
)


def _count_rows(*models) -> tuple[int, ...]:
    """Row counts of several tables in one query."""
    # Table names come from model metadata, not from input.
    counts = ", ".join(f"(SELECT COUNT(*) FROM {m._meta.db_table})" for m in models)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return tuple(cursor.fetchone())


class Refused(Exception):
    """The model expected the service to refuse, and it did not."""


class OrderMoney(RuleBasedStateMachine):
    """Three buyers, two individual shops and an enterprise store with commission.

    Each example runs in a savepoint rolled back in teardown. The clock is a fake that
    only the `time_passes` rule moves, so every deadline the services compute is on it.
    """

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        # As Django's TestCase marks its own atomics: the services' durable blocks may nest.
        self._atomic._from_testcase = True
        self._atomic.__enter__()
        self.clock = timezone.now()
        self._clock_patch = mock.patch("django.utils.timezone.now", lambda: self.clock)
        self._clock_patch.start()
        self.buyers = [UserFactory() for _ in range(BUYERS)]
        self.funded = dict.fromkeys((b.pk for b in self.buyers), 0)
        for buyer, amount in zip(self.buyers, START_FUNDS, strict=True):
            if amount:
                fund_wallet(buyer, amount)
                self.funded[buyer.pk] += amount
        self.shops = [
            make_shop(shipping_fee=600),
            make_shop(),
            make_shop(kind=ShopKind.ENTERPRISE, shipping_fee=1000),
        ]
        self.skus = [
            make_sku(shop=self.shops[s], price=price, available=stock, commission_bp=bp)
            for s, price, stock, bp in SKUS
        ]
        self.stock = {
            sku.pk: stock for sku, (_s, _p, stock, _bp) in zip(self.skus, SKUS, strict=True)
        }
        self.operator = OperatorFactory()
        self.address = ship_to()
        self.provider_payments: list[int] = []
        # Keys used successfully, for retries: (buyer pk, key) -> checkout / payment pk.
        self.checkout_keys: dict[tuple[int, str], int] = {}
        self.payment_keys: dict[tuple[int, str], tuple[int, int]] = {}
        self.key_counter = 0
        # What exists, as of the last invariant check (preconditions must not query).
        self.seen = {"order": False, "open_order": False, "open_refund": False}

    def teardown(self):
        self._clock_patch.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # -- helpers ------------------------------------------------------------------------

    def _snapshot(self):
        """Everything a refusal must leave alone."""
        return (
            list(
                Order.objects.order_by("pk").values_list(
                    "pk",
                    "state",
                    "refunded",
                    "payment_id",
                    "pay_deadline",
                    "auto_confirm_at",
                    "confirm_extended_days",
                    "seller_amount",
                    "commission",
                )
            ),
            list(
                Refund.objects.order_by("pk").values_list(
                    "pk", "state", "amount", "amount_refunded", "deadline"
                )
            ),
            list(Sku.objects.order_by("pk").values_list("pk", "available", "reserved", "sold")),
            # A refusal may leave an empty wallet created on first look; money it may not move.
            {pk: bal for pk, bal in Account.objects.values_list("pk", "balance") if bal},
            list(Payment.objects.order_by("pk").values_list("pk", "state", "refunded")),
            sorted(CartLine.objects.values_list("cart__owner_id", "sku_id", "quantity")),
            _count_rows(Checkout, OrderEvent, Evidence, Transfer),
        )

    def _call(self, ok: bool | None, service, **kwargs):
        """Call a service; `ok` is the model's prediction (None: no prediction).

        Returns the result, or None when refused. A refusal must change nothing (no need to
        look when the call must succeed: a refusal then fails the test anyway).
        """
        before = None if ok is True else self._snapshot()
        try:
            result = service(**kwargs)
        except DomainError as exc:
            event(f"{service.__name__} refused: {exc.code}")
            assert ok is not True, f"{service.__name__} refused a valid call: {exc.code} {kwargs}"
            assert self._snapshot() == before, f"{service.__name__} refused ({exc.code}) but wrote"
            return None
        if ok is False:
            raise Refused(f"{service.__name__} accepted an invalid call: {kwargs}")
        event(f"{service.__name__} done")
        return result

    def _pick_order(self, which: int, *states) -> Order:
        """An order in one of these states if there is one, else any order."""
        orders = Order.objects.select_related("shop", "buyer", "checkout").order_by("pk")
        chosen = list(orders.filter(state__in=states)) or list(orders)
        return chosen[which % len(chosen)]

    def _pick_refund(self, which: int, *states) -> Refund:
        """A refund in one of these states if there is one, else any open refund."""
        refunds = Refund.objects.select_related("order__shop", "order__buyer").order_by("pk")
        chosen = list(refunds.filter(state__in=states)) or list(
            refunds.filter(state__in=OPEN_REFUND_STATES)
        )
        return chosen[which % len(chosen)]

    def _seller(self, order: Order):
        return order.shop.owner

    def _other_than(self, *users):
        """Someone who is neither of these users (a buyer, seller or operator)."""
        pks = {u.pk for u in users}
        everyone = [*self.buyers, *(s.owner for s in self.shops), self.operator]
        return next(u for u in everyone if u.pk not in pks)

    def _buyer_or_other(self, order: Order, wrong: bool):
        if wrong:
            return self._other_than(order.buyer, self._seller(order)), False
        return order.buyer, True

    def _seller_or_other(self, order: Order, wrong: bool):
        if wrong:
            return order.buyer, False
        return self._seller(order), True

    def _wallet(self, user) -> int:
        account = Account.objects.filter(kind=AccountKind.WALLET, owner=user).first()
        return account.balance if account else 0

    def _open_refund(self, order: Order) -> Refund | None:
        return order.refunds.filter(state__in=OPEN_REFUND_STATES).first()

    def _next_key(self) -> str:
        self.key_counter += 1
        return f"key-{self.key_counter}"

    # -- a head start: two orders already shipped, one with a refund open ---------------

    @initialize(
        kind=st.sampled_from(RefundKind.values),
        percent=st.integers(1, 100),
        by_provider=st.booleans(),
    )
    def shipped_orders(self, kind, percent, by_provider):
        """Random walks rarely get deep, so every example starts with some depth."""
        for buyer, sku in ((self.buyers[0], self.skus[0]), (self.buyers[1], self.skus[3])):
            self._checkout(buyer, {sku.pk: 1}, with_key=False)
            checkout = Checkout.objects.filter(buyer=buyer).latest("pk")
            if by_provider:
                self.do_provider_answer(self.do_pay_provider(checkout))
            else:
                self.do_pay_wallet(checkout)
            self.do_ship(checkout.orders.select_related("shop").get())
        order = Order.objects.select_related("shop").get(buyer=self.buyers[1])
        self.do_request(order, kind=kind, how_much="part", percent=percent)

    # -- buyers: cart and checkout ------------------------------------------------------

    @rule(buyer=buyer_ix, sku=sku_ix, quantity=st.integers(1, 3))
    def add_to_cart(self, buyer, sku, quantity):
        self._call(
            True,
            cart_add,
            user=self.buyers[buyer],
            sku_public_id=self.skus[sku].public_id,
            quantity=quantity,
        )

    def _checkout(self, user, quantities: dict[int, int], with_key: bool):
        key = self._next_key() if with_key else None
        skus = {sku.pk: sku for sku in Sku.objects.filter(pk__in=quantities)}
        short = any(skus[pk].available < n for pk, n in quantities.items())
        items = [CheckoutItem(sku=skus[pk].public_id, quantity=n) for pk, n in quantities.items()]
        checkout = self._call(
            bool(items) and not short,
            checkout_create,
            buyer=user,
            items=items,
            ship_to=self.address,
            idempotency_key=key,
        )
        if checkout is not None:
            assert checkout.total == sum(o.total for o in checkout.orders.all())
            assert not CartLine.objects.filter(cart__owner=user, sku_id__in=quantities).exists()
            if key:
                self.checkout_keys[(user.pk, key)] = checkout.pk

    @rule(buyer=buyer_ix, with_key=st.booleans())
    def checkout_cart(self, buyer, with_key):
        """Check out the whole cart of a buyer who has one (an empty one is refused)."""
        with_lines = set(CartLine.objects.values_list("cart__owner_id", flat=True))
        user = next(
            (b for b in self.buyers[buyer:] + self.buyers[:buyer] if b.pk in with_lines),
            self.buyers[buyer],
        )
        lines = CartLine.objects.filter(cart__owner=user)
        self._checkout(user, dict(lines.values_list("sku_id", "quantity")), with_key)

    @rule(
        buyer=buyer_ix,
        wanted=st.dictionaries(sku_ix, st.integers(1, 2), min_size=1, max_size=3),
        with_key=st.booleans(),
    )
    def checkout_now(self, buyer, wanted, with_key):
        quantities = {self.skus[i].pk: n for i, n in wanted.items()}
        self._checkout(self.buyers[buyer], quantities, with_key)

    @precondition(lambda self: self.checkout_keys)
    @rule(which=pick)
    def checkout_retried(self, which):
        """A retry with the same Idempotency-Key gets the same checkout and changes nothing."""
        keys = sorted(self.checkout_keys.items())
        (buyer_pk, key), checkout_pk = keys[which % len(keys)]
        buyer = next(b for b in self.buyers if b.pk == buyer_pk)
        before = self._snapshot()
        again = checkout_create(
            buyer=buyer,
            items=[CheckoutItem(sku=self.skus[0].public_id, quantity=1)],
            ship_to=self.address,
            idempotency_key=key,
        )
        assert again.pk == checkout_pk
        assert self._snapshot() == before

    # -- paying -------------------------------------------------------------------------

    def _pick_checkout(self, which) -> Checkout:
        """Preferably one with something to pay."""
        unpaid = Checkout.objects.filter(orders__state=OrderState.WAIT_BUYER_PAY).distinct()
        checkouts = list(unpaid.order_by("pk")) or list(Checkout.objects.order_by("pk"))
        return checkouts[which % len(checkouts)]

    def do_pay_wallet(self, checkout: Checkout, *, wrong: bool = False, with_key: bool = False):
        buyer = self._other_than(checkout.buyer) if wrong else checkout.buyer
        due = checkout_amount_due(checkout)
        ok = not wrong and 0 < due <= self._wallet(buyer)
        key = self._next_key() if with_key else None
        payment = self._call(
            ok, checkout_pay_wallet, checkout=checkout, buyer=buyer, idempotency_key=key
        )
        if payment is not None:
            assert payment.amount == due
            assert checkout_amount_due(checkout) == 0
            if key:
                self.payment_keys[(buyer.pk, key)] = (checkout.pk, payment.pk)

    def do_pay_provider(self, checkout: Checkout, *, wrong: bool = False) -> Payment | None:
        buyer = self._other_than(checkout.buyer) if wrong else checkout.buyer
        due = checkout_amount_due(checkout)
        payment = self._call(
            not wrong and due > 0, checkout_pay_provider, checkout=checkout, buyer=buyer
        )
        if payment is not None:
            assert (payment.state, payment.amount) == (PaymentState.PENDING, due)
            self.provider_payments.append(payment.pk)
        return payment

    def do_provider_answer(self, payment: Payment, *, succeeds: bool = True) -> None:
        """The provider's webhook: success (maybe late, maybe a duplicate) or failure."""
        checkout = Checkout.objects.get(public_id=payment.reference)
        due = checkout_amount_due(checkout)
        if succeeds:
            changed = payment_succeed(payment_id=payment.pk, provider_ref="sbx")
        else:
            changed = payment_fail(payment_id=payment.pk)
        assert changed == (payment.state == PaymentState.PENDING)
        if not changed:
            event("provider answered twice: ignored")
        elif succeeds:
            payment.refresh_from_db()
            paid = sum(Order.objects.filter(payment=payment).values_list("total", flat=True))
            # Either it paid exactly what was due, or nothing and it all went back.
            assert paid in (due, 0)
            assert payment.refunded == payment.amount - paid
            event("provider paid the orders" if paid else "provider paid late: all refunded")
            if paid and payment.refunded:
                event("provider paid more than due: surplus refunded")
            if paid:
                assert checkout_amount_due(checkout) == 0

    @precondition(lambda self: self.seen["order"])
    @rule(which=pick, wrong=wrong_actor, with_key=st.booleans())
    def pay_from_wallet(self, which, wrong, with_key):
        self.do_pay_wallet(self._pick_checkout(which), wrong=wrong, with_key=with_key)

    @precondition(lambda self: self.payment_keys)
    @rule(which=pick)
    def pay_retried(self, which):
        keys = sorted(self.payment_keys.items())
        (buyer_pk, key), (checkout_pk, payment_pk) = keys[which % len(keys)]
        buyer = next(b for b in self.buyers if b.pk == buyer_pk)
        checkout = Checkout.objects.get(pk=checkout_pk)
        before = self._snapshot()
        again = checkout_pay_wallet(checkout=checkout, buyer=buyer, idempotency_key=key)
        assert again.pk == payment_pk
        assert self._snapshot() == before

    @precondition(lambda self: self.seen["order"])
    @rule(which=pick, wrong=wrong_actor)
    def pay_through_provider(self, which, wrong):
        self.do_pay_provider(self._pick_checkout(which), wrong=wrong)

    @precondition(lambda self: self.provider_payments)
    @rule(which=pick, succeeds=st.sampled_from([True, True, False]))
    def provider_answers(self, which, succeeds):
        pk = self.provider_payments[which % len(self.provider_payments)]
        self.do_provider_answer(Payment.objects.get(pk=pk), succeeds=succeeds)

    # -- the order's life ---------------------------------------------------------------

    def do_cancel(self, order: Order, *, wrong: bool = False) -> None:
        actor, right = self._buyer_or_other(order, wrong)
        ok = right and order.state == OrderState.WAIT_BUYER_PAY
        if self._call(ok, order_cancel, order=order, actor=actor):
            assert Order.objects.get(pk=order.pk).state == OrderState.CLOSED

    def do_ship(self, order: Order, *, wrong: bool = False) -> None:
        actor, right = self._seller_or_other(order, wrong)
        ok = right and order.state == OrderState.WAIT_SELLER_SEND
        self._call(ok, order_ship, order=order, actor=actor, carrier="中通", waybill="ZT1234567")

    def do_confirm(self, order: Order, *, wrong: bool = False) -> None:
        actor, right = self._buyer_or_other(order, wrong)
        ok = (
            right
            and order.state == OrderState.WAIT_BUYER_CONFIRM
            and self._open_refund(order) is None
        )
        self._call(ok, order_confirm, order=order, actor=actor)

    def do_extend(self, order: Order, *, days: int, wrong: bool = False) -> None:
        actor, right = self._buyer_or_other(order, wrong)
        ok = (
            right
            and days in (3, 5, 7, 10)
            and order.state == OrderState.WAIT_BUYER_CONFIRM
            and not order.confirm_extended_days
        )
        if self._call(ok, order_extend_confirm, order=order, actor=actor, days=days):
            after = Order.objects.get(pk=order.pk)
            assert after.auto_confirm_at == order.auto_confirm_at + timedelta(days=days)

    @precondition(lambda self: self.seen["order"])
    @rule(which=pick, wrong=wrong_actor)
    def cancel(self, which, wrong):
        self.do_cancel(self._pick_order(which, OrderState.WAIT_BUYER_PAY), wrong=wrong)

    @precondition(lambda self: self.seen["order"])
    @rule(which=pick, wrong=wrong_actor)
    def ship(self, which, wrong):
        self.do_ship(self._pick_order(which, OrderState.WAIT_SELLER_SEND), wrong=wrong)

    @precondition(lambda self: self.seen["order"])
    @rule(which=pick, wrong=wrong_actor)
    def confirm(self, which, wrong):
        self.do_confirm(self._pick_order(which, OrderState.WAIT_BUYER_CONFIRM), wrong=wrong)

    @precondition(lambda self: self.seen["order"])
    @rule(which=pick, wrong=wrong_actor, days=st.sampled_from([3, 5, 7, 10, 4]))
    def extend(self, which, wrong, days):
        order = self._pick_order(which, OrderState.WAIT_BUYER_CONFIRM)
        self.do_extend(order, days=days, wrong=wrong)

    # -- refunds and disputes -----------------------------------------------------------

    def do_request(
        self, order: Order, *, kind: str, how_much: str, percent: int = 50, wrong: bool = False
    ) -> None:
        actor, right = self._buyer_or_other(order, wrong)
        refundable = order.total - order.refunded
        amount = {
            "all": None,
            "exact": refundable,
            "part": max(1, refundable * percent // 100),
            "over": refundable + 1,
            "zero": 0,
        }[how_much]
        if order.state == OrderState.WAIT_SELLER_SEND:
            amount_ok = amount in (None, refundable)
        else:
            amount_ok = amount is None or 0 < amount <= refundable
        ok = (
            right
            and order.state in ESCROW_STATES
            and self._open_refund(order) is None
            and amount_ok
        )
        refund = self._call(
            ok, refund_request, order=order, actor=actor, reason="不合适", kind=kind, amount=amount
        )
        if refund is not None and order.state == OrderState.WAIT_SELLER_SEND:
            # Before shipment: the whole order back at once, and the order closes.
            refund.refresh_from_db()
            assert (refund.state, refund.amount_refunded) == (RefundState.REFUNDED, refundable)
            assert Order.objects.get(pk=order.pk).state == OrderState.CLOSED

    def do_withdraw(self, refund: Refund, *, wrong: bool = False) -> None:
        actor, right = self._buyer_or_other(refund.order, wrong)
        self._call(right and refund.is_open, refund_cancel, refund=refund, actor=actor)

    def do_agree(self, refund: Refund, *, wrong: bool = False) -> None:
        actor, right = self._seller_or_other(refund.order, wrong)
        ok = right and refund.state == RefundState.REQUESTED
        if self._call(ok, refund_agree, refund=refund, actor=actor):
            refund.refresh_from_db()
            expected = (
                RefundState.AWAITING_RETURN
                if refund.kind == RefundKind.RETURN_AND_REFUND
                else RefundState.REFUNDED
            )
            assert refund.state == expected

    def do_refuse(self, refund: Refund, *, wrong: bool = False) -> None:
        actor, right = self._seller_or_other(refund.order, wrong)
        ok = right and refund.state in (RefundState.REQUESTED, RefundState.RETURN_SHIPPED)
        self._call(ok, refund_refuse, refund=refund, actor=actor, answer="货物完好")

    def do_return_shipped(self, refund: Refund, *, wrong: bool = False) -> None:
        actor, right = self._buyer_or_other(refund.order, wrong)
        ok = right and refund.state == RefundState.AWAITING_RETURN
        self._call(
            ok, refund_return_shipped, refund=refund, actor=actor, carrier="EMS", waybill="EMS0009"
        )

    def do_return_received(self, refund: Refund, *, wrong: bool = False) -> None:
        actor, right = self._seller_or_other(refund.order, wrong)
        ok = right and refund.state == RefundState.RETURN_SHIPPED
        self._call(ok, refund_return_received, refund=refund, actor=actor)

    def do_decide(
        self, refund: Refund, *, how_much: str, percent: int = 50, wrong: bool = False
    ) -> None:
        actor = refund.order.shop.owner if wrong else self.operator
        amount = {
            "zero": 0,
            "part": max(1, refund.amount * percent // 100),
            "all": refund.amount,
            "over": refund.amount + 1,
        }[how_much]
        ok = not wrong and refund.state == RefundState.DISPUTED and amount <= refund.amount
        before = refund.order
        if self._call(ok, dispute_decide, refund=refund, actor=actor, amount=amount, decision="x"):
            refund.refresh_from_db()
            order = Order.objects.get(pk=before.pk)
            if amount:
                assert (refund.state, refund.amount_refunded) == (RefundState.REFUNDED, amount)
                assert order.refunded == before.refunded + amount
            else:
                # Rejected: the order goes on as it was.
                assert refund.state == RefundState.REJECTED
                assert (order.state, order.refunded) == (before.state, before.refunded)

    @precondition(lambda self: self.seen["order"])
    @rule(
        which=pick,
        wrong=wrong_actor,
        kind=st.sampled_from(RefundKind.values),
        how_much=st.sampled_from(["all", "part", "part", "exact", "over", "zero"]),
        percent=st.integers(1, 99),
    )
    def request_refund(self, which, wrong, kind, how_much, percent):
        order = self._pick_order(which, *ESCROW_STATES)
        self.do_request(order, kind=kind, how_much=how_much, percent=percent, wrong=wrong)

    @precondition(lambda self: self.seen["open_refund"])
    @rule(which=pick, wrong=wrong_actor)
    def withdraw_refund(self, which, wrong):
        self.do_withdraw(self._pick_refund(which, *OPEN_REFUND_STATES), wrong=wrong)

    @precondition(lambda self: self.seen["open_refund"])
    @rule(which=pick, wrong=wrong_actor)
    def seller_agrees(self, which, wrong):
        self.do_agree(self._pick_refund(which, RefundState.REQUESTED), wrong=wrong)

    @precondition(lambda self: self.seen["open_refund"])
    @rule(which=pick, wrong=wrong_actor)
    def seller_refuses(self, which, wrong):
        refund = self._pick_refund(which, RefundState.REQUESTED, RefundState.RETURN_SHIPPED)
        self.do_refuse(refund, wrong=wrong)

    @precondition(lambda self: self.seen["open_refund"])
    @rule(which=pick, wrong=wrong_actor)
    def buyer_ships_return(self, which, wrong):
        self.do_return_shipped(self._pick_refund(which, RefundState.AWAITING_RETURN), wrong=wrong)

    @precondition(lambda self: self.seen["open_refund"])
    @rule(which=pick, wrong=wrong_actor)
    def seller_receives_return(self, which, wrong):
        refund = self._pick_refund(which, RefundState.RETURN_SHIPPED)
        self.do_return_received(refund, wrong=wrong)

    @precondition(lambda self: self.seen["open_refund"])
    @rule(
        which=pick,
        wrong=wrong_actor,
        how_much=st.sampled_from(["zero", "part", "all", "over"]),
        percent=st.integers(1, 99),
    )
    def operator_decides(self, which, wrong, how_much, percent):
        refund = self._pick_refund(which, RefundState.DISPUTED)
        self.do_decide(refund, how_much=how_much, percent=percent, wrong=wrong)

    # -- one natural step for some open order (so examples get deep) ---------------------

    @precondition(lambda self: self.seen["open_order"])
    @rule(steps=st.integers(1, 6), data=st.data())
    def advance(self, steps, data):
        """A few times: whoever must act on an open order does one of the things they may."""
        for _ in range(steps):
            if not Order.objects.filter(state__in=OPEN_STATES).exists():
                return
            self._advance_one(data.draw(pick), data.draw)

    def _advance_one(self, which, draw):
        order = self._pick_order(which, *OPEN_STATES)
        refund = self._open_refund(order)
        if order.state == OrderState.WAIT_BUYER_PAY:
            how = draw(st.sampled_from(["wallet", "provider", "pending", "cancel"]))
            if how == "wallet":
                short = checkout_amount_due(order.checkout) - self._wallet(order.buyer)
                if short > 0:
                    self.top_up(self.buyers.index(order.buyer), short)
                self.do_pay_wallet(order.checkout, with_key=draw(st.booleans()))
            elif how in ("provider", "pending"):
                payment = self.do_pay_provider(order.checkout)
                if how == "provider":
                    self.do_provider_answer(payment)
            else:
                self.do_cancel(order)
        elif order.state == OrderState.WAIT_SELLER_SEND:
            if draw(st.sampled_from(["ship", "ship", "refund"])) == "ship":
                self.do_ship(order)
            else:
                self.do_request(order, kind=RefundKind.REFUND_ONLY, how_much="all")
        elif refund is None:
            how = draw(st.sampled_from(["confirm", "extend", "refund", "refund"]))
            if how == "confirm":
                self.do_confirm(order)
            elif how == "extend":
                self.do_extend(order, days=draw(st.sampled_from([3, 5, 7, 10])))
            else:
                self.do_request(
                    order,
                    kind=draw(st.sampled_from(RefundKind.values)),
                    how_much=draw(st.sampled_from(["all", "part"])),
                    percent=draw(st.integers(1, 99)),
                )
        else:
            steps = {
                RefundState.REQUESTED: [self.do_agree, self.do_refuse, self.do_withdraw],
                RefundState.AWAITING_RETURN: [self.do_return_shipped, self.do_withdraw],
                RefundState.RETURN_SHIPPED: [self.do_return_received, self.do_refuse],
                RefundState.DISPUTED: [self.do_decide, self.do_withdraw],
            }[refund.state]
            step = draw(st.sampled_from(steps))
            if step == self.do_decide:
                how_much = draw(st.sampled_from(["zero", "part", "all"]))
                step(refund, how_much=how_much, percent=draw(st.integers(1, 99)))
            else:
                step(refund)

    # -- time and money from outside ----------------------------------------------------

    @rule(wait=waits)
    def time_passes(self, wait):
        """The clock moves and the sweeper runs until it has nothing left to do."""
        self.clock += wait
        for _ in range(4):
            result = deadlines_sweep()
            assert result.failed == 0
            for name in ("closed_unpaid", "auto_confirmed", "refunds_moved"):
                if getattr(result, name):
                    event(f"sweep {name}")
            if not (result.closed_unpaid or result.auto_confirmed or result.refunds_moved):
                break
        else:
            raise AssertionError("the sweeper keeps finding work")
        now = self.clock
        assert not Order.objects.filter(
            state=OrderState.WAIT_BUYER_PAY, pay_deadline__lte=now
        ).exists()
        assert not Refund.objects.filter(state__in=OPEN_REFUND_STATES, deadline__lte=now).exists()
        for order in Order.objects.filter(
            state=OrderState.WAIT_BUYER_CONFIRM, auto_confirm_at__lte=now
        ):
            assert self._open_refund(order) is not None, "overdue order not auto-confirmed"

    @rule(buyer=buyer_ix, amount=st.integers(1, 50_000))
    def top_up(self, buyer, amount):
        fund_wallet(self.buyers[buyer], amount)
        self.funded[self.buyers[buyer].pk] += amount

    # -- invariants ---------------------------------------------------------------------
    # One invariant reading every table once per step (a query per row would be too slow).

    @invariant()
    def money_stock_and_history_are_consistent(self):
        audit = ledger_audit()
        assert audit.ok, audit  # books balance; cached balances equal the sums of transfers
        balances = defaultdict(int)  # (kind, owner) -> balance
        for kind, owner_id, balance in Account.objects.values_list("kind", "owner_id", "balance"):
            balances[(kind, owner_id)] += balance
            assert kind != AccountKind.WALLET or balance >= 0
        orders = {
            row["pk"]: row
            for row in Order.objects.values(
                "pk",
                "state",
                "total",
                "refunded",
                "payment_id",
                "shop_id",
                "shop_kind",
                "seller_amount",
                "commission",
                "shipped_at",
            )
        }
        refunds = list(
            Refund.objects.values("pk", "order_id", "state", "amount", "amount_refunded")
        )
        payments = list(
            Payment.objects.values(
                "pk", "payer_id", "method", "state", "amount", "refunded", "reference"
            )
        )
        self._check_escrow_and_wallets(balances, orders, payments)
        self._check_stock(orders)
        self._check_refunds(orders, refunds)
        self._check_payments(orders, payments)
        self._check_history(orders, refunds)
        self.seen["order"] = bool(orders)
        self.seen["open_order"] = any(o["state"] in OPEN_STATES for o in orders.values())
        self.seen["open_refund"] = any(r["state"] in OPEN_REFUND_STATES for r in refunds)

    def _check_escrow_and_wallets(self, balances, orders, payments):
        held = sum(
            o["total"] - o["refunded"] for o in orders.values() if o["state"] in ESCROW_STATES
        )
        assert balances[(AccountKind.ESCROW, None)] == held, "escrow differs from open orders"
        for buyer in self.buyers:
            spent = sum(
                p["amount"] - p["refunded"]
                for p in payments
                if p["payer_id"] == buyer.pk and p["method"] == PaymentMethod.WALLET
            )
            assert balances[(AccountKind.WALLET, buyer.pk)] == self.funded[buyer.pk] - spent
        for shop in self.shops:
            earned = sum(o["seller_amount"] for o in orders.values() if o["shop_id"] == shop.pk)
            assert balances[(AccountKind.WALLET, shop.owner_id)] == earned
        commission = sum(o["commission"] for o in orders.values())
        assert balances[(AccountKind.REVENUE, None)] == commission
        by_provider = sum(
            p["amount"] - p["refunded"]
            for p in payments
            if p["method"] == PaymentMethod.PROVIDER and p["state"] == PaymentState.SUCCEEDED
        )
        assert balances[(AccountKind.CLEARING, None)] == -sum(self.funded.values()) - by_provider

    def _check_stock(self, orders):
        reserved = defaultdict(int)
        sold = defaultdict(int)
        for order_id, sku_id, quantity in OrderLine.objects.values_list(
            "order_id", "sku_id", "quantity"
        ):
            order = orders[order_id]
            if order["state"] in (OrderState.WAIT_BUYER_PAY, OrderState.WAIT_SELLER_SEND):
                reserved[sku_id] += quantity
            if order["shipped_at"] is not None:
                sold[sku_id] += quantity
        for pk, available, in_reserve, in_sold in Sku.objects.values_list(
            "pk", "available", "reserved", "sold"
        ):
            assert available >= 0
            assert available + in_reserve + in_sold == self.stock[pk], pk
            assert (in_reserve, in_sold) == (reserved[pk], sold[pk]), pk

    def _check_refunds(self, orders, refunds):
        refunded = defaultdict(int)
        for refund in refunds:
            assert 0 <= refund["amount_refunded"] <= refund["amount"]
            assert (refund["amount_refunded"] > 0) == (refund["state"] == RefundState.REFUNDED)
            refunded[refund["order_id"]] += refund["amount_refunded"]
            if refund["state"] in OPEN_REFUND_STATES:
                # Before shipment a refund is paid at once; after, it blocks confirmation.
                assert orders[refund["order_id"]]["state"] == OrderState.WAIT_BUYER_CONFIRM
        for order in orders.values():
            assert 0 <= order["refunded"] <= order["total"]
            assert order["refunded"] == refunded[order["pk"]], order
            if order["refunded"] == order["total"]:
                assert order["state"] == OrderState.CLOSED, order
            if order["state"] == OrderState.CLOSED and order["payment_id"]:
                assert order["refunded"] == order["total"], "a paid order closed unrefunded"
            if order["state"] == OrderState.FINISHED:
                released = order["total"] - order["refunded"]
                assert order["seller_amount"] + order["commission"] == released, order
                assert order["commission"] >= 0
                if order["shop_kind"] != ShopKind.ENTERPRISE:
                    assert order["commission"] == 0
            else:
                assert (order["seller_amount"], order["commission"]) == (0, 0)

    def _check_payments(self, orders, payments):
        """A payment's money, less what went back, is exactly what its orders cost (less
        their refunds): a surplus (late, or a second payment) is returned in full."""
        kept = defaultdict(int)
        for order in orders.values():
            if order["payment_id"]:
                kept[order["payment_id"]] += order["total"] - order["refunded"]
        succeeded = defaultdict(int)
        for payment in payments:
            assert 0 <= payment["refunded"] <= payment["amount"]
            if payment["state"] == PaymentState.SUCCEEDED:
                assert payment["amount"] - payment["refunded"] == kept[payment["pk"]], payment
                succeeded[f"checkout:{payment['reference']}"] += payment["amount"]
            else:
                assert (payment["refunded"], kept[payment["pk"]]) == (0, 0), payment
        # Into escrow exactly once per succeeded payment: no PAYMENT transfer without one.
        into_escrow = dict(
            Transfer.objects.filter(kind=TransferKind.PAYMENT, credit__kind=AccountKind.ESCROW)
            .values_list("reference")
            .annotate(s=Sum("amount"))
        )
        assert into_escrow == {ref: s for ref, s in succeeded.items() if s}

    def _check_history(self, orders, refunds):
        """Each order (and each refund) has one PAID event if paid, and its event rows
        chain from nothing to its current state."""
        chains: dict[tuple[int, int | None], list[tuple[str, str]]] = defaultdict(list)
        for order_id, refund_id, from_state, to_state in OrderEvent.objects.order_by(
            "id"
        ).values_list("order_id", "refund_id", "from_state", "to_state"):
            chains[(order_id, refund_id)].append((from_state, to_state))
        for refund in refunds:
            assert chains[(refund["order_id"], refund["pk"])][-1][1] == refund["state"]
        for order in orders.values():
            steps = chains[(order["pk"], None)]
            assert steps[-1][1] == order["state"], (order, steps)
            paid = sum(1 for _f, to in steps if to == OrderState.WAIT_SELLER_SEND)
            assert paid == (1 if order["payment_id"] else 0), order
        for steps in chains.values():
            assert steps[0][0] == ""
            for (_f, previous), (start, _t) in itertools.pairwise(steps):
                assert start == previous, steps


@pytest.mark.django_db
def test_random_shopping_keeps_money_stock_and_history_consistent():
    run_state_machine_as_test(
        OrderMoney,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
