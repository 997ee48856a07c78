"""The observatory page, its CSV export and the API figures."""

import csv
import io

import pytest


def test_the_api_gives_every_figure_of_a_year_and_rule_set(listed, client):
    """/api/observatory/report: villages, towns, clusters, shares, change."""
    body = client.get(
        "/api/observatory/report", {"year": 2016, "rule_set": "aliresearch-published"}
    ).json()
    assert len(body["villages"]) == 3
    assert body["villages"][0]["county"] == "睢宁县"
    assert [t["name"] for t in body["towns"]] == ["沙集镇"]
    assert body["counties"][0]["products"] == ["家具"]
    assert (body["new"], body["kept"], body["lost"]) == (1, 2, 1)
    assert body["employment"] is None  # a published list has no merchant figures
    slugs = {r["slug"] for r in client.get("/api/observatory/rule-sets").json()}
    assert {"aliresearch-2014", "aliresearch-2019", "aliresearch-2022"} <= slugs


def test_the_api_refuses_unknown_rule_sets_and_years(listed, client):
    """An unknown rule set is a 404, a year before 2009 a 400, both as {code, message}."""
    missing = client.get("/api/observatory/report", {"year": 2016, "rule_set": "nope"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "ruleset_not_found"
    early = client.get(
        "/api/observatory/report", {"year": 1990, "rule_set": "aliresearch-published"}
    )
    assert early.status_code == 400
    assert early.json()["code"] == "observatory_bad_year"


def test_the_csv_export_opens_as_a_table(listed, client):
    """The page's CSV has a header and one row per qualifying village, UTF-8 with BOM."""
    response = client.get("/observatory/villages.csv", {"year": 2016})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == ["东风1村", "东风2村", "东风3村"]
    assert rows[0]["town"] == "沙集镇"
    api = client.get(
        "/api/observatory/report.csv", {"year": 2016, "rule_set": "aliresearch-published"}
    )
    assert api.content == response.content


@pytest.mark.django_db
def test_the_page_shows_the_tables_and_a_chart(listed, client):
    """The page defaults to the newest list; a bad year shows the message on the form."""
    page = client.get("/observatory/").content.decode()
    assert "<svg" in page
    assert "沙集镇" in page
    assert "睢宁县" in page
    bad = client.get("/observatory/", {"year": "1990"})
    assert bad.status_code == 400
    assert "2009" in bad.content.decode()


def test_the_page_charts_the_lists_year_by_year(listed, client):
    """With two lists imported (3 villages in 2015, 3 in 2016) the page draws one bar a
    year, the count beside it, whatever year is shown."""
    page = client.get("/observatory/", {"year": "2015"}).content.decode()
    chart = page.split('aria-label="Villages on the published lists, by year"')[1].split("</svg>")[
        0
    ]
    assert chart.count("<rect") == 2
    assert ">2015<" in chart and ">2016<" in chart and ">3<" in chart


@pytest.mark.django_db
def test_the_page_without_lists_invites_an_import(client):
    """Before any list is imported the page still opens."""
    assert client.get("/observatory/").status_code == 200


def test_counties_with_coordinates_are_points_on_the_map(listed, client):
    """睢宁县 (117.94 E, 33.91 N) is drawn in the east of the 400 × 300 map."""
    county = listed.parent
    county.longitude, county.latitude = 117.94, 33.91
    county.save()
    body = client.get(
        "/api/observatory/report", {"year": 2016, "rule_set": "aliresearch-published"}
    ).json()
    [point] = body["points"]
    assert point["name"] == "睢宁县"
    assert point["villages"] == 3
    assert 250 < point["x"] < 320
    assert 150 < point["y"] < 180
    page = client.get("/observatory/", {"year": 2016}).content.decode()
    assert f'cx="{point["x"]}"' in page


def test_a_village_page_shows_its_years_on_the_lists(listed, client):
    """东风1村 links from the observatory to its page: listed in 2015 and 2016 (家具)."""
    page = client.get("/observatory/", {"year": 2016}).content.decode()
    assert "/observatory/villages/cn-320324104201/" in page
    village = client.get("/observatory/villages/cn-320324104201/").content.decode()
    assert "东风1村" in village
    assert "2015" in village
    assert "2016" in village
    assert "家具" in village
    assert client.get("/observatory/villages/cn-999/").status_code == 404


@pytest.mark.django_db
def test_a_village_page_shows_platform_sales_and_statistics(client, tmp_path):
    """Finished sales of its shops by year, and imported figures, in the page's money."""
    from evillage.observatory import services
    from evillage.observatory.tests.test_classification import IN_2023, sale, shop_in
    from evillage.places.tests.factories import village

    place = village(code="320324104201")
    sale(shop_in(place), 123_456, IN_2023)
    stats = tmp_path / "s.csv"
    stats.write_text("code,year,sales,merchants,households\n320324104201,2022,500000,7,40\n")
    services.village_stats_import(path=stats)
    page = client.get(f"/observatory/villages/{place.key}/").content.decode()
    assert "1,234.56" in page
    assert "5,000.00" in page
    body = client.get(f"/api/observatory/villages/{place.key}").json()
    assert [(y["year"], y["platform_sales"], y["stats_sales"]) for y in body["years"]] == [
        (2023, 123_456, None),
        (2022, 0, 500_000),
    ]
    assert client.get("/api/observatory/villages/cn-999").status_code == 404
