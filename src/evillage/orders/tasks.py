"""Background tasks of the orders app (run by `evillage worker`)."""

from dataclasses import asdict
from datetime import timedelta

from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from evillage.orders.services.deadlines import deadlines_sweep
from evillage.payments.services import payouts_resume_pending
from evillage.sourcing.dropship import dropship_sweep

# Finished task results are kept this long for operators to look at, then deleted.
KEEP_RESULTS = timedelta(days=2)


@task()
def sweep_deadlines() -> dict[str, int]:
    """Close unpaid orders, confirm receipt, move refunds whose deadlines passed, finish
    payouts a crash left pending, and place or pay drop-ship purchase orders left over."""
    result = asdict(deadlines_sweep())
    result["payouts_resumed"] = payouts_resume_pending()
    result.update(dropship_sweep())
    result["results_pruned"] = (
        DBTaskResult.objects.finished()
        .filter(
            task_path=sweep_deadlines.module_path, finished_at__lt=timezone.now() - KEEP_RESULTS
        )
        .delete()[0]
    )
    return result
