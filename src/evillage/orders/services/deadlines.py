"""The deadline sweeper: every timer is a column, so a worker that was down catches up."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from evillage.core.errors import DomainError
from evillage.orders.models import OPEN_REFUND_STATES, Order, OrderState, Refund
from evillage.orders.services.lifecycle import order_auto_confirm, order_close_unpaid
from evillage.orders.services.refunds import refunds_sweep_one

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass
class SweepResult:
    closed_unpaid: int = 0
    auto_confirmed: int = 0
    refunds_moved: int = 0
    failed: int = 0


def deadlines_sweep(*, now: datetime | None = None) -> SweepResult:
    """Apply every deadline that has passed. One transaction per order, so one bad row
    (logged) never blocks the rest."""
    now = now or timezone.now()
    result = SweepResult()
    unpaid = Order.objects.filter(state=OrderState.WAIT_BUYER_PAY, pay_deadline__lte=now)
    result.closed_unpaid = _each(unpaid, order_close_unpaid, "order_id", now, result)
    shipped = Order.objects.filter(state=OrderState.WAIT_BUYER_CONFIRM, auto_confirm_at__lte=now)
    result.auto_confirmed = _each(shipped, order_auto_confirm, "order_id", now, result)
    refunds = Refund.objects.filter(state__in=OPEN_REFUND_STATES, deadline__lte=now)
    result.refunds_moved = _each(refunds, refunds_sweep_one, "refund_id", now, result)
    return result


def _each(queryset, apply, argument: str, now: datetime, result: SweepResult) -> int:
    done = 0
    last_pk = 0
    while True:
        ids = list(
            queryset.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return done
        for pk in ids:
            try:
                done += bool(apply(**{argument: pk}, now=now))
            except DomainError:
                result.failed += 1
                logger.exception("deadline of %s %s could not be applied", argument, pk)
        last_pk = ids[-1]
