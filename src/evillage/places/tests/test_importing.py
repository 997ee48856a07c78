import gzip
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from evillage.core.errors import ValidationFailed
from evillage.places import SHIPPED_DATA_DIR
from evillage.places.importing import PlaceImportError
from evillage.places.models import Level, Place
from evillage.places.services import places_import

pytestmark = pytest.mark.django_db

CN = SHIPPED_DATA_DIR / "cn"
ID = SHIPPED_DATA_DIR / "id"


def counts(country: str) -> dict[int, int]:
    return {
        level: Place.objects.filter(country=country, level=level).count() for level in Level.values
    }


def test_shipped_subset_has_every_county_and_the_chosen_villages(shipped):
    assert counts("cn") == {1: 31, 2: 342, 3: 2978, 4: 98, 5: 2571}
    assert counts("id") == {1: 38, 2: 0, 3: 514, 4: 23, 5: 312}
    assert shipped["cn"].rows == 31 + 342 + 2978 + 98 + 2571


def test_shipped_village_hangs_under_its_town_county_city_province(shipped):
    village = Place.objects.get(country="cn", name="东风社区居委会", parent__name="沙集镇")
    town = village.parent
    assert (town.parent.name, town.parent.parent.name, town.parent.parent.parent.name) == (
        "睢宁县",
        "徐州市",
        "江苏省",
    )
    assert village.key == f"cn-{village.code}" and village.code.startswith(town.code)


def test_coordinates_come_from_the_coords_file_and_the_indonesian_files(shipped):
    suining = Place.objects.get(key="cn-320324")
    assert suining.latitude == Decimal("33.912597")
    assert suining.longitude == Decimal("117.941563")
    assert Place.objects.get(key="cn-32").latitude is not None
    assert (
        Place.objects.filter(country="cn", level=Level.VILLAGE, latitude__isnull=False).count() == 0
    )
    klesem = Place.objects.get(key="id-3326012001")
    assert klesem.name == "Klesem"
    assert klesem.parent.parent.name == "Kabupaten Pekalongan"
    assert klesem.latitude == Decimal("-7.229785")


def test_second_import_changes_nothing_and_keeps_households(shipped):
    Place.objects.filter(key="cn-320324").update(households=123)
    before = counts("cn")
    result = places_import(country="cn", source=CN, coords=CN / "coords.csv.gz")
    assert counts("cn") == before
    assert [s.created for s in result.levels] == [0, 0, 0, 0, 0]
    assert [s.updated for s in result.levels] == [0, 0, 0, 0, 0]
    assert [s.unchanged for s in result.levels] == [31, 342, 2978, 98, 2571]
    suining = Place.objects.get(key="cn-320324")
    assert suining.households == 123
    assert suining.latitude == Decimal("33.912597")


def _copy_plain(
    src: Path, dst: Path, stems=("provinces", "cities", "areas", "streets", "villages")
):
    """Ungzip the shipped files into dst as plain .csv files."""
    dst.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        with gzip.open(src / f"{stem}.csv.gz", "rt", encoding="utf-8") as f:
            (dst / f"{stem}.csv").write_text(f.read(), encoding="utf-8")
    return dst


def test_reimport_from_plain_csv_updates_names_but_not_households(shipped, tmp_path):
    source = _copy_plain(CN, tmp_path / "cn")
    villages = source / "villages.csv"
    village = Place.objects.get(country="cn", name="东风社区居委会", parent__name="沙集镇")
    Place.objects.filter(pk=village.pk).update(households=800)
    villages.write_text(villages.read_text().replace("东风社区居委会", "东风村"))

    result = places_import(country="cn", source=source)

    village.refresh_from_db()
    assert village.name == "东风村" and village.search_name == "东风村"
    assert village.households == 800
    assert result.levels[-1].updated == 1 and result.levels[-1].created == 0
    # Coordinates set earlier from the coords file stay when the source has none.
    assert Place.objects.get(key="cn-320324").latitude == Decimal("33.912597")


def test_indonesian_villages_may_come_split_into_a_folder(db, tmp_path):
    source = tmp_path / "id"
    source.mkdir()
    for stem in ("provinces", "regencies", "districts"):
        shutil.copy(ID / f"{stem}.csv.gz", source)
    (source / "villages").mkdir()
    with gzip.open(ID / "villages.csv.gz", "rt", encoding="utf-8") as f:
        lines = f.read().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    (source / "villages" / "villages_33.csv").write_text(header + "".join(rows[:100]))
    with gzip.open(source / "villages" / "villages_34.csv.gz", "wt", encoding="utf-8") as f:
        f.write(header + "".join(rows[100:]))

    result = places_import(country="id", source=source)

    assert result.levels[-1].rows == 312
    assert counts("id")[Level.VILLAGE] == 312


CHINA_HEAD = {
    "provinces": "code,name\n11,北京市\n32,江苏省\n",
    "cities": "code,name,provinceCode\n3203,徐州市,32\n",
    "areas": "code,name,cityCode,provinceCode\n320324,睢宁县,3203,32\n",
}


def _china(tmp_path: Path, **files: str) -> Path:
    source = tmp_path / "bad"
    source.mkdir()
    for stem, text in {**CHINA_HEAD, **files}.items():
        (source / f"{stem}.csv").write_text(text, encoding="utf-8")
    return source


@pytest.mark.parametrize(
    ("stem", "text", "line", "reason"),
    [
        ("cities", "code,title,provinceCode\n3203,徐州市,32\n", 1, "missing columns name"),
        ("cities", "code,name,provinceCode\n3203,徐州市,32\n,无名,32\n", 3, "empty code"),
        ("cities", "code,name,provinceCode\n3203,徐州市\n", 2, "expected 3 columns, found 2"),
        ("areas", "code,name,cityCode,provinceCode\n330324,某县,3203,32\n", 2, "does not match"),
        ("cities", "code,name,provinceCode\n3303,某市,33\n", 2, "unknown parent code 33"),
        ("areas", "code,name,cityCode,provinceCode\n32032,某县,3203,32\n", 2, "is not 6 digits"),
    ],
)
def test_malformed_input_names_file_and_line_and_imports_nothing(
    db, tmp_path, stem, text, line, reason
):
    source = _china(tmp_path, **{stem: text})
    with pytest.raises(PlaceImportError) as info:
        places_import(country="cn", source=source)
    assert f"{stem}.csv, line {line}:" in info.value.message
    assert reason in info.value.message
    assert info.value.code == "place_import_invalid"
    assert Place.objects.count() == 0


def test_bad_coordinate_is_reported_with_its_line_and_rolls_back(shipped, tmp_path):
    source = tmp_path / "id"
    shutil.copytree(ID, source)
    (source / "villages.csv.gz").unlink()
    (source / "districts.csv.gz").unlink()
    (source / "districts.csv").write_text(
        "id,regency_id,name,latitude,longitude\n"
        "332601,3326,Kandangserang,-7.1,109.5\n"
        "332602,3326,Paninggaran,north,109.5\n"
    )
    Place.objects.filter(key="id-33").update(name="renamed")
    with pytest.raises(PlaceImportError) as info:
        places_import(country="id", source=source)
    assert "districts.csv, line 3: bad coordinate 'north'" in info.value.message
    # The provinces imported before the bad line were rolled back too.
    assert Place.objects.get(key="id-33").name == "renamed"


def test_bad_coords_file_line_is_reported(db, tmp_path):
    source = _china(tmp_path)
    coords = tmp_path / "adcodes.csv"
    coords.write_text("adcode,name,longitude,latitude\n320324000000,睢宁县,117.9,95.5\n")
    with pytest.raises(PlaceImportError, match=r"adcodes.csv, line 2: bad coordinate '95.5'"):
        places_import(country="cn", source=source, coords=coords)
    assert Place.objects.count() == 0


def test_missing_provinces_file_is_an_error(db, tmp_path):
    with pytest.raises(ValidationFailed) as info:
        places_import(country="cn", source=tmp_path)
    assert info.value.code == "place_import_no_source"
    assert "No provinces.csv or provinces.csv.gz" in info.value.message


def test_command_prints_a_summary_per_level(db, capsys):
    call_command("import_places", "--country", "id", "--source", str(ID))
    out = capsys.readouterr().out
    assert "province" in out and "village" in out
    assert "312" in out
    assert "Imported 887 places of id" in out


def test_command_fails_cleanly_on_malformed_input(db, tmp_path):
    source = _china(tmp_path, cities="code,name,provinceCode\n3303,某市,33\n")
    with pytest.raises(CommandError, match=r"cities.csv, line 2: unknown parent code 33"):
        call_command("import_places", "--country", "cn", "--source", str(source))
    assert Place.objects.count() == 0
