"""The published record, reproduced from AliResearch's lists matched to official codes."""

import pytest

from evillage.demo.observatory import LISTS
from evillage.observatory import selectors, services

EXPECTED = {2014: 212, 2015: 780, 2016: 1311}


@pytest.mark.django_db
def test_lists_reproduce_the_published_counts_and_shares(divisions, client):
    """2014-2016: 212, 780 and 1,311 villages, at least 99% of rows placed at an official
    code; the 2015 list gives 97.8 / 1.5 / 0.7 per cent for East / Central / West and the
    six leading provinces of the report."""
    for year, count in EXPECTED.items():
        result = services.village_list_import(path=LISTS / f"taobao_villages_{year}.csv", year=year)
        assert result.rows == count
        assert selectors.list_count(year=year) == count
        assert result.place_rate >= 0.99, (year, result.methods)
        # Every row is either matched to a village code or reported with a reason.
        assert result.matched_villages + len(result.unmatched) == count
        assert all(m.reason for _, m in result.unmatched)
        assert result.village_rate >= 0.85, (year, result.methods)

    east, central, west = selectors.shares_by_region(year=2015)
    assert round(east.percent, 1) == 97.8
    assert round(central.percent, 1) == 1.5
    # 5 of 780 = 0.64%: the report's 0.7 is 100 - 97.8 - 1.5.
    assert west.percent == pytest.approx(0.7, abs=0.07)

    provinces = {s.label: s.count for s in selectors.shares_by_province(year=2015)}
    for name in ("浙江省", "广东省", "江苏省"):
        assert provinces[name] > 100
    for name in ("福建省", "山东省", "河北省"):
        assert provinces[name] > 55

    # The same figures on the API and the observatory page.
    body = client.get("/api/observatory/lists/2015").json()
    assert body["villages"] == 780
    assert [r["count"] for r in body["regions"]] == [east.count, central.count, west.count]
    page = client.get("/observatory/?year=2015")
    assert page.status_code == 200
    assert "浙江省" in page.content.decode()
    assert client.get("/api/observatory/lists/2013").json()["code"] == "village_list_not_found"
