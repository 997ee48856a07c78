"""Writing divisions: batched upserts level by level, inside one transaction."""

import time
from collections.abc import Iterator
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from evillage.core.errors import ValidationFailed
from evillage.places.importing.files import (
    CsvFile,
    adcode_to_code,
    level_files,
    parse_lat_lon,
)
from evillage.places.importing.results import (
    CoordsStats,
    ImportResult,
    LevelStats,
    NoProgress,
    PlaceImportError,
    Progress,
)
from evillage.places.importing.sources import SOURCES, LevelSource
from evillage.places.models import Level, Place, fold_name

BATCH_SIZE = 5000


def _table() -> str:
    return connection.ops.quote_name(Place._meta.db_table)


def _distinct(a: str, b: str) -> str:
    # IS DISTINCT FROM: PostgreSQL; SQLite spells the null-safe comparison IS NOT.
    return f"{a} IS NOT {b}" if connection.vendor == "sqlite" else f"{a} IS DISTINCT FROM {b}"


def _upsert_sql() -> str:
    t = _table()
    q = connection.ops.quote_name
    cols = ["key", "country", "code", "level", "name", "search_name"]
    cols += ["parent_id", "latitude", "longitude"]
    changed = " OR ".join(
        [
            f"{t}.level <> excluded.level",
            f"{t}.name <> excluded.name",
            _distinct(f"{t}.parent_id", "excluded.parent_id"),
            "(excluded.latitude IS NOT NULL AND ("
            + _distinct(f"{t}.latitude", "excluded.latitude")
            + " OR "
            + _distinct(f"{t}.longitude", "excluded.longitude")
            + "))",
        ]
    )
    # A source without coordinates keeps those already stored (e.g. from --coords).
    # Identifiers only come from the model; values are all parameters.
    return (
        f"INSERT INTO {t} ({', '.join(q(c) for c in cols)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(cols))}) "
        "ON CONFLICT (country, code) DO UPDATE SET "
        "level = excluded.level, name = excluded.name, search_name = excluded.search_name, "
        "parent_id = excluded.parent_id, "
        f"latitude = COALESCE(excluded.latitude, {t}.latitude), "
        f"longitude = COALESCE(excluded.longitude, {t}.longitude) "
        f"WHERE {changed}"
    )


def _count(cursor, country: str, level: int) -> int:
    cursor.execute(
        f"SELECT COUNT(*) FROM {_table()} WHERE country = %s AND level = %s",  # noqa: S608
        [country, level],
    )
    return cursor.fetchone()[0]


def _ids(cursor, country: str, level: int) -> dict[str, int]:
    cursor.execute(
        f"SELECT code, id FROM {_table()} WHERE country = %s AND level = %s",  # noqa: S608
        [country, level],
    )
    return dict(cursor.fetchall())


class DivisionsImporter:
    """Imports one country's division files from a folder (see `SOURCES`)."""

    def __init__(self, *, country: str, source: Path, progress: Progress | None = None) -> None:
        if country not in SOURCES:
            raise ValidationFailed(
                _("Unknown country %(country)s.") % {"country": country}, code="unknown_country"
            )
        self.country = country
        self.source = Path(source)
        self.progress = progress or NoProgress()

    def plan(self) -> list[tuple[LevelSource, list[Path]]]:
        if not self.source.is_dir():
            raise ValidationFailed(
                _("%(dir)s is not a folder.") % {"dir": self.source}, code="place_import_no_source"
            )
        plan = [(s, level_files(self.source, s)) for s in SOURCES[self.country]]
        if not plan[0][1]:
            raise ValidationFailed(
                _("No %(stem)s.csv or %(stem)s.csv.gz in %(dir)s.")
                % {"stem": plan[0][0].stem, "dir": self.source},
                code="place_import_no_source",
            )
        return [(s, files) for s, files in plan if files]

    def run(self, *, coords: Path | None = None) -> ImportResult:
        started = time.monotonic()
        plan = self.plan()
        result = ImportResult(country=self.country)
        sql = _upsert_sql()
        with transaction.atomic(), connection.cursor() as cursor:
            for source, files in plan:
                result.levels.append(self._level(cursor, sql, source, files))
            if coords is not None:
                result.coords = self._coords(cursor, Path(coords))
        result.seconds = time.monotonic() - started
        return result

    def _level(self, cursor, sql: str, source: LevelSource, files: list[Path]) -> LevelStats:
        stats = LevelStats(level=source.level, files=[str(f) for f in files])
        parents = _ids(cursor, self.country, source.parent_level) if source.parent_level else {}
        before = _count(cursor, self.country, source.level)
        required = [source.code_column, "name"]
        if source.parent_column:
            required.append(source.parent_column)
        if source.has_coords:
            required += ["latitude", "longitude"]
        csv_files = [CsvFile(f, tuple(required)) for f in files]
        self.progress.start(stats.label, sum(f.size for f in csv_files))
        done_bytes = 0
        changed = 0
        for csv_file in csv_files:
            batch: list[tuple] = []
            for row in self._rows(csv_file, source, parents):
                batch.append(row)
                if len(batch) >= BATCH_SIZE:
                    changed += self._write(cursor, sql, batch)
                    stats.rows += len(batch)
                    batch = []
                    self.progress.advance(done_bytes + csv_file.bytes_read, stats.rows)
            if batch:
                changed += self._write(cursor, sql, batch)
                stats.rows += len(batch)
            done_bytes += csv_file.size
            self.progress.advance(done_bytes, stats.rows)
        stats.created = _count(cursor, self.country, source.level) - before
        stats.updated = max(changed - stats.created, 0)
        self.progress.finish(stats)
        return stats

    @staticmethod
    def _write(cursor, sql: str, batch: list[tuple]) -> int:
        cursor.executemany(sql, batch)
        return max(cursor.rowcount, 0)

    def _rows(
        self, csv_file: CsvFile, source: LevelSource, parents: dict[str, int]
    ) -> Iterator[tuple]:
        """Validated rows ready for the upsert; the hot loop of the import."""
        path, country, level = csv_file.path, self.country, source.level
        length = source.code_length
        rows = csv_file.rows()
        first = next(rows, None)  # reading the first row parses the header
        if first is None:
            return
        width = len(csv_file.header)
        i_code = csv_file.column(source.code_column)
        i_name = csv_file.column("name")
        i_parent = csv_file.column(source.parent_column) if source.parent_column else None
        i_lat = csv_file.column("latitude") if source.has_coords else None
        i_lon = csv_file.column("longitude") if source.has_coords else None
        for line, row in _chain(first, rows):
            if len(row) != width:
                raise PlaceImportError(
                    path,
                    line,
                    _("expected %(expected)d columns, found %(found)d")
                    % {"expected": width, "found": len(row)},
                )
            code = row[i_code].strip()
            if not code:
                raise PlaceImportError(path, line, _("empty code"))
            if len(code) != length or not (code.isascii() and code.isdigit()):
                raise PlaceImportError(
                    path,
                    line,
                    _("code %(code)r is not %(length)d digits") % {"code": code, "length": length},
                )
            name = " ".join(row[i_name].split())
            if not name:
                raise PlaceImportError(path, line, _("empty name"))
            parent_id = None
            if i_parent is not None:
                parent_code = row[i_parent].strip()
                if not code.startswith(parent_code) or not parent_code:
                    raise PlaceImportError(
                        path,
                        line,
                        _("code %(code)s does not match its parent code %(parent)r")
                        % {"code": code, "parent": parent_code},
                    )
                parent_id = parents.get(parent_code)
                if parent_id is None:
                    raise PlaceImportError(
                        path, line, _("unknown parent code %(parent)s") % {"parent": parent_code}
                    )
            latitude = longitude = None
            if i_lat is not None:
                latitude, longitude = parse_lat_lon(path, line, row[i_lat], row[i_lon])
            yield (
                f"{country}-{code}",
                country,
                code,
                level,
                name,
                fold_name(name),
                parent_id,
                latitude,
                longitude,
            )

    def _coords(self, cursor, path: Path) -> CoordsStats:
        """Set coordinates of provinces, cities and counties from an adcodes.csv file."""
        stats = CoordsStats(file=str(path))
        if not path.is_file():
            raise ValidationFailed(
                _("%(file)s does not exist.") % {"file": path}, code="place_import_no_source"
            )
        cursor.execute(
            f"SELECT code FROM {_table()} WHERE country = %s AND level <= %s",  # noqa: S608
            [self.country, Level.COUNTY],
        )
        known = {code for (code,) in cursor.fetchall()}
        csv_file = CsvFile(path, ("adcode", "longitude", "latitude"))
        self.progress.start(str(_("coordinates")), csv_file.size)
        sql = (
            f"UPDATE {_table()} SET latitude = %s, longitude = %s "  # noqa: S608
            "WHERE country = %s AND code = %s"
        )
        updates = []
        for line, row in csv_file.rows():
            header = csv_file.header
            if len(row) != len(header):
                raise PlaceImportError(
                    path,
                    line,
                    _("expected %(expected)d columns, found %(found)d")
                    % {"expected": len(header), "found": len(row)},
                )
            adcode = row[header.index("adcode")].strip()
            if len(adcode) != 12 or not (adcode.isascii() and adcode.isdigit()):
                raise PlaceImportError(
                    path, line, _("adcode %(code)r is not 12 digits") % {"code": adcode}
                )
            latitude, longitude = parse_lat_lon(
                path, line, row[header.index("latitude")], row[header.index("longitude")]
            )
            stats.rows += 1
            code = adcode_to_code(adcode)
            if code in known and latitude is not None:
                stats.matched += 1
                updates.append((latitude, longitude, self.country, code))
            else:
                stats.unmatched += 1
        for start in range(0, len(updates), BATCH_SIZE):
            cursor.executemany(sql, updates[start : start + BATCH_SIZE])
        self.progress.advance(csv_file.size, stats.rows)
        return stats


def _chain(first, rest):
    yield first
    yield from rest
