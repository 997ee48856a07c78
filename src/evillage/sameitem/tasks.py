"""Background work of sameitem (run by `evillage worker` beside the order deadlines)."""

from dataclasses import asdict
from datetime import timedelta

from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from evillage.sameitem.services import photos_fingerprint_missing, rights_sweep

# Finished sweep results are kept this long for operators to look at, then deleted.
KEEP_RESULTS = timedelta(days=2)


@task()
def sweep_photo_rights() -> dict[str, int]:
    """License, hide and withdraw photo-rights cases as time and sourcing changed them,
    and fingerprint photos a crash left without fingerprints."""
    result = asdict(rights_sweep())
    result["fingerprinted"] = photos_fingerprint_missing()
    result["results_pruned"] = (
        DBTaskResult.objects.finished()
        .filter(
            task_path=sweep_photo_rights.module_path,
            finished_at__lt=timezone.now() - KEEP_RESULTS,
        )
        .delete()[0]
    )
    return result
