"""`evillage worker`: run the task queue, and enqueue the deadline sweep on a schedule."""

import os
import socket
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from evillage.orders.tasks import sweep_deadlines
from evillage.reviews.tasks import sweep_review_photos
from evillage.sameitem.tasks import sweep_photo_rights


class Command(BaseCommand):
    help = "Run background tasks and sweep order deadlines (payment, receipt, refunds)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Sweep the deadlines now, run the queued tasks, then exit (for cron).",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between queue polls."
        )

    def handle(self, *args, once: bool = False, interval: float = 1.0, **options):
        if once:
            self.stdout.write(f"swept: {sweep_deadlines.call()}")
            self.stdout.write(f"photo rights: {sweep_photo_rights.call()}")
            self.stdout.write(f"review photos: {sweep_review_photos.call()}")
            self._worker(interval=0, batch=True).run()
            return
        stop = threading.Event()
        scheduler = threading.Thread(target=self._schedule, args=(stop,), daemon=True)
        scheduler.start()
        try:
            self._worker(interval=interval, batch=False).run()
        finally:
            stop.set()

    def _worker(self, *, interval: float, batch: bool) -> Worker:
        return Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64],
            excluded_queue_names=[],
        )

    def _schedule(self, stop: threading.Event) -> None:
        """Enqueue a sweep every DEADLINE_SWEEP_SECONDS unless one is already waiting.

        Several workers may run; at worst two sweeps queue at once, and a sweep is safe to
        run twice (each deadline is applied by a conditional transition).
        """
        while not stop.is_set():
            close_old_connections()
            for sweep in (sweep_deadlines, sweep_photo_rights, sweep_review_photos):
                waiting = DBTaskResult.objects.ready().filter(task_path=sweep.module_path)
                if not waiting.exists():
                    sweep.enqueue()
            close_old_connections()
            stop.wait(settings.DEADLINE_SWEEP_SECONDS)
