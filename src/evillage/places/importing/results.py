"""What an import reports: counts per level, progress, and the error for bad input."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.utils.translation import gettext as _

from evillage.core.errors import ValidationFailed
from evillage.places.models import Level


class PlaceImportError(ValidationFailed):
    """Malformed input: the message names the file and line; nothing was imported."""

    default_code = "place_import_invalid"

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        super().__init__(
            _("%(file)s, line %(line)d: %(reason)s")
            % {"file": path, "line": line, "reason": reason},
            details={"file": str(path), "line": line},
        )
        self.path = str(path)
        self.line = line


@dataclass
class LevelStats:
    level: int
    files: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0

    @property
    def unchanged(self) -> int:
        return self.rows - self.created - self.updated

    @property
    def label(self) -> str:
        return str(Level(self.level).label)


@dataclass
class CoordsStats:
    file: str
    rows: int = 0
    matched: int = 0
    unmatched: int = 0


@dataclass
class ImportResult:
    country: str
    levels: list[LevelStats] = field(default_factory=list)
    coords: CoordsStats | None = None
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.levels)


class Progress(Protocol):
    """What an importer reports while it works (the command draws a bar from it)."""

    def start(self, label: str, total_bytes: int) -> None: ...

    def advance(self, done_bytes: int, rows: int) -> None: ...

    def finish(self, stats: LevelStats) -> None: ...


class NoProgress:
    def start(self, label: str, total_bytes: int) -> None:
        pass

    def advance(self, done_bytes: int, rows: int) -> None:
        pass

    def finish(self, stats: LevelStats) -> None:
        pass
