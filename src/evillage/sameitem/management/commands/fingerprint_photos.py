"""`evillage fingerprint_photos`: give every stored product photo its fingerprints."""

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from evillage.sameitem.services import photos_backfill, photos_without_fingerprints


class Command(BaseCommand):
    help = (
        "Fingerprint the product photos that have no fingerprints yet (photos from before "
        "the sameitem app, or missed by a crash), oldest first, and apply the photo-rights "
        "rules to them. Safe to run again."
    )

    def handle(self, *args, **options):
        ids = list(photos_without_fingerprints().values_list("pk", flat=True))
        console = Console(file=self.stdout)
        progress = Progress(
            TextColumn("fingerprinting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not self.stdout.isatty(),
        )
        with progress:
            task = progress.add_task("photos", total=len(ids))
            done = photos_backfill(photo_ids=ids, progress=lambda n: progress.advance(task, n))
        self.stdout.write(f"fingerprinted {done} photo(s) of {len(ids)} without fingerprints")
