"""Observatory figures over HTTP (mounted at /api/). Public, read only.

- /observatory/rule-sets: the rule sets and their thresholds;
- /observatory/report?year=&rule_set=&version=: every figure of a year under a rule set;
- /observatory/report.csv: its qualifying villages as CSV;
- /observatory/lists/{year}: an imported published list's counts and shares;
- /observatory/villages/{key}: a village's history.
"""

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from evillage.core.api_schemas import READ_ERRORS, ErrorOut
from evillage.core.errors import NotFound
from evillage.observatory import report as reports
from evillage.observatory import rules, selectors
from evillage.observatory.models import RuleSet, VillageList
from evillage.places.selectors import place_get

router = Router(tags=["observatory"])


class ShareOut(Schema):
    key: str
    label: str
    count: int
    percent: float


class ListFiguresOut(Schema):
    year: int
    villages: int
    matched_villages: int
    matched_places: int
    regions: list[ShareOut]
    provinces: list[ShareOut]


@router.get(
    "/observatory/lists/{year}",
    response={200: ListFiguresOut, frozenset(READ_ERRORS): ErrorOut},
)
def list_figures(request: HttpRequest, year: int):
    """A published list's counts, match rates and shares by region and province."""
    village_list = VillageList.objects.filter(year=year).first()
    if village_list is None:
        raise NotFound(f"No published list of {year} is imported.", code="village_list_not_found")
    return {
        "year": year,
        "villages": village_list.rows,
        "matched_villages": village_list.matched_villages,
        "matched_places": village_list.matched_places,
        "regions": [s.__dict__ for s in selectors.shares_by_region(year=year)],
        "provinces": [s.__dict__ for s in selectors.shares_by_province(year=year)],
    }


class RuleSetOut(Schema):
    slug: str
    version: int
    name: str
    description: str
    source: str
    currency: str
    min_sales: int | None
    min_merchants: int | None
    min_household_percent: int | None
    active_min_days: int
    active_window_months: int
    active_min_orders: int
    town_min_villages: int
    town_min_shops: int | None
    town_min_sales: int | None


class VillageOut(Schema):
    key: str
    name: str
    town: str
    county: str
    province_code: str
    region: str
    specialty: str
    sales: int | None
    merchants: int | None
    households: int | None
    place_key: str


class TownOut(Schema):
    code: str
    name: str
    villages: int
    shops: int
    sales: int


class ClusterOut(Schema):
    code: str
    name: str
    villages: int
    products: list[str]


class PointOut(Schema):
    code: str
    name: str
    villages: int
    x: float
    y: float
    r: float


class EmploymentOut(Schema):
    individual_shops: int
    enterprise_shops: int
    other_merchants: int
    jobs: int


class ReportOut(Schema):
    year: int
    rule_set: str
    version: int
    currency: str
    villages: list[VillageOut]
    towns: list[TownOut]
    counties: list[ClusterOut]
    cities: list[ClusterOut]
    regions: list[ShareOut]
    provinces: list[ShareOut]
    points: list[PointOut]
    new: int
    kept: int
    lost: int
    employment: EmploymentOut | None


@router.get("/observatory/rule-sets", response=list[RuleSetOut])
def rule_sets(request: HttpRequest):
    """All rule sets, every version."""
    return list(RuleSet.objects.all())


ERRORS = frozenset({400, *READ_ERRORS})


@router.get("/observatory/report", response={200: ReportOut, ERRORS: ErrorOut})
def report(request: HttpRequest, year: int, rule_set: str, version: int | None = None):
    """Qualifying villages and towns, top counties and cities, shares by region and
    province, change from the previous year and the employment estimate."""
    chosen = rules.rule_set_get(slug=rule_set, version=version)
    return reports.observatory_report(year=year, rule_set=chosen).as_dict()


@router.get("/observatory/report.csv", response={200: None, ERRORS: ErrorOut})
def report_csv(request: HttpRequest, year: int, rule_set: str, version: int | None = None):
    """The qualifying villages as CSV (UTF-8 with BOM)."""
    chosen = rules.rule_set_get(slug=rule_set, version=version)
    return csv_response(reports.observatory_report(year=year, rule_set=chosen))


def csv_response(report: reports.Report) -> HttpResponse:
    response = HttpResponse(reports.villages_csv(report), content_type="text/csv; charset=utf-8")
    name = f"villages-{report.year}-{report.rule_set}-v{report.version}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class YearOut(Schema):
    year: int
    listed: bool
    specialty: str
    platform_sales: int
    currency: str
    stats_sales: int | None
    stats_merchants: int | None
    households: int | None


class VillageHistoryOut(Schema):
    key: str
    code: str
    name: str
    households: int | None
    years: list[YearOut]


@router.get(
    "/observatory/villages/{key}",
    response={200: VillageHistoryOut, frozenset(READ_ERRORS): ErrorOut},
)
def village_history(request: HttpRequest, key: str):
    """A village's years: on the published lists (with product), platform sales (minor
    units), imported statistics. Newest first."""
    place = place_get(key=key)
    return {
        "key": place.key,
        "code": place.code,
        "name": place.name,
        "households": place.households,
        "years": [row.__dict__ for row in selectors.village_history(place=place)],
    }
