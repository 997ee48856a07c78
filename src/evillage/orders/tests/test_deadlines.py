"""Timers are deadline columns applied by the sweeper: nothing waits on a running process,
a sweep applies each deadline once, and a worker that was down catches up."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.catalog.models import Sku
from evillage.core.errors import Conflict, ValidationFailed
from evillage.ledger.models import Transfer
from evillage.orders.management.commands import worker as worker_command
from evillage.orders.models import Order, OrderEvent, OrderState, Refund, RefundKind, RefundState
from evillage.orders.services.checkout import checkout_create
from evillage.orders.services.deadlines import SweepResult, deadlines_sweep
from evillage.orders.services.lifecycle import order_extend_confirm, order_ship
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.orders.services.refunds import (
    dispute_decide,
    refund_agree,
    refund_refuse,
    refund_request,
    refund_return_shipped,
)
from evillage.orders.tests.factories import (
    assert_books_balance,
    escrow_balance,
    fund_wallet,
    item,
    make_sku,
    ship_to,
    wallet_balance,
)

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)
NOTHING = SweepResult()


class Clock:
    """What timezone.now() answers in the services while the test runs."""

    def __init__(self):
        self.now = timezone.now()

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock():
    clock = Clock()
    with mock.patch("django.utils.timezone.now", lambda: clock.now):
        yield clock


def _ordered(buyer, sku, quantity: int = 1) -> Order:
    checkout = checkout_create(buyer=buyer, items=[item(sku, quantity)], ship_to=ship_to(buyer))
    return checkout.orders.get()


def _paid(buyer, sku, quantity: int = 1) -> Order:
    order = _ordered(buyer, sku, quantity)
    fund_wallet(buyer, order.total)
    checkout_pay_wallet(checkout=order.checkout, buyer=buyer)
    order.refresh_from_db()
    return order


def _shipped(buyer, sku) -> Order:
    order = _paid(buyer, sku)
    order_ship(order=order, actor=sku.product.shop.owner, carrier="中通", waybill="ZT12345678")
    order.refresh_from_db()
    return order


def _state(order) -> str:
    return Order.objects.get(pk=order.pk).state


def test_unpaid_order_closes_at_its_deadline_and_its_stock_returns(clock):
    buyer = UserFactory()
    sku = make_sku(available=5)
    order = _ordered(buyer, sku, 2)
    assert order.pay_deadline == clock.now + settings.ORDER_PAY_WITHIN

    clock.advance(settings.ORDER_PAY_WITHIN - MINUTE)
    assert deadlines_sweep() == NOTHING
    assert _state(order) == OrderState.WAIT_BUYER_PAY

    clock.advance(MINUTE)
    assert deadlines_sweep().closed_unpaid == 1
    order.refresh_from_db()
    assert (order.state, order.close_reason) == (OrderState.CLOSED, "not paid before the deadline")
    sku.refresh_from_db()
    assert (sku.available, sku.reserved, sku.sold) == (5, 0, 0)
    last = OrderEvent.objects.filter(order=order).last()
    assert (last.actor, last.from_state, last.to_state) == (None, "wait_pay", "closed")
    # Too late to pay now.
    fund_wallet(buyer, order.total)
    with pytest.raises(Conflict) as caught:
        checkout_pay_wallet(checkout=order.checkout, buyer=buyer)
    assert caught.value.code == "nothing_to_pay"


def test_shipped_order_confirms_itself_after_auto_confirm_after(clock):
    buyer = UserFactory()
    sku = make_sku(price=19900)
    order = _shipped(buyer, sku)
    seller = sku.product.shop.owner
    assert order.auto_confirm_at == clock.now + settings.ORDER_AUTO_CONFIRM_AFTER

    clock.advance(settings.ORDER_AUTO_CONFIRM_AFTER - MINUTE)
    assert deadlines_sweep() == NOTHING
    assert wallet_balance(seller) == 0

    clock.advance(MINUTE)
    assert deadlines_sweep().auto_confirmed == 1
    order.refresh_from_db()
    assert order.state == OrderState.FINISHED
    assert wallet_balance(seller) == 19900
    assert escrow_balance() == 0
    assert_books_balance()


@pytest.mark.parametrize("days", settings.ORDER_CONFIRM_EXTENSIONS_DAYS)
def test_buyer_extends_the_confirmation_deadline_once(clock, days):
    buyer = UserFactory()
    sku = make_sku()
    order = _shipped(buyer, sku)
    deadline = order.auto_confirm_at

    order_extend_confirm(order=order, actor=buyer, days=days)
    with pytest.raises(Conflict) as caught:
        order_extend_confirm(order=order, actor=buyer, days=days)
    assert caught.value.code == "already_extended"

    clock.now = deadline
    assert deadlines_sweep() == NOTHING
    clock.now = deadline + timedelta(days=days) - MINUTE
    assert deadlines_sweep() == NOTHING
    clock.advance(MINUTE)
    assert deadlines_sweep().auto_confirmed == 1
    assert _state(order) == OrderState.FINISHED


def test_extension_by_an_unoffered_number_of_days_is_refused():
    buyer = UserFactory()
    order = _shipped(buyer, make_sku())
    with pytest.raises(ValidationFailed) as caught:
        order_extend_confirm(order=order, actor=buyer, days=30)
    assert caught.value.code == "bad_extension"
    order.refresh_from_db()
    assert order.confirm_extended_days == 0


def test_refund_the_seller_ignores_is_agreed_at_its_deadline(clock):
    buyer = UserFactory()
    sku = make_sku(price=19900)
    order = _shipped(buyer, sku)
    refund = refund_request(order=order, actor=buyer, reason="少发了一件", amount=5000)
    assert refund.deadline == clock.now + settings.REFUND_SELLER_ANSWER_WITHIN

    clock.advance(settings.REFUND_SELLER_ANSWER_WITHIN - MINUTE)
    assert deadlines_sweep() == NOTHING
    clock.advance(MINUTE)
    assert deadlines_sweep().refunds_moved == 1
    refund.refresh_from_db()
    assert (refund.state, refund.amount_refunded) == (RefundState.REFUNDED, 5000)
    assert wallet_balance(buyer) == 5000
    # The order goes on: the rest is still the seller's once the buyer confirms.
    assert _state(order) == OrderState.WAIT_BUYER_CONFIRM
    assert escrow_balance() == 19900 - 5000
    assert_books_balance()


def test_return_the_seller_ignores_is_agreed_then_refunded_when_receipt_is_ignored(clock):
    buyer = UserFactory()
    sku = make_sku(price=19900)
    order = _shipped(buyer, sku)
    refund = refund_request(
        order=order, actor=buyer, reason="尺寸不对", kind=RefundKind.RETURN_AND_REFUND
    )
    clock.advance(settings.REFUND_SELLER_ANSWER_WITHIN)
    assert deadlines_sweep().refunds_moved == 1
    refund.refresh_from_db()
    assert refund.state == RefundState.AWAITING_RETURN
    assert refund.deadline == clock.now + settings.REFUND_RETURN_WITHIN
    assert wallet_balance(buyer) == 0  # no money before the goods come back

    refund_return_shipped(refund=refund, actor=buyer, carrier="EMS", waybill="EMS00012345")
    clock.advance(settings.REFUND_RETURN_RECEIPT_WITHIN)
    assert deadlines_sweep().refunds_moved == 1
    refund.refresh_from_db()
    assert refund.state == RefundState.REFUNDED
    assert wallet_balance(buyer) == 19900
    assert _state(order) == OrderState.CLOSED
    assert_books_balance()


def test_return_not_sent_back_in_time_is_cancelled_and_the_order_goes_on(clock):
    buyer = UserFactory()
    sku = make_sku(price=19900)
    seller = sku.product.shop.owner
    order = _shipped(buyer, sku)
    refund = refund_request(
        order=order, actor=buyer, reason="不想要了", kind=RefundKind.RETURN_AND_REFUND
    )
    refund_agree(refund=refund, actor=seller)
    transfers = Transfer.objects.count()

    clock.advance(settings.REFUND_RETURN_WITHIN - MINUTE)
    assert deadlines_sweep() == NOTHING
    clock.advance(MINUTE)
    assert deadlines_sweep().refunds_moved == 1
    refund.refresh_from_db()
    assert refund.state == RefundState.CANCELLED
    assert Transfer.objects.count() == transfers  # no money moved
    assert _state(order) == OrderState.WAIT_BUYER_CONFIRM
    assert escrow_balance() == 19900


def test_open_refund_blocks_the_automatic_confirmation(clock):
    buyer = UserFactory()
    operator = OperatorFactory()
    sku = make_sku(price=19900)
    seller = sku.product.shop.owner
    order = _shipped(buyer, sku)
    refund = refund_request(order=order, actor=buyer, reason="有划痕", amount=3000)
    refund_refuse(refund=refund, actor=seller, answer="发货前检查过")

    clock.advance(settings.ORDER_AUTO_CONFIRM_AFTER + timedelta(days=30))
    assert deadlines_sweep() == NOTHING  # a dispute has no deadline; the order waits
    assert _state(order) == OrderState.WAIT_BUYER_CONFIRM
    assert (wallet_balance(seller), escrow_balance()) == (0, 19900)

    dispute_decide(refund=refund, actor=operator, amount=0, decision="照片不能证明")
    # The clock stood still while the refund was open: the buyer keeps the days that
    # were left when she asked (as on Taobao), then the order confirms itself.
    assert deadlines_sweep() == NOTHING
    clock.advance(settings.ORDER_AUTO_CONFIRM_AFTER - timedelta(minutes=1))
    assert deadlines_sweep() == NOTHING
    clock.advance(timedelta(minutes=2))
    assert deadlines_sweep().auto_confirmed == 1
    assert _state(order) == OrderState.FINISHED
    assert wallet_balance(seller) == 19900


def _one_of_each(clock):
    """Orders whose deadlines all fall within ORDER_AUTO_CONFIRM_AFTER from now."""
    buyer = UserFactory()
    unpaid = _ordered(buyer, make_sku(available=3), 2)
    shipped = _shipped(buyer, make_sku(price=10000))
    with_refund = _shipped(buyer, make_sku(price=8000))
    refund = refund_request(order=with_refund, actor=buyer, reason="颜色不对", amount=2000)
    return buyer, unpaid, shipped, refund


def test_sweeping_twice_does_nothing_the_second_time(clock):
    _buyer, unpaid, shipped, refund = _one_of_each(clock)
    clock.advance(settings.REFUND_SELLER_ANSWER_WITHIN)
    first = deadlines_sweep()
    assert (first.closed_unpaid, first.auto_confirmed, first.refunds_moved) == (1, 0, 1)
    books = Transfer.objects.count()
    events = OrderEvent.objects.count()

    assert deadlines_sweep() == NOTHING
    assert (Transfer.objects.count(), OrderEvent.objects.count()) == (books, events)
    assert _state(unpaid) == OrderState.CLOSED
    assert Refund.objects.get(pk=refund.pk).state == RefundState.REFUNDED
    assert _state(shipped) == OrderState.WAIT_BUYER_CONFIRM


def test_worker_that_was_down_catches_up(clock):
    buyer, unpaid, shipped, refund = _one_of_each(clock)
    sku = Sku.objects.get(order_lines__order=unpaid)

    clock.advance(timedelta(days=60))  # every deadline is long past
    first = deadlines_sweep()
    assert first.failed == 0
    assert (first.closed_unpaid, first.refunds_moved) == (1, 1)
    # The refund was still open when the first pass looked at receipts, so an order whose
    # refund has just been settled may wait for the next sweep (a minute later).
    while deadlines_sweep() != NOTHING:
        pass

    assert _state(unpaid) == OrderState.CLOSED
    assert Sku.objects.get(pk=sku.pk).available == 3
    assert _state(shipped) == OrderState.FINISHED
    assert Refund.objects.get(pk=refund.pk).state == RefundState.REFUNDED
    assert _state(refund.order) == OrderState.FINISHED
    assert wallet_balance(buyer) == 2000
    assert wallet_balance(shipped.shop.owner) == 10000
    assert wallet_balance(refund.order.shop.owner) == 8000 - 2000
    assert escrow_balance() == 0
    assert_books_balance()


# The queue worker closes "old" connections as it polls, as a long-running process
# should; in a test that would close the connection holding the test's transaction, so
# here it leaves them open. (Not a transactional test: on SQLite, a transactional test
# before the browser tests leaves the live server seeing an empty database.)
def test_worker_command_once_sweeps_the_deadlines(monkeypatch):
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(worker_command, "close_old_connections", lambda: None)
    buyer = UserFactory()
    sku = make_sku(available=4)
    order = _ordered(buyer, sku, 4)
    Order.objects.filter(pk=order.pk).update(pay_deadline=timezone.now() - MINUTE)

    out = io.StringIO()
    call_command("worker", "--once", stdout=out)

    assert out.getvalue().startswith("swept")
    assert _state(order) == OrderState.CLOSED
    assert Sku.objects.get(pk=sku.pk).available == 4
