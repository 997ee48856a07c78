"""Reads of the observatory: figures of the published lists and of classifications."""

import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import F, Q, Sum
from django.db.models.functions import ExtractYear

from evillage.observatory.classification import Classification, Unit, classify
from evillage.observatory.models import ListedVillage, RuleSet, VillageList, VillageStats
from evillage.observatory.regions import (
    SCHEMES,
    country_of_currency,
    region_of,
)
from evillage.orders.models import Order, OrderState
from evillage.places.models import Place


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    count: int
    percent: float


def listed_villages(*, year: int):
    return ListedVillage.objects.filter(village_list__year=year)


def list_count(*, year: int) -> int:
    """Taobao villages of a published list (every row, matched or not)."""
    village_list = VillageList.objects.filter(year=year).first()
    return village_list.rows if village_list else 0


def _region_shares(province_codes: list[str], country: str) -> list[Share]:
    """Every region of the country's division, with its count and share of the codes."""
    counts = Counter(region_of(code, country) for code in province_codes)
    total = len(province_codes)
    return [
        Share(key, str(label), counts[key], 100 * counts[key] / total if total else 0.0)
        for key, label in SCHEMES[country][1]
    ]


def shares_by_region(*, year: int) -> list[Share]:
    """East / Central / West shares (NBS three-region division) of a year's list."""
    codes = listed_villages(year=year).values_list("province__code", flat=True)
    return _region_shares([code or "" for code in codes], "cn")


def shares_by_province(*, year: int) -> list[Share]:
    """Provinces by number of listed villages, most first."""
    counts: Counter = Counter(
        listed_villages(year=year).values_list("province__code", "province__name")
    )
    total = sum(counts.values())
    return [
        Share(code or "", name or "", n, 100 * n / total if total else 0.0)
        for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0] or ""))
    ]


# Figures of a classification (any rule set, published lists included).


def classification_shares_by_region(c: Classification) -> list[Share]:
    """Shares by the regions of the rule set's country (China: NBS east / central / west;
    Indonesia: island groups), every region listed."""
    country = country_of_currency(c.rule_set.currency)
    return _region_shares([u.province_code for u in c.villages], country)


def classification_shares_by_province(c: Classification) -> list[Share]:
    counts = Counter(u.province_code for u in c.villages)
    country = country_of_currency(c.rule_set.currency)
    names = dict(
        Place.objects.filter(country=country, level=1, code__in=counts).values_list("code", "name")
    )
    total = len(c.villages)
    return [
        Share(code, names.get(code, code), n, 100 * n / total if total else 0.0)
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


# "毛线、毛衣" is two products.
_PRODUCT_SEPARATORS = re.compile(r"[、,，/;；]")


@dataclass(frozen=True)
class Cluster:
    """A county or city with its number of qualifying villages and main products."""

    code: str
    name: str
    villages: int
    products: list[str]


def ranked_clusters(
    c: Classification, *, level: str = "county", limit: int | None = 20
) -> list[Cluster]:
    """Counties (or cities) by number of qualifying villages, most first (the report's table
    of top clusters), each with its three most frequent products."""
    county_ids = {u.county_id for u in c.villages if u.county_id}
    counties = {p.id: p for p in Place.objects.filter(id__in=county_ids)}
    counts: Counter = Counter()
    products: dict[int, Counter] = {}
    for u in c.villages:
        county = counties.get(u.county_id)
        if county is None:
            continue
        key = county.id if level == "county" else county.parent_id
        counts[key] += 1
        for product in _PRODUCT_SEPARATORS.split(u.specialty):
            if product.strip():
                products.setdefault(key, Counter())[product.strip()] += 1
    places = {p.id: p for p in Place.objects.filter(id__in=counts)}
    clusters = [
        Cluster(
            places[k].code,
            places[k].name,
            n,
            [name for name, _ in products.get(k, Counter()).most_common(3)],
        )
        for k, n in counts.items()
        if k in places
    ]
    return sorted(clusters, key=lambda x: (-x.villages, x.code))[:limit]


@dataclass(frozen=True)
class Change:
    new: list[Unit]
    kept: list[Unit]
    lost: list[Unit]


def change_from_previous_year(
    *, year: int, rule_set: RuleSet, this_year: Classification | None = None
) -> Change:
    """Villages that qualify this year and not the last (new), both (kept), or only last
    year (lost). Published rows without a village code are compared by their names.
    `this_year`: the year's classification when the caller has it already."""
    current = this_year or classify(year=year, rule_set=rule_set)
    this = {_identity(u): u for u in current.villages}
    last = {_identity(u): u for u in classify(year=year - 1, rule_set=rule_set).villages}
    return Change(
        new=[u for k, u in this.items() if k not in last],
        kept=[u for k, u in this.items() if k in last],
        lost=[u for k, u in last.items() if k not in this],
    )


def _identity(u: Unit):
    return u.village_id if u.village_id is not None else (u.county_id, u.town_id, u.name)


@dataclass(frozen=True)
class Employment:
    individual_shops: int
    enterprise_shops: int
    other_merchants: int
    jobs: int


def employment_estimate(c: Classification) -> Employment:
    """Jobs in the qualifying villages: active individual (Taobao) shops × 1.6 plus
    enterprise (Tmall) shops × 6.9, by default; merchants of imported statistics count as
    individual. Rounded to whole jobs."""
    rs = c.rule_set
    figures = [u.figures for u in c.villages if u.figures is not None]
    individual = sum(f.individual_shops for f in figures)
    enterprise = sum(f.enterprise_shops for f in figures)
    other = sum(f.other_merchants for f in figures)
    tenths = (individual + other) * rs.jobs_per_individual_tenths
    tenths += enterprise * rs.jobs_per_enterprise_tenths
    return Employment(individual, enterprise, other, (tenths + 5) // 10)


@dataclass(frozen=True)
class Point:
    """A county on the map: its villages count and SVG position (x, y, radius)."""

    code: str
    name: str
    villages: int
    x: float
    y: float
    r: float


# Each country's extent (west, east, south, north), for a plain equirectangular
# projection onto the 400 × 300 canvas; Indonesia, long and narrow, keeps its proportions
# and sits in the middle of the canvas.
_EXTENTS = {"cn": (73.0, 135.5, 17.5, 54.0, False), "id": (94.5, 141.5, -11.5, 6.5, True)}


def county_points(c: Classification, *, width: int = 400, height: int = 300) -> list[Point]:
    """Counties (Indonesia: kabupaten/kota) with qualifying villages and known
    coordinates, as sized points."""
    counts = Counter(u.county_id for u in c.villages if u.county_id)
    west, east, south, north, proportional = _EXTENTS[country_of_currency(c.rule_set.currency)]
    x_scale, y_scale = width / (east - west), height / (north - south)
    y_offset = 0.0
    if proportional:
        y_scale = min(x_scale, y_scale)
        y_offset = (height - (north - south) * y_scale) / 2
    places = Place.objects.filter(id__in=counts, latitude__isnull=False, longitude__isnull=False)
    points = []
    for p in places.only("id", "code", "name", "latitude", "longitude"):
        lon, lat = float(p.longitude), float(p.latitude)
        x = (lon - west) * x_scale
        y = y_offset + (north - lat) * y_scale
        n = counts[p.id]
        points.append(
            Point(p.code, p.name, n, round(x, 1), round(y, 1), round(2 + 1.5 * n**0.5, 1))
        )
    return sorted(points, key=lambda pt: -pt.villages)


@dataclass
class YearFigures:
    """A village's year: on a published list (with its product), sales and merchants."""

    year: int
    listed: bool = False
    specialty: str = ""
    platform_sales: int = 0
    currency: str = ""
    stats_sales: int | None = None
    stats_merchants: int | None = None
    households: int | None = None


def village_history(*, place: Place) -> list[YearFigures]:
    """Every year the village appears in: published lists, imported statistics and
    finished orders of shops whose owner lives there (or which are there). Newest first."""
    years: dict[int, YearFigures] = {}

    def get(year: int) -> YearFigures:
        return years.setdefault(year, YearFigures(year=year))

    listed = ListedVillage.objects.filter(village=place).values_list(
        "village_list__year", "specialty"
    )
    for year, specialty in listed:
        row = get(year)
        row.listed, row.specialty = True, specialty
    for s in VillageStats.objects.filter(place=place):
        row = get(s.year)
        row.stats_sales, row.stats_merchants, row.households = s.sales, s.merchants, s.households
    here = Q(shop__owner__residence=place) | Q(
        shop__owner__residence__isnull=True, shop__village=place
    )
    sales = (
        Order.objects.filter(here, state=OrderState.FINISHED, finished_at__isnull=False)
        .annotate(y=ExtractYear("finished_at"))
        .values("y", "currency")
        .annotate(s=Sum(F("total") - F("refunded")))
    )
    for r in sales:
        row = get(r["y"])
        row.platform_sales += r["s"] or 0
        row.currency = r["currency"]
    return [years[y] for y in sorted(years, reverse=True)]
