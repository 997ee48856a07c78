"""Writes to places: importing divisions, and the household counts officials enter."""

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import connection, transaction
from django.utils.translation import gettext as _

from evillage.core.errors import PermissionDenied, ValidationFailed
from evillage.places import SHIPPED_DATA_DIR
from evillage.places.importing import (
    DivisionsImporter,
    ImportResult,
    PlaceImportError,
    Progress,
    open_text,
)
from evillage.places.models import Country, Place
from evillage.places.selectors import can_edit_households

HOUSEHOLDS_BATCH = 1000
MAX_HOUSEHOLDS = 10_000_000


def places_import(
    *,
    country: str,
    source: Path,
    coords: Path | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import (or re-import) one country's divisions from `source`; all or nothing.

    Raises PlaceImportError naming the file and line of the first bad row.
    """
    importer = DivisionsImporter(country=country, source=Path(source), progress=progress)
    return importer.run(coords=coords)


def places_import_shipped(
    *, countries: tuple[str, ...] = (Country.CHINA, Country.INDONESIA), progress=None
) -> list[ImportResult]:
    """Import the real subset shipped in places/data (a few seconds): for demos and tests."""
    results = []
    for country in countries:
        folder = SHIPPED_DATA_DIR / country
        coords = folder / "coords.csv.gz"
        results.append(
            places_import(
                country=country,
                source=folder,
                coords=coords if coords.exists() else None,
                progress=progress,
            )
        )
    return results


def _check_households(value: int | None) -> None:
    if value is not None and not 0 <= value <= MAX_HOUSEHOLDS:
        raise ValidationFailed(
            _("Households must be a whole number from 0 to %(max)d.") % {"max": MAX_HOUSEHOLDS},
            code="households_invalid",
            field="households",
        )


def place_set_households(*, place: Place, households: int | None, by) -> Place:
    """Set a place's registered households (None clears it). Officials and operators only."""
    if not can_edit_households(by):
        raise PermissionDenied(
            _("Only officials and operators can edit household counts."),
            code="households_forbidden",
        )
    _check_households(households)
    Place.objects.filter(pk=place.pk).update(households=households)
    place.households = households
    return place


@dataclass
class HouseholdsImportResult:
    rows: int = 0
    updated: int = 0

    @property
    def unchanged(self) -> int:
        return self.rows - self.updated


def place_households_import(
    *,
    source: Path | IO[str],
    country: str = Country.CHINA,
    by=None,
    name: str | None = None,
) -> HouseholdsImportResult:
    """Set households from a CSV of `code,households` (a path, or an open text file).

    All or nothing: the first bad line (unknown code, bad number) raises
    PlaceImportError naming the file and line. `by`, when given, must be allowed to
    edit households (the command line passes None: whoever runs it owns the database).
    """
    if by is not None and not can_edit_households(by):
        raise PermissionDenied(
            _("Only officials and operators can edit household counts."),
            code="households_forbidden",
        )
    if isinstance(source, Path):
        with open_text(source) as text:
            return _households_import(text, country, name or str(source))
    return _households_import(source, country, name or getattr(source, "name", "upload"))


def _households_import(text: IO[str], country: str, name: str) -> HouseholdsImportResult:
    result = HouseholdsImportResult()
    table = connection.ops.quote_name(Place._meta.db_table)
    sql = (
        f"UPDATE {table} SET households = %s "  # noqa: S608
        "WHERE country = %s AND code = %s AND households IS DISTINCT FROM %s"
    )
    if connection.vendor == "sqlite":
        sql = sql.replace("IS DISTINCT FROM", "IS NOT")
    reader = csv.reader(text)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            header = [h.strip() for h in next(reader, [])]
            if header[:2] != ["code", "households"]:
                raise PlaceImportError(name, 1, _("expected the columns code,households"))
            batch: list[tuple[int, str, int | None]] = []
            for row in reader:
                if not row:
                    continue
                batch.append(_households_row(name, reader.line_num, row))
                if len(batch) >= HOUSEHOLDS_BATCH:
                    result.updated += _households_write(cursor, sql, country, name, batch)
                    result.rows += len(batch)
                    batch = []
            if batch:
                result.updated += _households_write(cursor, sql, country, name, batch)
                result.rows += len(batch)
    except csv.Error as exc:
        raise PlaceImportError(name, reader.line_num, str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise PlaceImportError(name, reader.line_num + 1, _("not UTF-8 text")) from exc
    return result


def _households_row(name: str, line: int, row: list[str]) -> tuple[int, str, int | None]:
    if len(row) != 2:
        raise PlaceImportError(
            name, line, _("expected 2 columns, found %(found)d") % {"found": len(row)}
        )
    code, value = row[0].strip(), row[1].strip()
    if not code:
        raise PlaceImportError(name, line, _("empty code"))
    households = None
    if value:
        if not (value.isascii() and value.isdigit()) or int(value) > MAX_HOUSEHOLDS:
            raise PlaceImportError(
                name, line, _("households %(value)r is not a whole number") % {"value": value}
            )
        households = int(value)
    return line, code, households


def _households_write(
    cursor, sql: str, country: str, name: str, batch: list[tuple[int, str, int | None]]
) -> int:
    codes = [row[1] for row in batch]
    known = set(
        Place.objects.filter(country=country, code__in=codes).values_list("code", flat=True)
    )
    for line, code, _value in batch:
        if code not in known:
            raise PlaceImportError(name, line, _("unknown place code %(code)s") % {"code": code})
    cursor.executemany(sql, [(value, country, code, value) for _line, code, value in batch])
    return max(cursor.rowcount, 0)
