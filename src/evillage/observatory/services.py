"""Writes of the observatory: importing published village lists."""

import csv
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.core.errors import ValidationFailed
from evillage.observatory.matching import Division, DivisionIndex, Match, norm_province
from evillage.observatory.models import ListedVillage, VillageList, VillageStats
from evillage.observatory.reading import ListFileError, ListRow, read_list, read_table
from evillage.observatory.report_cache import forget_reports
from evillage.places.models import Country, Level, Place

FIRST_YEAR = 2009  # the first three Taobao villages


@dataclass
class ListImportResult:
    year: int
    rows: int = 0
    matched_villages: int = 0
    matched_places: int = 0
    methods: Counter = field(default_factory=Counter)
    unmatched: list[tuple[ListRow, Match]] = field(default_factory=list)
    fuzzy: list[tuple[ListRow, Match]] = field(default_factory=list)

    @property
    def village_rate(self) -> float:
        return self.matched_villages / self.rows if self.rows else 0.0

    @property
    def place_rate(self) -> float:
        return self.matched_places / self.rows if self.rows else 0.0


def check_year(*, year: int, path: Path | str = "") -> None:
    last = timezone.now().year
    if not FIRST_YEAR <= year <= last:
        raise ListFileError(
            path,
            0,
            _("unknown year %(year)s: lists exist for %(first)d to %(last)d")
            % {"year": year, "first": FIRST_YEAR, "last": last},
        )


def division_index(*, provinces: set[str] | None = None) -> DivisionIndex:
    """Chinese divisions in memory: provinces, cities and counties, and the towns and
    villages of the provinces named in `provinces` (all when None)."""
    places = Place.objects.filter(country=Country.CHINA)
    columns = ("id", "code", "level", "name", "parent_id")
    upper = list(places.filter(level__lte=Level.COUNTY).values_list(*columns))
    rows = places.filter(level__gt=Level.COUNTY).values_list(*columns).iterator(chunk_size=20000)
    if provinces is not None:
        wanted = {norm_province(p) for p in provinces}
        prefixes = {
            code
            for _id, code, level, name, _parent in upper
            if level == Level.PROVINCE and norm_province(name) in wanted
        }
        # Filtered here, not in SQL: a LIKE per province scans the table once each.
        rows = (row for row in rows if row[1][:2] in prefixes)
    return DivisionIndex(Division(*row) for row in chain(upper, rows))


def village_list_import(*, path: Path | str, year: int) -> ListImportResult:
    """Import AliResearch's list of `year`, replacing that year's rows; all or nothing.

    Every row is kept: matched to a village code, or placed in its county/town with the
    reason it did not match a village. Raises ListFileError (file, line, column) on bad
    input, before anything is written.
    """
    path = Path(path)
    check_year(year=year, path=path)
    rows = read_list(path)
    index = division_index(provinces={row.province for row in rows})
    result = ListImportResult(year=year, rows=len(rows))
    entries = []
    for row in rows:
        m = index.match(
            province=row.province,
            city=row.city,
            county=row.county,
            town=row.town,
            village=row.village,
        )
        if m.matched:
            result.matched_villages += 1
            result.methods[m.method] += 1
            if m.method == "fuzzy":
                result.fuzzy.append((row, m))
        else:
            result.unmatched.append((row, m))
            result.methods[m.reason] += 1
        if m.county is not None:
            result.matched_places += 1
        entries.append(
            ListedVillage(
                line=row.line,
                province_name=row.province,
                city_name=row.city,
                county_name=row.county,
                town_name=row.town,
                village_name=row.village,
                specialty=row.specialty,
                province_id=m.province.id if m.province else None,
                county_id=m.county.id if m.county else None,
                town_id=m.town.id if m.town else None,
                village_id=m.village.id if m.village else None,
                method=m.method,
                reason=m.reason,
            )
        )
    _refuse_unplaceable(path, result)
    with transaction.atomic():
        VillageList.objects.filter(year=year).delete()
        village_list = VillageList.objects.create(
            year=year,
            source=path.name,
            rows=result.rows,
            matched_villages=result.matched_villages,
            matched_places=result.matched_places,
        )
        for entry in entries:
            entry.village_list = village_list
        ListedVillage.objects.bulk_create(entries, batch_size=1000)
        transaction.on_commit(forget_reports)
    return result


def _refuse_unplaceable(path: Path, result: ListImportResult) -> None:
    """A list most of whose provinces are unknown is misread (a wrong encoding turns every
    name into something else) or the divisions are not imported: importing it would
    replace a good list of the year with rows placed nowhere."""
    lost = [row for row, m in result.unmatched if m.reason == "province_unknown"]
    if lost and len(lost) * 2 > result.rows:
        raise ListFileError(
            path,
            lost[0].line,
            _(
                "%(lost)d of %(rows)d rows name no known province (here %(name)r): is the "
                "file in another encoding, or are China's divisions not imported "
                "(evillage import_places --country cn)?"
            )
            % {"lost": len(lost), "rows": result.rows, "name": lost[0].province},
            column="province",
        )


REASONS = {
    "province_unknown": "no province of that name",
    "county_unknown": "no county (or town) of that name in the province",
    "town_unknown": "county found; no town of that name in it or its city",
    "village_not_in_town": "town found; no village of that or a similar name (renamed or merged)",
    "town_has_no_villages": "town found; the divisions have no villages for it",
}


def write_unmatched_report(*, result: ListImportResult, path: Path | str) -> None:
    """CSV of the rows not matched to a village (what was found and why not), then the
    fuzzy matches (reason `fuzzy_match`) for a person to check."""
    with Path(path).open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                *("year", "line", "province", "city", "county", "town", "village"),
                *("matched_county", "matched_town", "matched_village", "matched_name"),
                *("reason", "explanation"),
            ]
        )
        rows = [(row, m, m.reason, REASONS.get(m.reason, "")) for row, m in result.unmatched]
        rows += [(row, m, "fuzzy_match", FUZZY_NOTE) for row, m in result.fuzzy]
        for row, m, reason, explanation in rows:
            writer.writerow(
                [
                    *(result.year, row.line, row.province, row.city, row.county, row.town),
                    *(row.village, m.county.code if m.county else ""),
                    *(m.town.code if m.town else "", m.village.code if m.village else ""),
                    *(m.village.name if m.village else "", reason, explanation),
                ]
            )


FUZZY_NOTE = "matched to a similar name in the town: check"


STATS_COLUMNS = ("code", "year", "sales", "merchants", "households")


def _whole(path, line: int, column: str, text: str, *, optional: bool = False) -> int | None:
    text = text.strip().replace(",", "")
    if not text and optional:
        return None
    if not (text.isascii() and text.isdigit()):
        raise ListFileError(
            path,
            line,
            _("%(value)r is not a whole number of 0 or more") % {"value": text},
            column=column,
        )
    return int(text)


def village_stats_import(
    *, path: Path | str, country: str = Country.CHINA, currency: str = "CNY"
) -> int:
    """Import village figures (code, year, sales in minor units, merchants, households);
    a row replaces the figures of its village and year. All or nothing; returns the rows."""
    path = Path(path)
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise ValidationFailed(
            _("The currency must be a three-letter code such as CNY or IDR."),
            code="observatory_bad_currency",
            field="currency",
        )
    currency = currency.upper()
    header, rows = read_table(path, STATS_COLUMNS)
    col = {name: header.index(name) for name in STATS_COLUMNS}
    codes = {row[col["code"]].strip() for _, row in rows if len(row) == len(header)}
    places = dict(
        Place.objects.filter(country=country, level=Level.VILLAGE, code__in=codes).values_list(
            "code", "id"
        )
    )
    parsed: dict[tuple[int, int], VillageStats] = {}
    for line, row in rows:
        if len(row) != len(header):
            raise ListFileError(
                path,
                line,
                _("expected %(expected)d columns, found %(found)d (is the file truncated?)")
                % {"expected": len(header), "found": len(row)},
            )
        code = row[col["code"]].strip()
        if code not in places:
            raise ListFileError(
                path, line, _("no village has the code %(code)r") % {"code": code}, column="code"
            )
        year = _whole(path, line, "year", row[col["year"]])
        check_year(year=year, path=f"{path}, line {line}, column year")
        parsed[(places[code], year)] = VillageStats(
            place_id=places[code],
            year=year,
            currency=currency,
            sales=_whole(path, line, "sales", row[col["sales"]]),
            merchants=_whole(path, line, "merchants", row[col["merchants"]]),
            households=_whole(path, line, "households", row[col["households"]], optional=True),
        )
    with transaction.atomic():
        for place_id, year in parsed:
            VillageStats.objects.filter(place_id=place_id, year=year).delete()
        VillageStats.objects.bulk_create(parsed.values(), batch_size=1000)
        transaction.on_commit(forget_reports)
    return len(parsed)
