"""The observatory's figures as files that a spreadsheet or a data tool opens.

- CSV (`report.villages_csv`): the qualifying villages, UTF-8 with a BOM so that Excel
  reads the Chinese names.
- Parquet: one table per file, `villages` unless `table` names another of `TABLES`.
- XLSX: every table as a sheet, then `about` (year, rule set, units).

Columns are typed: codes and names are text (as numbers Excel would show a 12-digit code
as 3.30782E+11), counts are integers, `sales` is minor units of the currency (fen for
CNY) as an integer, as in the CSV and the API, and `sales_major` is the same amount in
currency units (yuan) as an exact decimal. A figure that is not known is empty (null):
under a published rule set villages and towns have no sales or merchant figures.
"""

import io
import json
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

from evillage.core.errors import ValidationFailed
from evillage.core.money import minor_digits
from evillage.observatory.models import RuleSet, RuleSource
from evillage.observatory.report import Report, villages_csv

# Column kinds: how a value is stored in Parquet and shown in XLSX.
TEXT, INT, MONEY, PERCENT, TEXTS = "text", "int", "money", "percent", "texts"

TABLES = ("villages", "towns", "counties", "cities", "provinces", "regions")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, kind)
    rows: list[tuple]


def check_table(table: str) -> str:
    if table not in TABLES:
        raise ValidationFailed(
            _("Unknown table %(table)s: use one of %(tables)s.")
            % {"table": table, "tables": ", ".join(TABLES)},
            code="observatory_bad_table",
            field="table",
        )
    return table


def _ranks(counts: list[int]) -> list[int]:
    """Competition ranking of counts already sorted most first: 1, 2, 2, 4."""
    ranks: list[int] = []
    for i, n in enumerate(counts):
        ranks.append(ranks[-1] if i and n == counts[i - 1] else i + 1)
    return ranks


def report_tables(report: Report, *, rule_set: RuleSet) -> dict[str, Table]:
    """The report's tables in `TABLES` order, with typed columns."""
    digits = minor_digits(report.currency)

    def major(minor: int | None) -> Decimal | None:
        return None if minor is None else Decimal(minor).scaleb(-digits)

    province_names = {s.key: s.label for s in report.provinces}
    villages = Table(
        "villages",
        (
            *(("key", TEXT), ("name", TEXT), ("town", TEXT), ("county", TEXT)),
            *(("province_code", TEXT), ("province", TEXT), ("region", TEXT)),
            *(("specialty", TEXT), ("currency", TEXT), ("sales", INT), ("sales_major", MONEY)),
            *(("merchants", INT), ("households", INT), ("place_key", TEXT)),
        ),
        [
            (
                *(v.key, v.name, v.town, v.county, v.province_code),
                *(province_names.get(v.province_code, ""), v.region, v.specialty),
                *(report.currency, v.sales, major(v.sales), v.merchants, v.households),
                v.place_key,
            )
            for v in report.villages
        ],
    )
    # A published list gives no shops or sales: unknown, not zero.
    known = rule_set.source != RuleSource.PUBLISHED
    towns = Table(
        "towns",
        (
            *(("code", TEXT), ("name", TEXT), ("villages", INT), ("shops", INT)),
            *(("currency", TEXT), ("sales", INT), ("sales_major", MONEY)),
        ),
        [
            (
                *(t.code, t.name, t.villages, t.shops if known else None, report.currency),
                *(t.sales if known else None, major(t.sales) if known else None),
            )
            for t in report.towns
        ],
    )
    cluster_columns = (
        *(("rank", INT), ("code", TEXT), ("name", TEXT), ("villages", INT)),
        ("products", TEXTS),
    )

    def clusters(name: str, rows: list) -> Table:
        ranks = _ranks([c.villages for c in rows])
        return Table(
            name,
            cluster_columns,
            [
                (rank, c.code, c.name, c.villages, list(c.products))
                for rank, c in zip(ranks, rows, strict=True)
            ],
        )

    share_columns = (("code", TEXT), ("name", TEXT), ("villages", INT), ("percent", PERCENT))
    return {
        "villages": villages,
        "towns": towns,
        "counties": clusters("counties", report.counties),
        "cities": clusters("cities", report.cities),
        "provinces": Table(
            "provinces",
            share_columns,
            [(s.key, s.label, s.count, s.percent) for s in report.provinces],
        ),
        "regions": Table(
            "regions",
            share_columns,
            [(s.key, str(s.label), s.count, s.percent) for s in report.regions],
        ),
    }


def about(report: Report, *, rule_set: RuleSet) -> list[tuple[str, object]]:
    """What the file is: year, rule set, units and the report's single figures."""
    rows: list[tuple[str, object]] = [
        ("year", report.year),
        ("rule_set", report.rule_set),
        ("version", report.version),
        ("rule_set_name", rule_set.name),
        ("currency", report.currency),
        ("qualifying_villages", len(report.villages)),
        ("qualifying_towns", len(report.towns)),
        ("new", report.new),
        ("kept", report.kept),
        ("lost", report.lost),
        ("regions", report.region_scheme),
        ("computed_at", report.computed_at.isoformat() if report.computed_at else ""),
    ]
    if report.employment is not None:
        e = report.employment
        rows += [
            ("individual_shops", e.individual_shops),
            ("enterprise_shops", e.enterprise_shops),
            ("other_merchants", e.other_merchants),
            ("jobs", e.jobs),
        ]
    rows.append(
        (
            "units",
            _(
                "sales: minor units of the currency (fen for CNY); sales_major: the same "
                "amount in currency units; percent: 0 to 100; empty: not known"
            ),
        )
    )
    return rows


def table_parquet(report: Report, *, rule_set: RuleSet, table: str = "villages") -> bytes:
    """One table as a Parquet file; the schema metadata `evillage` (JSON) says what it is."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    chosen = report_tables(report, rule_set=rule_set)[check_table(table)]
    types = {
        TEXT: pa.string(),
        INT: pa.int64(),
        # int64 minor units have at most 19 digits.
        MONEY: pa.decimal128(20, minor_digits(report.currency)),
        PERCENT: pa.float64(),
        TEXTS: pa.list_(pa.string()),
    }
    metadata = dict(about(report, rule_set=rule_set)) | {"table": chosen.name}
    schema = pa.schema(
        [pa.field(name, types[kind]) for name, kind in chosen.columns],
        metadata={"evillage": json.dumps(metadata, ensure_ascii=False)},
    )
    columns = [[row[i] for row in chosen.rows] for i in range(len(chosen.columns))]
    data = pa.Table.from_arrays(
        [pa.array(values, type=f.type) for values, f in zip(columns, schema, strict=True)],
        schema=schema,
    )
    out = io.BytesIO()
    pq.write_table(data, out)
    return out.getvalue()


def _shown(value, kind: str):
    """A value as it goes into a cell: lists joined, characters XML cannot hold removed."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if kind == TEXTS:
        value = "、".join(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _width(value, kind: str = TEXT) -> int:
    """Display width of a cell's value: CJK characters take two columns."""
    if value is None:
        return 0
    if isinstance(value, str):
        text = value
    else:
        text = f"{value:,.2f}" if kind in (MONEY, PERCENT) else f"{value:,}"
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def report_xlsx(report: Report, *, rule_set: RuleSet) -> bytes:
    """Every table as a sheet (header row frozen, with filters), then `about`."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    digits = minor_digits(report.currency)
    money_format = "#,##0" + ("." + "0" * digits if digits else "")
    formats = {INT: "#,##0", MONEY: money_format, PERCENT: "0.00"}
    bold = Font(bold=True)
    # Write-only: cells go to the file as they are appended, not kept as objects.
    book = Workbook(write_only=True)

    def cell(sheet, value, kind: str = TEXT, *, font=None):
        value = _shown(value, kind)
        c = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # text, even when it starts with "=" (never a formula)
        elif kind in formats:
            c.number_format = formats[kind]
        if font is not None:
            c.font = font
        return c

    for table in report_tables(report, rule_set=rule_set).values():
        sheet = book.create_sheet(table.name)
        for i, (name, kind) in enumerate(table.columns):
            shown = (_width(_shown(row[i], kind), kind) for row in table.rows)
            width = max([_width(name), *shown])
            sheet.column_dimensions[get_column_letter(i + 1)].width = min(width + 2, 60)
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
        sheet.append([cell(sheet, name, font=bold) for name, _kind in table.columns])
        for row in table.rows:
            sheet.append(
                [cell(sheet, v, kind) for v, (_n, kind) in zip(row, table.columns, strict=True)]
            )
    sheet = book.create_sheet("about")
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 40
    for key, value in about(report, rule_set=rule_set):
        sheet.append([cell(sheet, key, font=bold), cell(sheet, value)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_response(
    report: Report, *, rule_set: RuleSet, fmt: str, table: str = "villages"
) -> HttpResponse:
    """The report as a download: csv (villages), parquet (one table) or xlsx (all)."""
    stem = f"{report.year}-{report.rule_set}-v{report.version}"
    if fmt == "csv":
        body, name = villages_csv(report).encode(), f"villages-{stem}.csv"
    elif fmt == "parquet":
        body = table_parquet(report, rule_set=rule_set, table=table)
        name = f"{table}-{stem}.parquet"
    else:
        body, name = report_xlsx(report, rule_set=rule_set), f"observatory-{stem}.xlsx"
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
