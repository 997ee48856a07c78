"""Import administrative divisions from CSV files (gzip or plain), fast and atomic.

Level by level, each file is streamed in batches into one executemany of
`INSERT ... ON CONFLICT (country, code) DO UPDATE` (SQLite and PostgreSQL alike), with
only the code→id map of the parent level held in memory. Re-importing updates names,
parents and coordinates; it never touches `households`, which officials own.
"""

from evillage.places.importing.files import adcode_to_code, open_text
from evillage.places.importing.results import (
    CoordsStats,
    ImportResult,
    LevelStats,
    NoProgress,
    PlaceImportError,
    Progress,
)
from evillage.places.importing.sources import SOURCES, LevelSource
from evillage.places.importing.writer import BATCH_SIZE, DivisionsImporter

__all__ = [
    "BATCH_SIZE",
    "SOURCES",
    "CoordsStats",
    "DivisionsImporter",
    "ImportResult",
    "LevelSource",
    "LevelStats",
    "NoProgress",
    "PlaceImportError",
    "Progress",
    "adcode_to_code",
    "open_text",
]
