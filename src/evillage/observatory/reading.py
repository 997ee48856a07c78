"""Reading published lists and statistics: CSV in UTF-8 or GBK (detected) or XLSX (the first
sheet), every row with its line number."""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from evillage.core.errors import ValidationFailed

LIST_COLUMNS = ("province", "city", "county", "town", "village")
OPTIONAL_COLUMNS = ("specialty",)


class ListFileError(ValidationFailed):
    """A bad input file: the message names the file, line and column."""

    default_code = "observatory_bad_file"

    def __init__(self, path: Path | str, line: int, message: str, *, column: str = "") -> None:
        where = (
            str(path)
            + (f", line {line}" if line else "")
            + (f", column {column}" if column else "")
        )
        super().__init__(f"{where}: {message}", details={"line": line, "column": column})
        self.path, self.line, self.column = str(path), line, column


@dataclass(frozen=True)
class ListRow:
    line: int
    province: str
    city: str
    county: str
    town: str
    village: str
    specialty: str


def decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes, else GBK (GB18030); otherwise an error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise ListFileError(
                path, line, _("the file is neither UTF-8 nor GBK text")
            ) from utf8_error


def read_table(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[list[str], list[tuple[int, list]]]:
    """Header (trimmed, lower-cased) and rows (line, cells as text) of a CSV or XLSX file.

    XLSX is recognised by its name (.xlsx, .xlsm) or by its content (a ZIP archive), so a
    workbook saved under another name is not read as text. In a workbook, the cells of
    the `required` and `optional` columns must hold text or numbers (a date is refused);
    other columns are not checked."""
    path = Path(path)
    if not path.is_file():
        raise ListFileError(path, 0, _("no such file"))
    with path.open("rb") as f:
        head = f.read(len(OLE2_MAGIC))
    if path.suffix.lower() in XLSX_SUFFIXES or head.startswith(ZIP_MAGIC):
        return _read_xlsx(path, required, set(required) | set(optional))
    if path.suffix.lower() == ".xls" or head == OLE2_MAGIC:
        raise ListFileError(
            path, 0, _("an Excel 97-2003 workbook (.xls) is not read; save it as .xlsx or CSV")
        )
    text = decode(path, path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ListFileError(path, 1, _("the file is empty"))
        header = [h.strip().lower() for h in header]
        _check_header(path, header, required)
        rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise ListFileError(path, reader.line_num, str(exc)) from exc
    return header, rows


XLSX_SUFFIXES = {".xlsx", ".xlsm"}
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and other old Office files)


def _check_header(path: Path, header: list[str], required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise ListFileError(
            path,
            1,
            _("missing columns %(missing)s (expected %(expected)s)")
            % {"missing": ", ".join(missing), "expected": ", ".join(required)},
            column=missing[0],
        )
    twice = [c for c in required if header.count(c) > 1]
    if twice:
        raise ListFileError(path, 1, _("the column appears more than once"), column=twice[0])


# What a cell shows when its formula failed; data_only gives it as a string.
SPREADSHEET_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}


def _read_xlsx(
    path: Path, required: tuple[str, ...], checked: set[str]
) -> tuple[list[str], list[tuple[int, list]]]:
    """The first worksheet; lines are the sheet's row numbers, every cell becomes text."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        # Read-only streams the sheet; data_only gives formulas' last computed values.
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a bad ZIP, missing parts, bad XML: all mean "not a workbook"
        raise ListFileError(
            path, 0, _("not a readable XLSX workbook (%(error)s)") % {"error": exc}
        ) from exc
    try:
        if not book.worksheets:
            raise ListFileError(path, 1, _("the file is empty"))
        sheet = book.worksheets[0]
        # The stored dimension may be wrong (some writers put "A1"): read every cell.
        sheet.reset_dimensions()
        try:
            values = list(sheet.iter_rows(values_only=True))
        except Exception as exc:
            raise ListFileError(
                path, 0, _("not a readable XLSX workbook (%(error)s)") % {"error": exc}
            ) from exc
    finally:
        book.close()
    if not any(_filled(c) for row in values for c in row):
        raise ListFileError(path, 1, _("the first sheet is empty"))
    header = [
        _cell_text(path, 1, get_column_letter(i + 1), v).strip().lower()
        for i, v in enumerate(values[0])
    ]
    while header and not header[-1]:
        header.pop()

    def column(i: int) -> str:
        """The column's name for messages, or its letter when it has none."""
        return (header[i] if i < len(header) else "") or get_column_letter(i + 1)

    _check_header(path, header, required)
    rows = []
    for line, row in enumerate(values[1:], start=2):
        if not any(_filled(c) for c in row):
            continue
        extra = [i for i in range(len(header), len(row)) if _filled(row[i])]
        if extra:
            raise ListFileError(
                path, line, _("a value in a column without a name"), column=column(extra[0])
            )
        cells = [
            _cell_text(path, line, column(i), c, strict=header[i] in checked)
            for i, c in enumerate(row[: len(header)])
        ]
        rows.append((line, cells + [""] * (len(header) - len(cells))))
    return header, rows


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _cell_text(path: Path, line: int, column: str, value, *, strict: bool = True) -> str:
    """A cell as the text a CSV would hold. Excel keeps every number as a float, so a
    whole number (a code 330782100201, a year 2016.0) becomes its digits. Unless
    `strict`, a date, TRUE/FALSE or a formula's error is kept as text, not refused."""
    if value is None:
        return ""
    if isinstance(value, float):  # never a bool
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if not strict:
        return value.isoformat() if isinstance(value, dt.date | dt.time) else str(value)
    if isinstance(value, bool):
        raise ListFileError(
            path, line, _("TRUE/FALSE where text or a number is expected"), column=column
        )
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            value = value.date()  # a date typed in a cell is read as midnight
        raise ListFileError(
            path,
            line,
            _(
                "a date or time (%(value)s) where text or a number is expected; "
                "format the column as text or numbers"
            )
            % {"value": value},
            column=column,
        )
    if isinstance(value, str) and value.strip() in SPREADSHEET_ERRORS:
        raise ListFileError(
            path,
            line,
            _("the cell shows the spreadsheet error %(error)s") % {"error": value.strip()},
            column=column,
        )
    return str(value)


def read_list(path: Path) -> list[ListRow]:
    """The rows of a published list; raises ListFileError at the first bad row."""
    header, rows = read_table(path, LIST_COLUMNS, OPTIONAL_COLUMNS)
    index = {name: header.index(name) for name in LIST_COLUMNS + OPTIONAL_COLUMNS if name in header}
    result = []
    for line, row in rows:
        if len(row) != len(header):
            raise ListFileError(
                path,
                line,
                _("expected %(expected)d columns, found %(found)d (is the file truncated?)")
                % {"expected": len(header), "found": len(row)},
                column=header[min(len(row), len(header) - 1)],
            )
        cells = {name: " ".join(row[i].split()) for name, i in index.items()}
        for name in ("province", "village"):
            if not cells[name]:
                raise ListFileError(path, line, _("empty value"), column=name)
        result.append(
            ListRow(
                line=line,
                specialty=cells.get("specialty", ""),
                **{name: cells[name] for name in LIST_COLUMNS},
            )
        )
    return result
