"""Classifying villages and towns of a year under a rule set.

Inputs (all read, never written): shops counted in the village of residence of their
owner (the shop's own village when the owner has none), finished orders' totals less
refunds by `finished_at` year, `Place.households`, imported `VillageStats`, and for a
published rule set the imported list of the year. A handful of aggregate queries, then
plain Python over one row per village.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from evillage.observatory.models import ListedVillage, RuleSet, RuleSource, VillageStats
from evillage.orders.models import Order, OrderState
from evillage.places.models import Level, Place
from evillage.shops.models import Shop, ShopKind

_CHUNK = 5000


@dataclass
class VillageFigures:
    """One village's year: sales (minor units), active shops by kind, households."""

    place_id: int
    sales: int = 0
    individual_shops: int = 0
    enterprise_shops: int = 0
    other_merchants: int = 0  # from imported statistics (kind unknown: counted as individual)
    households: int | None = None

    @property
    def merchants(self) -> int:
        return self.individual_shops + self.enterprise_shops + self.other_merchants


@dataclass
class Unit:
    """A qualifying village (for a published list: a listed row, maybe without a code)."""

    key: str  # village code, or "list:<line>" for a row matched only to its county/town
    village_id: int | None
    town_id: int | None
    county_id: int | None
    province_code: str
    name: str
    specialty: str = ""
    figures: VillageFigures | None = None
    place_key: str = ""  # for links: "cn-320324104201"


@dataclass
class Classification:
    year: int
    rule_set: RuleSet
    villages: list[Unit] = field(default_factory=list)
    # All villages' figures (qualifying or not): towns add up the shops and sales of all.
    figures: dict[int, VillageFigures] = field(default_factory=dict)


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _window_start(year: int, months: int) -> dt.datetime:
    """Start of the last `months` months of the year (12 or more: the whole year)."""
    tz = timezone.get_current_timezone()
    return dt.datetime(year, max(1, 13 - months), 1, tzinfo=tz)


def _village_of_shop():
    return Coalesce("owner__residence_id", "village_id")


def village_figures(*, year: int, rule_set: RuleSet) -> dict[int, VillageFigures]:
    """Sales, active shops and households of every village with any, for the year.

    One pass over the year's finished orders grouped by shop (sales, and orders in the
    activity window), then one row per shop placed in its village in Python: the orders
    are never joined to shops and owners row by row, which on SQLite costs more than the
    aggregation itself.
    """
    start, end = year_bounds(year)
    window = _window_start(year, rule_set.active_window_months)
    opened_by = end - dt.timedelta(days=rule_set.active_min_days)
    figures: dict[int, VillageFigures] = {}

    def get(place_id: int) -> VillageFigures:
        if place_id not in figures:
            figures[place_id] = VillageFigures(place_id=place_id)
        return figures[place_id]

    per_shop = (
        Order.objects.filter(
            state=OrderState.FINISHED,
            finished_at__gte=start,
            finished_at__lt=end,
            currency=rule_set.currency,
        )
        .order_by()
        .values("shop_id")
        .annotate(
            sales=Sum(F("total") - F("refunded")),
            recent=Count("id", filter=Q(finished_at__gte=window)),
        )
        .values_list("shop_id", "sales", "recent")
    )
    orders = {shop_id: (sales or 0, recent) for shop_id, sales, recent in per_shop}
    shops = (
        Shop.objects.order_by()
        .annotate(v=_village_of_shop())
        .values_list("id", "v", "kind", "currency", "created_at")
    )
    for shop_id, place_id, kind, currency, created_at in shops.iterator(chunk_size=20_000):
        sales, recent = orders.get(shop_id, (0, 0))
        if sales:
            get(place_id).sales += sales
        if currency != rule_set.currency or created_at >= opened_by:
            continue
        if recent < rule_set.active_min_orders:
            continue
        f = get(place_id)
        if kind == ShopKind.INDIVIDUAL:
            f.individual_shops += 1
        else:
            f.enterprise_shops += 1

    stats = VillageStats.objects.filter(year=year, currency=rule_set.currency)
    for s in stats.values("place_id", "sales", "merchants", "households"):
        f = get(s["place_id"])
        f.sales += s["sales"]
        f.other_merchants += s["merchants"]
        f.households = s["households"]
    # Few villages have official household counts: read them all rather than send a
    # parameter per village (SQLite allows 32,766).
    households = Place.objects.filter(households__isnull=False, level=Level.VILLAGE)
    for place_id, count in households.values_list("id", "households"):
        if place_id in figures:
            figures[place_id].households = count  # the officials' figure wins
    return figures


def qualifies(f: VillageFigures, rule_set: RuleSet) -> bool:
    if rule_set.min_sales is None or f.sales < rule_set.min_sales:
        return False
    if rule_set.min_merchants is not None and f.merchants >= rule_set.min_merchants:
        return True
    percent = rule_set.min_household_percent
    return bool(percent and f.households and f.merchants * 100 >= f.households * percent)


def classify(*, year: int, rule_set: RuleSet) -> Classification:
    """The qualifying villages of `year` under `rule_set`."""
    result = Classification(year=year, rule_set=rule_set)
    if rule_set.source == RuleSource.PUBLISHED:
        entries = ListedVillage.objects.filter(village_list__year=year).values_list(
            "line",
            "village__code",
            "village_id",
            "town_id",
            "county_id",
            "province__code",
            "village_name",
            "specialty",
        )
        for line, code, v, t, c, p, name, specialty in entries:
            unit = Unit(code or f"list:{line}", v, t, c, p or "", name, specialty)
            unit.place_key = f"cn-{code}" if code else ""
            result.villages.append(unit)
        # Lists without a specialty column (2015, 2016) take a village's product from the
        # latest list that gave one.
        known = _specialties([u.village_id for u in result.villages if not u.specialty])
        for u in result.villages:
            if not u.specialty and u.village_id in known:
                u.specialty = known[u.village_id]
        return result
    result.figures = village_figures(year=year, rule_set=rule_set)
    ids = [pid for pid, f in result.figures.items() if qualifies(f, rule_set)]
    specialties = _specialties(ids)
    places = [
        p
        for start in range(0, len(ids), _CHUNK)
        for p in Place.objects.filter(id__in=ids[start : start + _CHUNK]).select_related("parent")
    ]
    for place in sorted(places, key=lambda p: p.code):
        result.villages.append(
            Unit(
                key=place.code,
                village_id=place.id,
                town_id=place.parent_id,
                county_id=place.parent.parent_id if place.parent else None,
                province_code=place.code[:2],
                name=place.name,
                specialty=specialties.get(place.id, ""),
                figures=result.figures[place.id],
                place_key=place.key,
            )
        )
    return result


def _specialties(village_ids: list[int]) -> dict[int, str]:
    """A village's main product as last published (the lists' specialty column)."""
    wanted = set(village_ids)
    rows = (
        ListedVillage.objects.filter(village__isnull=False)
        .exclude(specialty="")
        .order_by("village_list__year")
        .values_list("village_id", "specialty")
    )
    return {v: specialty for v, specialty in rows if v in wanted}


@dataclass
class TownResult:
    town_id: int
    name: str
    code: str
    villages: int
    shops: int
    sales: int


def qualifying_towns(c: Classification) -> list[TownResult]:
    """Towns with enough qualifying villages (and, if the rule set says so, shops and
    sales over all their villages): "Taobao towns"."""
    rs = c.rule_set
    counts = Counter(u.town_id for u in c.villages if u.town_id is not None)
    candidates = [t for t, n in counts.items() if n >= rs.town_min_villages]
    towns = {p.id: p for p in Place.objects.filter(id__in=candidates)}
    shops: dict[int, int] = defaultdict(int)
    sales: dict[int, int] = defaultdict(int)
    if c.figures:
        villages = Place.objects.filter(parent_id__in=candidates).values_list("id", "parent_id")
        for pid, town_id in villages:
            f = c.figures.get(pid)
            if f is None:
                continue
            shops[town_id] += f.individual_shops + f.enterprise_shops + f.other_merchants
            sales[town_id] += f.sales
    result = []
    for town_id in candidates:
        if rs.town_min_shops is not None and shops[town_id] < rs.town_min_shops:
            continue
        if rs.town_min_sales is not None and sales[town_id] < rs.town_min_sales:
            continue
        town = towns[town_id]
        result.append(
            TownResult(
                town_id, town.name, town.code, counts[town_id], shops[town_id], sales[town_id]
            )
        )
    return sorted(result, key=lambda t: (-t.villages, t.code))
