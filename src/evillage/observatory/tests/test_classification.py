"""Classifying villages and towns from the platform's data, statistics and lists."""

import datetime as dt

import pytest

from evillage.accounts.tests.factories import UserFactory
from evillage.core.errors import ValidationFailed
from evillage.observatory import rules, selectors, services
from evillage.observatory.classification import classify, qualifying_towns
from evillage.observatory.reading import ListFileError
from evillage.orders.models import Checkout, Order, OrderState
from evillage.places.tests.factories import PlaceFactory, village
from evillage.shops.models import Shop, ShopKind
from evillage.shops.tests.factories import ShopFactory

UTC = dt.UTC


def shop_in(place, *, kind=ShopKind.INDIVIDUAL, opened=dt.datetime(2020, 1, 1, tzinfo=UTC)):
    shop = ShopFactory(owner__residence=place, kind=kind)
    Shop.objects.filter(pk=shop.pk).update(created_at=opened)
    return shop


def sale(shop, amount, finished_at, *, state=OrderState.FINISHED):
    buyer = UserFactory()
    checkout = Checkout.objects.create(buyer=buyer, currency=shop.currency, total=amount)
    return Order.objects.create(
        checkout=checkout,
        buyer=buyer,
        shop=shop,
        shop_kind=shop.kind,
        state=state,
        currency=shop.currency,
        items_total=amount,
        shipping_fee=0,
        total=amount,
        ship_to_place=shop.village,
        ship_to_street="1号",
        ship_to_name="张三",
        ship_to_phone="13800000000",
        finished_at=finished_at if state == OrderState.FINISHED else None,
    )


def small_rules(**extra):
    """The 2014 criteria scaled down: sales ≥ 100.00, ≥ 3 merchants or 10% of households."""
    fields = {"min_sales": 10_000, "min_merchants": 3, "min_household_percent": 10}
    return rules.rule_set_create(slug="small", name="Small", **(fields | extra))


IN_2023 = dt.datetime(2023, 6, 1, tzinfo=UTC)


@pytest.mark.django_db
def test_villages_qualify_by_sales_and_merchants_or_households():
    """A: 3 shops and 120.00 of finished sales qualifies; B: one shop in 10 households
    (10%) with 500.00 qualifies; C: 3 shops but 50.00 does not; last year's, closed and
    other villages' orders do not count."""
    a, b, c = (
        village(code="320324104201"),
        village(code="320324104202"),
        village(code="320324104203"),
    )
    b.households = 10
    b.save()
    shops_a = [shop_in(a), shop_in(a), shop_in(a, kind=ShopKind.ENTERPRISE)]
    sale(shops_a[0], 6_000, IN_2023)
    sale(shops_a[2], 6_000, IN_2023)
    sale(shops_a[1], 90_000, dt.datetime(2022, 6, 1, tzinfo=UTC))
    sale(shops_a[1], 90_000, IN_2023, state=OrderState.CLOSED)
    sale(shop_in(b), 50_000, IN_2023)
    shops_c = [shop_in(c) for _ in range(3)]
    sale(shops_c[0], 5_000, IN_2023)

    result = classify(year=2023, rule_set=small_rules())
    assert [u.key for u in result.villages] == ["320324104201", "320324104202"]
    assert result.figures[a.id].sales == 12_000
    jobs = selectors.employment_estimate(result)
    # A: 2 individual × 1.6 + 1 enterprise × 6.9; B: 1 × 1.6 → 11.7 → 12 jobs.
    assert (jobs.individual_shops, jobs.enterprise_shops, jobs.jobs) == (3, 1, 12)


@pytest.mark.django_db
def test_the_2022_rule_counts_only_active_shops():
    """Active: open 30 days by year end and 3 finished orders in October-December."""
    a = village(code="320324104201")
    busy, quiet = shop_in(a), shop_in(a)
    new = shop_in(a, opened=dt.datetime(2023, 12, 20, tzinfo=UTC))
    for month in (10, 11, 12):
        sale(busy, 5_000, dt.datetime(2023, month, 5, tzinfo=UTC))
        sale(new, 5_000, dt.datetime(2023, 12, 21, tzinfo=UTC))
    sale(quiet, 5_000, dt.datetime(2023, 11, 5, tzinfo=UTC))
    rs = small_rules(
        min_merchants=1, active_min_days=30, active_window_months=3, active_min_orders=3
    )
    figures = classify(year=2023, rule_set=rs).figures[a.id]
    assert (figures.individual_shops, figures.sales) == (1, 35_000)


@pytest.mark.django_db
def test_imported_statistics_count_and_bad_rows_are_refused(tmp_path):
    """A village with no shops on the platform qualifies from imported figures; a bad
    row names its line and column and imports nothing."""
    v = village(code="320324104209")
    good = tmp_path / "stats.csv"
    good.write_text(
        "code,year,sales,merchants,households\n320324104209,2023,2000000,60,\n", encoding="utf-8"
    )
    assert services.village_stats_import(path=good) == 1
    result = classify(year=2023, rule_set=small_rules())
    assert [u.village_id for u in result.villages] == [v.id]
    assert selectors.employment_estimate(result).jobs == 96  # 60 × 1.6

    for text, where in [
        ("code,year,sales,merchants\n", "column households"),
        ("code,year,sales,merchants,households\n999,2023,1,1,\n", "line 2, column code"),
        ("code,year,sales,merchants,households\n320324104209,2023,-5,1,\n", "column sales"),
        ("code,year,sales,merchants,households\n320324104209,1990,5,1,\n", "unknown year"),
    ]:
        bad = tmp_path / "bad.csv"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ListFileError, match=where):
            services.village_stats_import(path=bad)
    with pytest.raises(ValidationFailed, match="three-letter"):
        services.village_stats_import(path=good, currency="yuan")
    assert classify(year=2023, rule_set=small_rules()).figures[v.id].sales == 2_000_000


def test_published_lists_give_towns_clusters_and_change(listed):
    """Under the published rule set: 沙集镇 with 3 listed villages in 2016 is a Taobao
    town (not in 2015 with 2); 睢宁县 leads the clusters with 家具; 2016 vs 2015 has one
    new, two kept and one lost village."""
    published = rules.rule_set_get(slug="aliresearch-published")
    c2016 = classify(year=2016, rule_set=published)
    assert [t.name for t in qualifying_towns(c2016)] == ["沙集镇"]
    assert qualifying_towns(classify(year=2015, rule_set=published)) == []
    [cluster] = selectors.ranked_clusters(c2016)
    assert (cluster.name, cluster.villages, cluster.products) == ("睢宁县", 3, ["家具"])
    [city] = selectors.ranked_clusters(c2016, level="city")
    assert city.name == "徐州市"
    shares = selectors.classification_shares_by_region(c2016)
    assert [s.count for s in shares] == [3, 0, 0]
    assert selectors.classification_shares_by_province(c2016)[0].label == "江苏省"
    change = selectors.change_from_previous_year(year=2016, rule_set=published)
    assert [u.name for u in change.new] == ["东风3村"]
    assert sorted(u.name for u in change.kept) == ["东风1村", "东风2村"]
    assert [u.name for u in change.lost] == ["西风村"]


def test_a_list_without_products_takes_them_from_earlier_lists(listed, tmp_path):
    """A 2017 list with no specialty column shows 东风1村's 家具 from 2016; "毛线、毛衣"
    counts as two products of its county."""
    path = tmp_path / "2017.csv"
    path.write_text(
        "province,city,county,town,village\n江苏省,徐州市,睢宁县,沙集镇,东风1村\n",
        encoding="utf-8",
    )
    services.village_list_import(path=path, year=2017)
    published = rules.rule_set_get(slug="aliresearch-published")
    [unit] = classify(year=2017, rule_set=published).villages
    assert unit.specialty == "家具"
    path.write_text(
        "province,city,county,town,village,specialty\n江苏省,徐州市,睢宁县,沙集镇,东风4村,毛线、毛衣\n",
        encoding="utf-8",
    )
    services.village_list_import(path=path, year=2018)
    [cluster] = selectors.ranked_clusters(classify(year=2018, rule_set=published))
    assert sorted(cluster.products) == sorted(["毛线", "毛衣"])


@pytest.mark.django_db
def test_a_report_is_served_from_the_cache_until_something_is_imported(
    tmp_path, django_capture_on_commit_callbacks
):
    """Classifying every village takes seconds at national scale, so a report is computed
    once and served again; a new sale shows when the cache expires, an import at once."""
    from evillage.observatory.report import observatory_report

    a, b = village(code="320324104201"), village(code="320324104202")
    rule_set = small_rules()
    for shop in (shop_in(a), shop_in(a), shop_in(a)):
        sale(shop, 5_000, IN_2023)
    first = observatory_report(year=2023, rule_set=rule_set)
    assert [v.key for v in first.villages] == ["320324104201"]

    for shop in (shop_in(b), shop_in(b), shop_in(b)):
        sale(shop, 5_000, IN_2023)
    again = observatory_report(year=2023, rule_set=rule_set)
    assert [v.key for v in again.villages] == ["320324104201"]
    assert again.computed_at == first.computed_at

    stats = tmp_path / "stats.csv"
    stats.write_text("code,year,sales,merchants,households\n320324104201,2022,1,1,\n")
    with django_capture_on_commit_callbacks(execute=True):
        services.village_stats_import(path=stats)
    fresh = observatory_report(year=2023, rule_set=rule_set)
    assert [v.key for v in fresh.villages] == ["320324104201", "320324104202"]
    assert fresh.computed_at > first.computed_at


@pytest.mark.django_db
def test_an_indonesian_rule_set_in_rupiah_classifies_desa_by_island_group(client):
    """A kabupaten's own rule set in IDR: Kauman (Kota Pekalongan, Central Java) with three
    batik shops and Rp 150 million of sales qualifies; the regions are Indonesia's island
    groups, the province its Indonesian name, the point on Indonesia's map. The Chinese
    rule sets do not count rupiah."""
    province = PlaceFactory(country="id", level=1, code="33", name="JAWA TENGAH", parent=None)
    kota = PlaceFactory(
        country="id",
        level=3,
        code="3375",
        name="KOTA PEKALONGAN",
        parent=province,
        latitude=-6.89,
        longitude=109.67,
    )
    kecamatan = PlaceFactory(
        country="id", level=4, code="337502", name="Pekalongan Timur", parent=kota
    )
    kauman = PlaceFactory(country="id", level=5, code="3375021004", name="Kauman", parent=kecamatan)
    for _ in range(3):
        shop = ShopFactory(owner__residence=kauman, currency="IDR")
        Shop.objects.filter(pk=shop.pk).update(created_at=dt.datetime(2020, 1, 1, tzinfo=UTC))
        sale(shop, 50_000_000_00, IN_2023)
    rules.rule_set_create(
        slug="pekalongan-desa-digital",
        name="Desa digital Pekalongan",
        currency="IDR",
        min_sales=100_000_000_00,
        min_merchants=3,
    )
    body = client.get(
        "/api/observatory/report", {"year": 2023, "rule_set": "pekalongan-desa-digital"}
    ).json()
    assert [v["key"] for v in body["villages"]] == ["3375021004"]
    assert body["villages"][0]["region"] == "java"
    assert body["region_scheme"] == "island groups"
    assert [(r["key"], r["count"]) for r in body["regions"] if r["count"]] == [("java", 1)]
    assert [(p["label"], p["count"]) for p in body["provinces"]] == [("JAWA TENGAH", 1)]
    [point] = body["points"]
    assert 0 < point["x"] < 400 and 0 < point["y"] < 300
    small_rules(min_sales=1)  # CNY: the rupiah sales are not its currency
    assert classify(year=2023, rule_set=rules.rule_set_get(slug="small")).villages == []


@pytest.mark.redis
@pytest.mark.django_db
def test_with_cache_url_a_report_is_computed_once_for_every_process(settings):
    """Several server processes with CACHE_URL share one Redis cache: the report one of
    them computed is what another (a new cache client) serves."""
    import os

    import redis

    from evillage.observatory.report import observatory_report

    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must run this with REDIS_URL set (.ci/run does)")
        pytest.skip("REDIS_URL is not set")
    cache_url = url.rsplit("/", 1)[0] + "/15"  # a database of its own, as deployment says
    prefix = f"evillage-test-{os.getpid()}"
    shared = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cache_url}
    settings.CACHES = {"default": shared | {"KEY_PREFIX": prefix}}
    place = village(code="320324104201")
    for shop in (shop_in(place), shop_in(place), shop_in(place)):
        sale(shop, 5_000, IN_2023)
    rule_set = small_rules()
    raw = redis.Redis.from_url(cache_url)
    try:
        first = observatory_report(year=2023, rule_set=rule_set)
        assert raw.keys(f"{prefix}:1:observatory:report:*")
        settings.CACHES = {"default": shared | {"KEY_PREFIX": prefix}}  # another process
        again = observatory_report(year=2023, rule_set=rule_set)
        assert again.computed_at == first.computed_at
        assert [v.key for v in again.villages] == ["320324104201"]
    finally:
        for key in raw.keys(f"{prefix}:*"):
            raw.delete(key)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_first_views_compute_the_report_once(monkeypatch):
    """Three officials open an expired dashboard at the same moment: one request
    classifies, the other two wait for its result (the same report)."""
    import time

    from evillage.core.tests.threads import run_together
    from evillage.observatory import report as reports

    place = village(code="320324104201")
    for shop in (shop_in(place), shop_in(place), shop_in(place)):
        sale(shop, 5_000, IN_2023)
    rule_set = small_rules()
    calls = []
    real = reports.classify

    def slow_classify(**kwargs):
        calls.append(kwargs["year"])
        time.sleep(0.5)  # long enough for the others to arrive while it runs
        return real(**kwargs)

    monkeypatch.setattr(reports, "classify", slow_classify)
    outcomes = run_together([lambda: reports.observatory_report(year=2023, rule_set=rule_set)] * 3)
    assert calls == [2023]  # one computation (it classifies 2022 through the selectors)
    assert len({o.computed_at for o in outcomes}) == 1
    assert [v.key for v in outcomes[0].villages] == ["320324104201"]
