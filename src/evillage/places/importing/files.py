"""Reading division files: gzip or plain CSV, streamed, each row with its line number."""

import csv
import gzip
import io
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from evillage.places.importing.results import PlaceImportError
from evillage.places.importing.sources import LevelSource

_MICRO = Decimal("0.000001")


def find_file(directory: Path, stem: str) -> Path | None:
    """`stem.csv.gz` or `stem.csv` in directory, or None."""
    for candidate in (directory / f"{stem}.csv.gz", directory / f"{stem}.csv"):
        if candidate.is_file():
            return candidate
    return None


def level_files(directory: Path, source: LevelSource) -> list[Path]:
    single = find_file(directory, source.stem)
    if single is not None:
        return [single]
    if source.may_be_split and (directory / source.stem).is_dir():
        split = directory / source.stem
        return sorted(
            p for p in split.iterdir() if p.name.endswith((".csv", ".csv.gz")) and p.is_file()
        )
    return []


def open_text(path: Path) -> IO[str]:
    """A CSV file as text, gunzipped if its name ends in .gz."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


class CsvFile:
    """Streams the rows of a CSV file (gzip or plain) with line numbers and byte progress."""

    def __init__(self, path: Path, required: tuple[str, ...]) -> None:
        self.path = path
        self.required = required
        self.size = path.stat().st_size

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (line number, row); the header is checked and skipped."""
        with self.path.open("rb") as raw:
            self._raw = raw
            stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if self.path.suffix == ".gz" else raw
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            reader = csv.reader(text)
            try:
                header = next(reader, None)
                if header is None:
                    raise PlaceImportError(self.path, 1, _("the file is empty"))
                self.header = [h.strip() for h in header]
                missing = [c for c in self.required if c not in self.header]
                if missing:
                    raise PlaceImportError(
                        self.path,
                        1,
                        _("missing columns %(missing)s (expected %(expected)s)")
                        % {"missing": ", ".join(missing), "expected": ", ".join(self.required)},
                    )
                for row in reader:
                    if row:  # a blank line is no row
                        yield reader.line_num, row
            except csv.Error as exc:
                raise PlaceImportError(self.path, reader.line_num, str(exc)) from exc
            except (UnicodeDecodeError, gzip.BadGzipFile, EOFError, OSError) as exc:
                raise PlaceImportError(
                    self.path, reader.line_num + 1, _("unreadable: %(error)s") % {"error": exc}
                ) from exc

    def column(self, name: str) -> int:
        return self.header.index(name)

    @property
    def bytes_read(self) -> int:
        return self._raw.tell()


def parse_coordinate(value: str, *, limit: int) -> Decimal | None:
    """'30.299559' → Decimal; '' → None; raises ValueError if not a coordinate."""
    value = value.strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite() or abs(number) > limit:
        raise ValueError(value)
    return number.quantize(_MICRO)


def parse_lat_lon(path: Path, line: int, lat: str, lon: str) -> tuple[Decimal | None, ...]:
    try:
        latitude = parse_coordinate(lat, limit=90)
        longitude = parse_coordinate(lon, limit=180)
    except ValueError as exc:
        raise PlaceImportError(
            path, line, _("bad coordinate %(value)r") % {"value": exc.args[0]}
        ) from None
    if (latitude is None) != (longitude is None):
        raise PlaceImportError(path, line, _("latitude and longitude must both be given"))
    return latitude, longitude


def adcode_to_code(adcode: str) -> str:
    """'320324000000' → '320324'; '320300000000' → '3203'; '320000000000' → '32'."""
    for length in (2, 4, 6, 9):
        if adcode[length:].strip("0") == "":
            return adcode[:length]
    return adcode
