"""Real threads on PostgreSQL: buyers, sellers and the payment provider racing each other
never oversell, never pay an order twice, and never let two outcomes both win."""

import functools
import json
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.models import Sku
from evillage.core.errors import DomainError
from evillage.core.tests.threads import run_together
from evillage.ledger.models import AccountKind, Transfer, TransferKind
from evillage.ledger.services import account_platform
from evillage.orders.models import Checkout, Order, OrderState, Refund, RefundState
from evillage.orders.services.checkout import checkout_create
from evillage.orders.services.deadlines import deadlines_sweep
from evillage.orders.services.lifecycle import order_close_unpaid, order_confirm, order_ship
from evillage.orders.services.payment import (
    checkout_pay_provider,
    checkout_pay_wallet,
    settle_checkout_payment,
)
from evillage.orders.services.refunds import refund_agree, refund_request
from evillage.orders.tests.factories import (
    assert_books_balance,
    escrow_balance,
    fund_wallet,
    item,
    make_shop,
    make_sku,
    ship_to,
    wallet_balance,
)
from evillage.payments.models import Payment, PaymentState
from evillage.payments.services import payment_succeed
from evillage.payments.services import payments as payment_services

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _delayed(job, seconds: float):
    """The job, started a little later: to make sure each side of a race wins sometimes."""

    def run():
        time.sleep(seconds)
        return job()

    return run


def _platform_accounts():
    """Create the hot platform rows up front, as a running site has them."""
    for kind in (AccountKind.ESCROW, AccountKind.CLEARING, AccountKind.REVENUE):
        account_platform(kind=kind, currency="CNY")


def _slow_checkout_handler(monkeypatch, seconds: float = 0.3) -> None:
    """Hold each settling transaction open, so a second one arrives while it runs."""

    def slow(payment: Payment) -> None:
        time.sleep(seconds)
        settle_checkout_payment(payment)

    monkeypatch.setitem(payment_services._HANDLERS, "checkout", slow)


def test_flash_sale_sells_exactly_the_stock():
    """40 buyers in 16 threads want one of 10 units: 10 get one, 30 hear "out of stock",
    and no reader ever sees the stock below zero or units lost between the columns."""
    _platform_accounts()
    sku = make_sku(price=990, available=10)
    buyers = [UserFactory() for _ in range(40)]
    address = ship_to(buyers[0])

    def buy_each(group) -> list[str]:
        outcomes = []
        for buyer in group:
            try:
                checkout_create(buyer=buyer, items=[item(sku)], ship_to=address)
                outcomes.append("ok")
            except DomainError as exc:
                outcomes.append(exc.code)
        return outcomes

    samples: list[tuple[int, int]] = []
    stop = threading.Event()

    def watch():
        try:
            while not stop.is_set():
                samples.append(Sku.objects.values_list("available", "reserved").get(pk=sku.pk))
        finally:
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        groups = [buyers[i::16] for i in range(16)]
        outcomes = run_together([functools.partial(buy_each, group) for group in groups])
    finally:
        stop.set()
        watcher.join(timeout=30)

    flat = [outcome for group in outcomes for outcome in group]
    assert sorted(flat) == ["ok"] * 10 + ["out_of_stock"] * 30, flat
    sku.refresh_from_db()
    assert (sku.available, sku.reserved, sku.sold) == (0, 10, 0)
    orders = Order.objects.filter(lines__sku=sku)
    assert orders.count() == 10
    assert orders.values("buyer").distinct().count() == 10
    assert samples, "the watcher saw nothing"
    assert all(available >= 0 and available + reserved == 10 for available, reserved in samples)


def _checkout(buyer, *skus) -> Checkout:
    return checkout_create(buyer=buyer, items=[item(sku) for sku in skus], ship_to=ship_to(buyer))


def test_provider_reporting_one_payment_twice_at_once_pays_once(monkeypatch):
    _platform_accounts()
    buyer = UserFactory()
    checkout = _checkout(buyer, make_sku(price=19900), make_sku(price=5000))
    payment = checkout_pay_provider(checkout=checkout, buyer=buyer)
    _slow_checkout_handler(monkeypatch)

    outcomes = run_together([functools.partial(payment_succeed, payment_id=payment.pk)] * 2)

    assert sorted(outcomes) == [False, True]
    assert set(checkout.orders.values_list("state", flat=True)) == {OrderState.WAIT_SELLER_SEND}
    assert escrow_balance() == 24900
    assert account_platform(kind=AccountKind.CLEARING, currency="CNY").balance == -24900
    payment.refresh_from_db()
    assert (payment.state, payment.refunded) == (PaymentState.SUCCEEDED, 0)
    assert_books_balance()


def test_two_payments_of_one_checkout_succeeding_at_once_pay_the_orders_once(monkeypatch):
    """The buyer opened the provider page twice and paid both: the orders are paid by one
    payment, and the other one goes back in full."""
    _platform_accounts()
    buyer = UserFactory()
    a = make_sku(shop=make_shop(shipping_fee=500), price=19900)
    b = make_sku(price=5000)
    checkout = _checkout(buyer, a, b)
    first = checkout_pay_provider(checkout=checkout, buyer=buyer)
    second = checkout_pay_provider(checkout=checkout, buyer=buyer)
    _slow_checkout_handler(monkeypatch)

    outcomes = run_together(
        [functools.partial(payment_succeed, payment_id=p.pk) for p in (first, second)]
    )

    assert outcomes == [True, True]
    orders = list(checkout.orders.all())
    assert {o.state for o in orders} == {OrderState.WAIT_SELLER_SEND}
    assert len({o.payment_id for o in orders}) == 1  # both orders by the same payment
    payer = Payment.objects.get(pk=orders[0].payment_id)
    other = Payment.objects.get(pk=({first.pk, second.pk} - {payer.pk}).pop())
    assert (payer.refunded, other.refunded) == (0, other.amount)
    assert escrow_balance() == checkout.total == 19900 + 500 + 5000
    # Clearing: both charges in, one returned.
    assert account_platform(kind=AccountKind.CLEARING, currency="CNY").balance == -checkout.total
    paid_events = sum(o.events.filter(to_state=OrderState.WAIT_SELLER_SEND).count() for o in orders)
    assert paid_events == 2
    assert_books_balance()


def test_wallet_and_provider_paying_one_checkout_at_once_charge_once(monkeypatch):
    _platform_accounts()
    buyer = UserFactory()
    fund_wallet(buyer, 50_000)
    checkout = _checkout(buyer, make_sku(price=19900))
    by_provider = checkout_pay_provider(checkout=checkout, buyer=buyer)
    _slow_checkout_handler(monkeypatch, seconds=0.1)

    outcomes = run_together(
        [
            functools.partial(payment_succeed, payment_id=by_provider.pk),
            functools.partial(checkout_pay_wallet, checkout=checkout, buyer=buyer),
        ]
    )

    order = checkout.orders.get()
    assert order.state == OrderState.WAIT_SELLER_SEND
    by_provider.refresh_from_db()
    if order.payment_id == by_provider.pk:  # the provider came first: the wallet was refused
        assert outcomes[1] == "nothing_to_pay"
        assert wallet_balance(buyer) == 50_000
        assert by_provider.refunded == 0
    else:  # the wallet came first: the provider's money goes back
        assert outcomes[0] is True
        assert wallet_balance(buyer) == 50_000 - 19900
        assert by_provider.refunded == by_provider.amount
    assert escrow_balance() == 19900
    assert_books_balance()


def test_confirm_racing_a_refund_request_lets_exactly_one_win():
    """Six shipped orders; on each the buyer confirms and asks for a refund at once (two
    devices). One of the two wins and the order is in the state that one leaves."""
    _platform_accounts()
    pairs = []
    for _ in range(6):
        buyer = UserFactory()
        fund_wallet(buyer, 19900)
        sku = make_sku(price=19900)
        checkout = _checkout(buyer, sku)
        checkout_pay_wallet(checkout=checkout, buyer=buyer)
        order = checkout.orders.get()
        order_ship(order=order, actor=sku.product.shop.owner, carrier="中通", waybill="ZT1234567")
        pairs.append((buyer, Order.objects.get(pk=order.pk)))
    jobs = []
    for buyer, order in pairs:
        jobs.append(functools.partial(order_confirm, order=order, actor=buyer))
        jobs.append(
            functools.partial(refund_request, order=order, actor=buyer, reason="破损", amount=5000)
        )

    outcomes = run_together(jobs)

    for index, (_buyer, order) in enumerate(pairs):
        confirmed, asked = outcomes[2 * index], outcomes[2 * index + 1]
        order.refresh_from_db()
        refunds = list(Refund.objects.filter(order=order))
        if isinstance(confirmed, Order):
            assert asked == "order_state", outcomes
            assert order.state == OrderState.FINISHED
            assert refunds == []
            assert wallet_balance(order.shop.owner) == 19900
        else:
            assert confirmed == "refund_open", outcomes
            assert isinstance(asked, Refund), outcomes
            assert order.state == OrderState.WAIT_BUYER_CONFIRM
            assert [r.state for r in refunds] == [RefundState.REQUESTED]
            assert wallet_balance(order.shop.owner) == 0
    held = sum(o.in_escrow for _b, o in pairs)
    assert escrow_balance() == held
    assert_books_balance()


def test_one_idempotency_key_sent_from_several_threads_makes_one_checkout():
    """A phone on a bad line retries POST /api/checkouts with the same Idempotency-Key
    while the first attempt is still running: one checkout, one reservation."""
    _platform_accounts()
    buyer = UserFactory()
    sku = make_sku(price=19900, available=5)
    body = json.dumps(
        {
            "items": [{"sku": sku.public_id, "quantity": 2}],
            "ship_to": {
                "place": ship_to(buyer).place,
                "street": "东风路 8 号",
                "name": "王小明",
                "phone": "13800138000",
            },
        }
    )
    clients = []
    for _ in range(6):
        client = Client()
        client.force_login(buyer)
        clients.append(client)

    def post(client):
        response = client.post(
            "/api/checkouts",
            data=body,
            content_type="application/json",
            headers={"Idempotency-Key": "flaky-3g-1"},
        )
        data = response.json()
        return response.status_code, data.get("id") or data.get("code")

    outcomes = run_together([functools.partial(post, client) for client in clients])

    assert Checkout.objects.filter(buyer=buyer).count() == 1
    made = Checkout.objects.get(buyer=buyer)
    created = [o for o in outcomes if o[0] == 201]
    assert created and all(o == (201, made.public_id) for o in created), outcomes
    # The others were told to wait for the first (it was still running) or got its answer.
    assert all(o in ((201, made.public_id), (409, "idempotency_in_progress")) for o in outcomes)
    sku.refresh_from_db()
    assert (sku.available, sku.reserved) == (3, 2)


@pytest.mark.parametrize("operation", ["checkout", "pay_provider", "pay_wallet", "refund"])
def test_same_key_from_several_threads_answers_each_with_the_one_result(operation):
    """The web forms (checkout, pay, refund) pass their form token as the idempotency key,
    with no API claim in front: a double click runs the service twice at once. It must
    act once and answer every request with the same result, as a retry after the first
    committed gets (and the browser shows the answer to the last click).

    Today the loser of the race gets: checkout -> IntegrityError on
    checkout_unique_idempotency_key (a 500 page); pay by provider -> IntegrityError on
    payment_unique_idempotency_key (500); pay by wallet -> Conflict "nothing_to_pay";
    refund before shipment -> Conflict "order_state". The "earlier result?" read runs
    before the transaction, and nothing looks again after losing the race. Money and
    stock are right in every case (checked below).
    """
    _platform_accounts()
    buyer = UserFactory()
    fund_wallet(buyer, 19900)
    sku = make_sku(price=19900, available=5)
    key = f"web:{operation}:form-token-1"
    if operation == "checkout":
        act = functools.partial(
            checkout_create,
            buyer=buyer,
            items=[item(sku)],
            ship_to=ship_to(buyer),
            idempotency_key=key,
        )
    else:
        checkout = _checkout(buyer, sku)
        if operation == "pay_provider":
            act = functools.partial(
                checkout_pay_provider, checkout=checkout, buyer=buyer, idempotency_key=key
            )
        elif operation == "pay_wallet":
            act = functools.partial(
                checkout_pay_wallet, checkout=checkout, buyer=buyer, idempotency_key=key
            )
        else:
            checkout_pay_wallet(checkout=checkout, buyer=buyer)
            act = functools.partial(
                refund_request,
                order=checkout.orders.get(),
                actor=buyer,
                reason="拍错了",
                idempotency_key=key,
            )

    outcomes = run_together([act] * 3)

    sku.refresh_from_db()
    if operation == "checkout":
        assert (sku.available, sku.reserved) == (4, 1)  # reserved once
        assert Checkout.objects.filter(buyer=buyer).count() == 1
    assert_books_balance()
    assert not any(isinstance(o, str) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1, outcomes


def test_payment_arriving_while_the_sweeper_closes_the_order_is_applied_once(monkeypatch):
    """At the payment deadline the provider's success and the sweeper race: either the
    order is paid, or it is closed and the money goes straight back; never both."""
    _platform_accounts()
    results = []
    for _ in range(4):
        buyer = UserFactory()
        sku = make_sku(price=19900, available=2)
        checkout = _checkout(buyer, sku)
        payment = checkout_pay_provider(checkout=checkout, buyer=buyer)
        order = checkout.orders.get()
        later = order.pay_deadline + timedelta(seconds=1)
        results.append((order, payment, sku, later))
    jobs = []
    for index, (order, payment, _sku, later) in enumerate(results):
        pay = functools.partial(payment_succeed, payment_id=payment.pk)
        close = functools.partial(order_close_unpaid, order_id=order.pk, now=later)
        # Give each side a head start on half of the orders.
        if index % 2:
            jobs += [pay, _delayed(close, 0.2)]
        else:
            jobs += [_delayed(pay, 0.2), close]

    outcomes = run_together(jobs)

    assert all(o in (True, False) for o in outcomes), outcomes
    assert outcomes[1::2] == [True, False, True, False], outcomes  # closed, paid, ...
    for index, (order, payment, sku, _later) in enumerate(results):
        order.refresh_from_db()
        payment.refresh_from_db()
        sku.refresh_from_db()
        assert outcomes[2 * index] is True  # the payment itself always settles
        if outcomes[2 * index + 1]:  # closed first: the money went back
            assert order.state == OrderState.CLOSED
            assert payment.refunded == payment.amount
            assert (sku.available, sku.reserved) == (2, 0)
        else:
            assert order.state == OrderState.WAIT_SELLER_SEND
            assert (order.payment_id, payment.refunded) == (payment.pk, 0)
            assert (sku.available, sku.reserved) == (1, 1)
    assert escrow_balance() == sum(o.in_escrow for o, *_ in results)
    assert_books_balance()


def test_two_workers_sweeping_at_once_apply_each_deadline_once():
    _platform_accounts()
    orders = []
    for _ in range(8):
        buyer = UserFactory()
        orders.append(_checkout(buyer, make_sku(price=1000, available=3)).orders.get())
    for _ in range(4):
        buyer = UserFactory()
        fund_wallet(buyer, 19900)
        sku = make_sku(price=19900)
        checkout = _checkout(buyer, sku)
        checkout_pay_wallet(checkout=checkout, buyer=buyer)
        order = checkout.orders.get()
        order_ship(order=order, actor=sku.product.shop.owner, carrier="中通", waybill="ZT1234567")
        orders.append(order)
    later = timezone.now() + timedelta(days=60)

    outcomes = run_together([functools.partial(deadlines_sweep, now=later)] * 3)

    assert sum(r.closed_unpaid for r in outcomes) == 8, outcomes
    assert sum(r.auto_confirmed for r in outcomes) == 4, outcomes
    assert all(r.failed == 0 for r in outcomes), outcomes
    states = Counter(
        Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("state", flat=True)
    )
    assert states == {OrderState.CLOSED: 8, OrderState.FINISHED: 4}
    for order in orders:
        # One closing / finishing event each, whoever's sweep applied it.
        assert order.events.filter(to_state__in=["closed", "finished"]).count() == 1
    assert escrow_balance() == 0
    assert Transfer.objects.filter(kind=TransferKind.ESCROW_RELEASE).count() == 4
    assert_books_balance()


def test_seller_answering_at_the_deadline_races_the_sweeper_and_pays_once():
    """The seller presses "agree" just as the sweeper applies the seller's deadline (which
    agrees too): the buyer is refunded once, by whichever came first."""
    _platform_accounts()
    refunds = []
    for _ in range(4):
        buyer = UserFactory()
        fund_wallet(buyer, 19900)
        sku = make_sku(price=19900)
        checkout = _checkout(buyer, sku)
        checkout_pay_wallet(checkout=checkout, buyer=buyer)
        order = checkout.orders.get()
        order_ship(order=order, actor=sku.product.shop.owner, carrier="中通", waybill="ZT1234567")
        refunds.append(refund_request(order=order, actor=buyer, reason="破损", amount=5000))
    later = max(r.deadline for r in refunds) + timedelta(seconds=1)
    jobs = [functools.partial(deadlines_sweep, now=later)]
    for index, refund in enumerate(refunds):
        agree = functools.partial(refund_agree, refund=refund, actor=refund.order.shop.owner)
        jobs.append(_delayed(agree, 0.3) if index % 2 else agree)

    outcomes = run_together(jobs)

    sweep, answers = outcomes[0], outcomes[1:]
    assert sweep.failed == 0, outcomes
    assert answers[1::2] == ["refund_state"] * 2, outcomes  # the late ones lost to the sweep
    assert all(isinstance(a, Refund) or a == "refund_state" for a in answers), outcomes
    assert sweep.refunds_moved + sum(isinstance(a, Refund) for a in answers) == 4, outcomes
    for refund in refunds:
        refund.refresh_from_db()
        assert (refund.state, refund.amount_refunded) == (RefundState.REFUNDED, 5000)
        assert refund.events.filter(to_state="refunded").count() == 1
        assert wallet_balance(refund.order.buyer) == 5000
    assert escrow_balance() == 4 * (19900 - 5000)
    assert_books_balance()
