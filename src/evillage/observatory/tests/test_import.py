"""Importing a published list: name normalisation, replacing a year, refusing bad files."""

import csv

import pytest
from django.core.management import CommandError, call_command

from evillage.observatory import matching, services
from evillage.observatory.models import ListedVillage, VillageList
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


def test_an_unknown_year_and_xlsx_without_openpyxl_are_refused(shaji, tmp_path):
    """A year before the first Taobao villages is refused; so is XLSX with no reader."""
    path = write(tmp_path, HEADER + "江苏省,徐州市,睢宁县,沙集镇,东风村,\n")
    with pytest.raises(ListFileError, match="unknown year 1999"):
        services.village_list_import(path=path, year=1999)
    xlsx = write(tmp_path, "not a workbook", name="list.xlsx")
    with pytest.raises(ListFileError, match=r"list\.xlsx"):
        services.village_list_import(path=xlsx, year=2016)
    assert not VillageList.objects.exists()


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
