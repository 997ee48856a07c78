"""Reading published lists: CSV in UTF-8 or GBK (detected), every row with its line number."""

import csv
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


def read_table(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[tuple[int, list]]]:
    """Header and rows (line, cells) of a CSV file; XLSX if openpyxl is installed."""
    path = Path(path)
    if not path.is_file():
        raise ListFileError(path, 0, _("no such file"))
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, required)
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


def _read_xlsx(path: Path, required: tuple[str, ...]):
    try:
        import openpyxl
    except ImportError:
        raise ListFileError(
            path, 0, _("reading XLSX needs openpyxl, which is not installed; save the sheet as CSV")
        ) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ListFileError(path, 0, _("unreadable workbook: %(error)s") % {"error": exc}) from exc
    values = list(book.active.iter_rows(values_only=True))
    if not values:
        raise ListFileError(path, 1, _("the file is empty"))
    header = [str(h or "").strip().lower() for h in values[0]]
    _check_header(path, header, required)
    rows = [
        (i, ["" if c is None else str(c) for c in row])
        for i, row in enumerate(values[1:], start=2)
        if any(c not in (None, "") for c in row)
    ]
    return header, rows


def read_list(path: Path) -> list[ListRow]:
    """The rows of a published list; raises ListFileError at the first bad row."""
    header, rows = read_table(path, LIST_COLUMNS)
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
