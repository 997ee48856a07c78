"""Progress for import commands: a rich bar on a terminal, plain lines otherwise."""

import time

from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class CommandProgress:
    """Implements places.importing.Progress for a management command."""

    def __init__(self, stdout) -> None:
        self.stdout = stdout
        self.interactive = stdout.isatty()
        self.bar: Progress | None = None
        self.task = None

    def __enter__(self) -> "CommandProgress":
        if self.interactive:
            self.bar = Progress(
                TextColumn("{task.description:<12}"),
                BarColumn(),
                DownloadColumn(),
                TextColumn("{task.fields[rows]:>9,} rows"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stdout),
            )
            self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()

    def start(self, label: str, total_bytes: int) -> None:
        self.label = label
        self.started = time.monotonic()
        if self.bar is not None:
            self.task = self.bar.add_task(label, total=total_bytes, rows=0)
        else:
            self.stdout.write(_("Importing %(label)s…") % {"label": label})
            self.stdout.flush()

    def advance(self, done_bytes: int, rows: int) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=done_bytes, rows=rows)

    def finish(self, stats) -> None:
        if self.bar is None:
            self.stdout.write(
                _("  %(rows)d rows in %(seconds).1f s")
                % {"rows": stats.rows, "seconds": time.monotonic() - self.started}
            )
            self.stdout.flush()
