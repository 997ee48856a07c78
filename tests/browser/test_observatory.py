"""An official at the village observatory, in a browser.

The divisions of the 234 counties on AliResearch's lists and the lists of 2014-2016 are
imported. The official opens the observatory (the newest list: 1,311 villages in 2016;
the chart of the lists: 212, 780, 1,311),
asks for 2015 and reads the published record (780 villages, 97.8 / 1.5 per cent for
Eastern and Central China, Zhejiang first), sees the counties on the map, opens a
village's page, downloads the workbook and finds every village in it, and gets a message
on the form, not an error page, for a year that has not come yet.
"""

import re

import openpyxl
import pytest
from playwright.sync_api import Browser, expect

from evillage.demo.observatory import LISTS
from evillage.observatory import services
from evillage.observatory.tests.conftest import load_divisions

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_official_reads_the_published_record(asgi_server, browser: Browser, tmp_path):
    load_divisions(tmp_path)
    for year in (2014, 2015, 2016):
        services.village_list_import(path=LISTS / f"taobao_villages_{year}.csv", year=year)
    page = browser.new_context(locale="en-US").new_page()

    page.goto(asgi_server + "/observatory/")
    heading = page.get_by_role("heading", level=2)
    under = "under AliResearch published lists"
    expect(heading).to_have_text(f"1311 qualifying villages in 2016 {under}")

    growth = page.get_by_role("img", name="Villages on the published lists, by year")
    expect(growth).to_contain_text("2014212")  # year, then its count, row by row
    expect(growth).to_contain_text("2015780")
    expect(growth).to_contain_text("20161311")

    page.get_by_label("Year", exact=True).fill("2015")
    page.get_by_role("button", name="Show").click()
    expect(heading).to_have_text(f"780 qualifying villages in 2015 {under}")
    regions = page.locator("table").first
    expect(regions.get_by_role("row", name="Eastern 763 97.8")).to_be_visible()
    expect(regions.get_by_role("row", name="Central 12 1.5")).to_be_visible()
    chart = page.get_by_role("img", name="Qualifying villages by province")
    expect(chart.locator("text").first).to_have_text("浙江省")
    expect(chart).to_contain_text("280")
    counties = page.get_by_role("img", name="Map of counties, sized by qualifying villages")
    assert counties.locator("circle").count() > 100
    expect(page.get_by_role("row", name="义乌市").first).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download XLSX (every table)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "observatory-2015-aliresearch-published-v1.xlsx"
    book = openpyxl.load_workbook(saved, read_only=True)
    assert book.sheetnames[:2] == ["villages", "towns"]
    assert sum(1 for _ in book["villages"].iter_rows(min_row=2)) == 780

    page.locator("table a").first.click()
    expect(page.get_by_role("row", name="2015 yes")).to_be_visible()
    page.get_by_role("link", name="Back to the observatory").click()

    page.get_by_label("Year", exact=True).fill("2099")
    page.get_by_role("button", name="Show").click()
    refused = re.compile(r"The year must be from 2009 to \d{4}\.")
    expect(page.get_by_role("alert")).to_have_text(refused)
