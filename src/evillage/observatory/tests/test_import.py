"""Importing a published list: name normalisation, replacing a year, refusing bad files."""

import csv
import datetime as dt
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from evillage.observatory import matching, services
from evillage.observatory.models import ListedVillage, VillageList, VillageStats
from evillage.observatory.reading import ListFileError
from evillage.places.models import Place

HEADER = "province,city,county,town,village,specialty\n"


@pytest.fixture
def shaji(db):
    """江苏省 徐州市 睢宁县 沙集镇 with its village 东风社区居委会 (once 东风村)."""
    province = Place.objects.create(country="cn", code="32", level=1, name="江苏省")
    city = Place.objects.create(country="cn", code="3203", level=2, name="徐州市", parent=province)
    county = Place.objects.create(country="cn", code="320324", level=3, name="睢宁县", parent=city)
    town = Place.objects.create(
        country="cn", code="320324104", level=4, name="沙集镇", parent=county
    )
    Place.objects.create(
        country="cn", code="320324104201", level=5, name="东风社区居委会", parent=town
    )
    Place.objects.create(country="cn", code="320324104202", level=5, name="孙庄村委会", parent=town)
    return town


def write(tmp_path, text: str, encoding="utf-8", name="list.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("published", "official"),
    [("北京", "北京"), ("北京市", "北京"), ("浙江省", "浙江"), ("广西壮族自治区", "广西")],
)
def test_short_and_full_province_names_compare_equal(published, official):
    """Short and full province names normalise to the same key."""
    assert matching.norm_province(published) == official


@pytest.mark.parametrize(
    "name", ["东风村", "东风村委会", "东风村民委员会", "东风社区居委会", "东风社区"]
)
def test_village_suffixes_are_ignored(name):
    """村, 村委会, 村民委员会, 社区居委会 ... all name the same village."""
    assert matching.norm_village(name) == "东风"


def test_a_renamed_village_is_matched_in_its_town_and_gbk_is_read(shaji, tmp_path):
    """'东风村' of 沙集镇 (2016) is '东风社区居委会' in the 2023 codes; a GBK file is read."""
    path = write(tmp_path, HEADER + "江苏,徐州,睢宁县,沙集,东风村,家具\n", encoding="gbk")
    result = services.village_list_import(path=path, year=2016)
    assert result.matched_villages == 1
    entry = ListedVillage.objects.get()
    assert entry.village.code == "320324104201"
    assert entry.specialty == "家具"


def test_unmatched_rows_are_kept_with_a_reason_and_reported(shaji, tmp_path):
    """A village the divisions do not know keeps its town and county and is reported."""
    path = write(tmp_path, HEADER + "江苏省,徐州市,睢宁县,沙集镇,不存在村,\n")
    result = services.village_list_import(path=path, year=2016)
    assert result.matched_villages == 0
    assert result.matched_places == 1
    entry = ListedVillage.objects.get()
    assert entry.village is None
    assert entry.town == shaji
    assert entry.reason == "village_not_in_town"
    report = tmp_path / "unmatched.csv"
    services.write_unmatched_report(result=result, path=report)
    with report.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["village"] == "不存在村"
    assert rows[0]["reason"] == "village_not_in_town"
    assert rows[0]["matched_town"] == "320324104"


def test_fuzzy_matches_are_listed_for_checking(shaji, tmp_path):
    """'孙家庄村' is matched to the similar '孙庄村委会' and listed in the report."""
    path = write(tmp_path, HEADER + "江苏省,徐州市,睢宁县,沙集镇,孙家庄村,\n")
    result = services.village_list_import(path=path, year=2016)
    assert result.matched_villages == 1
    assert ListedVillage.objects.get().method == "fuzzy"
    report = tmp_path / "unmatched.csv"
    services.write_unmatched_report(result=result, path=report)
    with report.open(encoding="utf-8-sig") as f:
        [row] = list(csv.DictReader(f))
    assert (row["matched_village"], row["reason"]) == ("320324104202", "fuzzy_match")


def test_reimporting_a_year_replaces_its_rows(shaji, tmp_path):
    """The second import of 2016 replaces the first; other years stay."""
    one = write(tmp_path, HEADER + "江苏省,徐州市,睢宁县,沙集镇,东风村,\n", name="a.csv")
    two = write(tmp_path, HEADER + "江苏省,徐州市,睢宁县,沙集镇,孙庄村,\n", name="b.csv")
    services.village_list_import(path=one, year=2015)
    services.village_list_import(path=one, year=2016)
    services.village_list_import(path=two, year=2016)
    assert VillageList.objects.count() == 2
    assert list(
        ListedVillage.objects.filter(village_list__year=2016).values_list("village_name", flat=True)
    ) == ["孙庄村"]


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (
            "province,city,county,town\n江苏省,徐州市,睢宁县,沙集镇\n",
            "utf-8",
            "line 1, column village",
        ),
        (HEADER + "江苏省,徐州市,睢宁县,沙集镇,东风村,\n江苏省,徐州市,睢", "utf-8", "line 3"),
        (HEADER + "江苏省,徐州市,睢宁县,沙集镇,,\n", "utf-8", "line 2, column village"),
    ],
)
def test_bad_files_are_refused_with_line_and_column_and_import_nothing(
    shaji, tmp_path, text, encoding, expected
):
    """Missing columns, a truncated last row, an empty village: nothing is imported."""
    path = write(tmp_path, text, encoding)
    with pytest.raises(ListFileError) as info:
        services.village_list_import(path=path, year=2016)
    assert str(path) in info.value.message
    assert expected in info.value.message
    assert not VillageList.objects.exists()


def test_a_file_in_neither_utf8_nor_gbk_is_refused(shaji, tmp_path):
    """Bytes that are no text in either encoding name the file and line."""
    path = tmp_path / "bad.csv"
    path.write_bytes(HEADER.encode() + b"\xff\xfe\xff\xfe,\x80\n")
    with pytest.raises(ListFileError, match="line 2"):
        services.village_list_import(path=path, year=2016)


def test_an_unknown_year_is_refused(shaji, tmp_path):
    """A year before the first Taobao villages is refused."""
    path = write(tmp_path, HEADER + "江苏省,徐州市,睢宁县,沙集镇,东风村,\n")
    with pytest.raises(ListFileError, match="unknown year 1999"):
        services.village_list_import(path=path, year=1999)
    assert not VillageList.objects.exists()


def test_a_list_of_unknown_provinces_is_refused_and_the_years_list_survives(shaji, tmp_path):
    """Read in the wrong encoding (or before the divisions are imported), every province is
    unknown: importing would replace the year's good list with rows placed nowhere."""
    good = write(tmp_path, HEADER + "江苏省,徐州市,睢宁县,沙集镇,东风村,\n", name="good.csv")
    services.village_list_import(path=good, year=2016)
    garbled = "姹熻嫃鐪?,寰愬窞甯?,鐫㈠畞鍘?,娌欓泦闀?,涓滈鏉?,\n"
    bad = write(tmp_path, HEADER + garbled * 3 + "江苏省,徐州市,睢宁县,沙集镇,东风村,\n")
    with pytest.raises(ListFileError, match=r"line 2, column province: 3 of 4 rows"):
        services.village_list_import(path=bad, year=2016)
    assert VillageList.objects.get(year=2016).source == "good.csv"
    assert ListedVillage.objects.filter(village_list__year=2016).count() == 1


def test_the_command_prints_a_summary_and_writes_the_report(shaji, tmp_path, capsys):
    """`evillage import_village_list FILE --year Y --report R` prints the match rates."""
    path = write(
        tmp_path,
        HEADER + "江苏省,徐州市,睢宁县,沙集镇,东风村,\n江苏省,徐州市,睢宁县,沙集镇,无名村,\n",
    )
    report = tmp_path / "r.csv"
    call_command("import_village_list", str(path), "--year", "2016", "--report", str(report))
    out = capsys.readouterr().out
    assert "2 rows; 1 matched to a village code (50.0%)" in out
    assert report.exists()
    with pytest.raises(CommandError, match="unknown year"):
        call_command("import_village_list", str(path), "--year", "3000")


# XLSX: lists and statistics as spreadsheets save them.


def workbook(path, rows, *, active_other_sheet=False):
    """A workbook whose first sheet holds `rows`; a second sheet may be the active one."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    for row in rows:
        sheet.append(row)
    if active_other_sheet:
        other = book.create_sheet("说明")
        other.append(["not the data"])
        book.active = 1
    book.save(path)
    return path


def as_floats(path, numbers: dict[str, str]):
    """Store numbers as Excel and LibreOffice may: 2016 as "2016.0", 320324104201 as
    "3.20324104201E+11" (openpyxl reads these back as floats)."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for old, new in numbers.items():
        xml = xml.replace(f"<v>{old}</v>", f"<v>{new}</v>")
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


LIST_HEADER = [" Province", "CITY ", "county", "Town", "village", "specialty", "announced"]


def test_an_xlsx_list_is_imported_from_its_first_sheet(shaji, tmp_path, capsys):
    """The first sheet (not the active one) is read; names are trimmed and lower-cased; a
    blank row is skipped; lines are the sheet's rows; a column nobody reads may hold a
    date; a number stored as a float is its digits."""
    path = workbook(
        tmp_path / "list.xlsx",
        [
            LIST_HEADER,
            ["江苏省", "徐州市", "睢宁县", "沙集镇", "东风村", "家具", dt.date(2016, 12, 1)],
            [],
            ["江苏省", "徐州市", "睢宁县", "沙集镇", " 孙庄村 ", 2016, None],
        ],
        active_other_sheet=True,
    )
    as_floats(path, {"2016": "2016.0"})
    call_command("import_village_list", str(path), "--year", "2016")
    assert "2 rows; 2 matched to a village code" in capsys.readouterr().out
    rows = list(
        ListedVillage.objects.order_by("line").values_list(
            "line", "village_name", "specialty", "village__code"
        )
    )
    assert rows == [
        (2, "东风村", "家具", "320324104201"),
        (4, "孙庄村", "2016", "320324104202"),
    ]
    assert VillageList.objects.get(year=2016).source == "list.xlsx"


def test_xlsx_statistics_with_codes_and_years_as_numbers(shaji, tmp_path, capsys):
    """Codes, years and sales typed as numbers (even stored as floats) import as whole
    numbers, not "320324104201.0"; an empty households cell is no figure."""
    path = workbook(
        tmp_path / "stats.xlsx",
        [
            ["code", "year", "sales", "merchants", "households"],
            [320324104201, 2016, 150000000, 60, None],
            ["320324104202", 2016, "2,000", 3, 40],
        ],
    )
    as_floats(path, {"320324104201": "3.20324104201E+11", "2016": "2016.0", "60": "60.0"})
    assert isinstance(openpyxl.load_workbook(path).active["A2"].value, float)
    call_command("import_village_stats", str(path))
    assert "Imported 2 rows." in capsys.readouterr().out
    stats = VillageStats.objects.order_by("place__code").values_list(
        "place__code", "year", "sales", "merchants", "households"
    )
    assert list(stats) == [
        ("320324104201", 2016, 150_000_000, 60, None),
        ("320324104202", 2016, 2_000, 3, 40),
    ]


def _bad_list(tmp_path, case):
    path = tmp_path / "bad.xlsx"
    good = ["江苏省", "徐州市", "睢宁县", "沙集镇", "东风村", "家具"]
    if case == "not_a_zip":
        path.write_bytes(b"province,city\n")
    elif case == "zip_not_workbook":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("readme.txt", "hello")
    elif case == "empty_sheet":
        workbook(path, [])
    elif case == "missing_column":
        workbook(path, [LIST_HEADER[:4], good[:4]])
    elif case == "empty_village":
        workbook(path, [LIST_HEADER[:6], good, [*good[:4], "", "家具"]])
    elif case == "date":
        workbook(path, [LIST_HEADER[:6], good, [*good[:4], dt.datetime(2016, 1, 1), "家具"]])
    elif case == "formula_error":
        workbook(path, [LIST_HEADER[:6], [*good[:4], "#N/A", "家具"]])
    elif case == "column_twice":
        workbook(path, [[*LIST_HEADER[:5], "Village"], [*good[:5], "别名"]])
    elif case == "unnamed_column":
        workbook(path, [LIST_HEADER[:6], [*good, None, "注"]])
    return path


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("not_a_zip", "not a readable XLSX workbook"),
        ("zip_not_workbook", "not a readable XLSX workbook"),
        ("empty_sheet", "line 1: the first sheet is empty"),
        ("missing_column", "line 1, column village: missing columns village"),
        ("empty_village", "line 3, column village: empty value"),
        ("date", "line 3, column village: a date or time (2016-01-01)"),
        ("formula_error", "line 2, column village: the cell shows the spreadsheet error #N/A"),
        ("unnamed_column", "line 2, column H: a value in a column without a name"),
        ("column_twice", "line 1, column village: the column appears more than once"),
    ],
)
def test_a_bad_xlsx_list_is_refused_and_the_years_list_survives(shaji, tmp_path, case, expected):
    """Each bad workbook names file, row and column; the year's earlier import stays."""
    good = write(tmp_path, HEADER + "江苏省,徐州市,睢宁县,沙集镇,东风村,家具\n", name="good.csv")
    services.village_list_import(path=good, year=2016)
    path = _bad_list(tmp_path, case)
    with pytest.raises(CommandError) as info:
        call_command("import_village_list", str(path), "--year", "2016")
    assert str(info.value).startswith(f"{path}")
    assert expected in str(info.value)
    kept = VillageList.objects.get(year=2016)
    assert kept.source == "good.csv"
    assert list(kept.entries.values_list("village_name", flat=True)) == ["东风村"]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([dt.date(2016, 1, 1), 100, 3], "line 2, column year: a date or time (2016-01-01"),
        ([2016, 12.5, 3], "line 2, column sales: '12.5' is not a whole number"),
        ([2016, -100, 3], "line 2, column sales: '-100' is not a whole number"),
        ([2016, 100, True], "line 2, column merchants: TRUE/FALSE"),
    ],
)
def test_bad_xlsx_statistics_change_nothing(shaji, tmp_path, cells, expected):
    """A bad figure names row and column; the figures imported before stay as they were."""
    before = write(tmp_path, "code,year,sales,merchants,households\n320324104201,2016,500,7,\n")
    services.village_stats_import(path=before)
    path = workbook(
        tmp_path / "stats.xlsx",
        [
            ["code", "year", "sales", "merchants", "households"],
            [320324104201, *cells, None],
        ],
    )
    with pytest.raises(CommandError) as info:
        call_command("import_village_stats", str(path))
    assert str(info.value).startswith(f"{path}, {expected}")
    assert list(VillageStats.objects.values_list("year", "sales", "merchants")) == [(2016, 500, 7)]


def test_old_excel_files_are_refused_with_advice(shaji, tmp_path):
    """A .xls (Excel 97-2003) file is not read as text: save it as .xlsx or CSV."""
    path = tmp_path / "list.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(ListFileError, match=r"list\.xls: an Excel 97-2003 workbook"):
        services.village_list_import(path=path, year=2016)
    assert not VillageList.objects.exists()
