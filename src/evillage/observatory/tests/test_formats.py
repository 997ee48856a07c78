"""The observatory's downloads: CSV for Excel, Parquet and XLSX read back with typed values."""

import codecs
import datetime as dt
import io
import json
from decimal import Decimal

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evillage.observatory import services
from evillage.observatory.tests.test_classification import IN_2023, sale, shop_in, small_rules
from evillage.places.tests.factories import village
from evillage.shops.models import ShopKind

PUBLISHED = {"year": 2016, "rule_set": "aliresearch-published"}
STEM = "2016-aliresearch-published-v1"
PARQUET = "/api/observatory/report.parquet"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parquet(response) -> pa.Table:
    return pq.read_table(io.BytesIO(response.content))


def workbook(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(response.content))


def sheet_rows(sheet) -> list[dict]:
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_csv_is_utf8_with_a_bom_for_excel(listed, client):
    """Excel reads a CSV as UTF-8 only with a BOM: the Chinese names survive."""
    response = client.get("/api/observatory/report.csv", PUBLISHED)
    assert response.content.startswith(codecs.BOM_UTF8)
    assert "东风1村" in response.content.decode("utf-8-sig")
    assert response["Content-Disposition"] == f'attachment; filename="villages-{STEM}.csv"'


def test_the_parquet_villages_have_typed_columns(listed, client):
    """Codes are text, sales int64 minor units and decimal major units (null: a published
    list has no figures), the file says what it is in its metadata."""
    response = client.get("/api/observatory/report.parquet", PUBLISHED)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    assert response["Content-Disposition"] == f'attachment; filename="villages-{STEM}.parquet"'
    table = parquet(response)
    schema = table.schema
    assert schema.field("key").type == pa.string()
    assert schema.field("sales").type == pa.int64()
    assert schema.field("sales_major").type == pa.decimal128(20, 2)
    assert schema.field("households").type == pa.int64()
    rows = table.to_pylist()
    assert [r["name"] for r in rows] == ["东风1村", "东风2村", "东风3村"]
    assert rows[0] | {"place_key": None} == {
        "key": "320324104201",
        "name": "东风1村",
        "town": "沙集镇",
        "county": "睢宁县",
        "province_code": "32",
        "province": "江苏省",
        "region": "east",
        "specialty": "家具",
        "currency": "CNY",
        "sales": None,
        "sales_major": None,
        "merchants": None,
        "households": None,
        "place_key": None,
    }
    about = json.loads(schema.metadata[b"evillage"])
    assert about["year"] == 2016
    assert (about["rule_set"], about["table"]) == ("aliresearch-published", "villages")


def test_parquet_tables_by_name(listed, client):
    """?table= gives counties (ranked, products as a list), towns (shops and sales unknown
    under a published rule set), provinces and regions."""
    counties = parquet(client.get(PARQUET, PUBLISHED | {"table": "counties"}))
    assert counties.schema.field("products").type == pa.list_(pa.string())
    assert counties.to_pylist() == [
        {"rank": 1, "code": "320324", "name": "睢宁县", "villages": 3, "products": ["家具"]}
    ]
    response = client.get("/api/observatory/report.parquet", PUBLISHED | {"table": "towns"})
    assert response["Content-Disposition"] == f'attachment; filename="towns-{STEM}.parquet"'
    [town] = parquet(response).to_pylist()
    assert (town["name"], town["villages"]) == ("沙集镇", 3)
    assert (town["shops"], town["sales"], town["sales_major"]) == (None, None, None)
    regions = parquet(client.get(PARQUET, PUBLISHED | {"table": "regions"}))
    assert [(r["code"], r["villages"], r["percent"]) for r in regions.to_pylist()] == [
        ("east", 3, 100.0),
        ("central", 0, 0.0),
        ("west", 0, 0.0),
    ]


def test_a_year_with_no_qualifying_village_is_an_empty_typed_table(listed, client):
    """No list of 2014: zero rows, the columns and their types all there."""
    table = parquet(client.get("/api/observatory/report.parquet", PUBLISHED | {"year": 2014}))
    assert table.num_rows == 0
    assert table.schema.field("sales").type == pa.int64()


def test_the_xlsx_has_a_sheet_per_table_with_text_codes(listed, client):
    """Villages (codes as text, not 3.2E+11), towns, counties, cities, provinces,
    regions and `about`, each with its header row."""
    response = client.get("/api/observatory/report.xlsx", PUBLISHED)
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="observatory-{STEM}.xlsx"'
    book = workbook(response)
    assert book.sheetnames == [
        "villages",
        "towns",
        "counties",
        "cities",
        "provinces",
        "regions",
        "about",
    ]
    villages = sheet_rows(book["villages"])
    assert [(v["key"], v["name"], v["town"], v["specialty"]) for v in villages] == [
        ("320324104201", "东风1村", "沙集镇", "家具"),
        ("320324104202", "东风2村", "沙集镇", "家具"),
        ("320324104203", "东风3村", "沙集镇", "家具"),
    ]
    assert villages[0]["sales"] is None
    assert book["villages"].freeze_panes == "A2"
    assert sheet_rows(book["counties"]) == [
        {"rank": 1, "code": "320324", "name": "睢宁县", "villages": 3, "products": "家具"}
    ]
    assert sheet_rows(book["cities"])[0]["name"] == "徐州市"
    assert [(t["name"], t["villages"]) for t in sheet_rows(book["towns"])] == [("沙集镇", 3)]
    assert sheet_rows(book["provinces"]) == [
        {"code": "32", "name": "江苏省", "villages": 3, "percent": 100}
    ]
    about = dict(book["about"].iter_rows(values_only=True))
    assert (about["year"], about["new"], about["kept"], about["lost"]) == (2016, 1, 2, 1)
    assert about["regions"] == "NBS three-region division"
    assert dt.datetime.fromisoformat(about["computed_at"]).tzinfo is not None


def test_text_that_looks_like_a_formula_stays_text(listed, client, tmp_path):
    """A product name "=1+1" from a list is text in the workbook, never run as a formula."""
    path = tmp_path / "2016.csv"
    path.write_text(
        "province,city,county,town,village,specialty\n江苏省,徐州市,睢宁县,沙集镇,东风1村,=1+1\n",
        encoding="utf-8",
    )
    services.village_list_import(path=path, year=2016)
    cell = workbook(client.get("/api/observatory/report.xlsx", PUBLISHED))["villages"]["H2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")
    # In the CSV, Excel would run it: it is quoted with an apostrophe.
    csv_text = client.get("/api/observatory/report.csv", PUBLISHED).content.decode("utf-8-sig")
    assert ",'=1+1," in csv_text or csv_text.rstrip().endswith(",'=1+1")


@pytest.mark.django_db
def test_platform_figures_are_exported_as_numbers(client):
    """Under a platform rule set: sales 120.00 are 12000 minor units (int) and 120.00 as a
    decimal in Parquet and a number formatted #,##0.00 in XLSX; merchants are counted."""
    place = village(code="320324104201", name="东风村")
    shops = [shop_in(place), shop_in(place), shop_in(place, kind=ShopKind.ENTERPRISE)]
    sale(shops[0], 6_000, IN_2023)
    sale(shops[2], 6_000, IN_2023)
    small_rules(town_min_villages=1)
    query = {"year": 2023, "rule_set": "small"}
    [row] = parquet(client.get("/api/observatory/report.parquet", query)).to_pylist()
    assert (row["key"], row["sales"], row["sales_major"], row["merchants"]) == (
        "320324104201",
        12_000,
        Decimal("120.00"),
        3,
    )
    book = workbook(client.get("/api/observatory/report.xlsx", query))
    sheet = book["villages"]
    header = [c.value for c in sheet[1]]
    sales = sheet.cell(2, header.index("sales") + 1)
    major = sheet.cell(2, header.index("sales_major") + 1)
    assert (sales.value, sales.number_format) == (12_000, "#,##0")
    assert (major.value, major.number_format) == (120, "#,##0.00")
    [town] = sheet_rows(book["towns"])
    assert (town["shops"], town["sales"]) == (3, 12_000)
    about = dict(book["about"].iter_rows(values_only=True))
    assert about["jobs"] == 10  # 2 individual × 1.6 + 1 enterprise × 6.9 = 10.1


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"year": 1990, "rule_set": "aliresearch-published"}, 400, "observatory_bad_year"),
        ({"year": 2016, "rule_set": "nope"}, 404, "ruleset_not_found"),
        ({"year": "soon", "rule_set": "aliresearch-published"}, 422, "invalid"),
    ],
)
def test_bad_parameters_are_json_errors(listed, client, fmt, query, status, code):
    """Every format answers a bad year or rule set with the same JSON error."""
    response = client.get(f"/api/observatory/report.{fmt}", query)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_an_unknown_parquet_table_is_refused(listed, client):
    response = client.get("/api/observatory/report.parquet", PUBLISHED | {"table": "shops"})
    assert response.status_code == 400
    assert response.json()["code"] == "observatory_bad_table"
    assert response.json()["field"] == "table"


def test_the_page_links_every_download(listed, client):
    """The observatory page links CSV, Parquet and XLSX of its year and rule set; the
    links give the files, and a bad year is a plain message."""
    page = client.get("/observatory/", {"year": 2016}).content.decode()
    query = "?year=2016&amp;rule=aliresearch-published:1"
    for path in ("villages.csv", "report.parquet", "report.xlsx"):
        assert f'href="/observatory/{path}{query}"' in page
    params = {"year": 2016, "rule": "aliresearch-published:1"}
    xlsx = client.get("/observatory/report.xlsx", params)
    assert xlsx["Content-Type"] == XLSX
    assert len(sheet_rows(workbook(xlsx)["villages"])) == 3
    towns = client.get("/observatory/report.parquet", params | {"table": "towns"})
    assert parquet(towns).column("name").to_pylist() == ["沙集镇"]
    bad = client.get("/observatory/report.xlsx", {"year": 1990})
    assert bad.status_code == 400
    assert "2009" in bad.content.decode()
