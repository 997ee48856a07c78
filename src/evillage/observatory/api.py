"""Observatory figures over HTTP (mounted at /api/). Public, read only.

- /observatory/rule-sets: the rule sets and their thresholds;
- /observatory/report?year=&rule_set=&version=: every figure of a year under a rule set;
- /observatory/report.csv: its qualifying villages as CSV;
- /observatory/report.parquet?table=: one of its tables as Parquet (villages by default);
- /observatory/report.xlsx: all its tables as an XLSX workbook;
- /observatory/lists/{year}: an imported published list's counts and shares;
- /observatory/villages/{key}: a village's history.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from evillage.core.api_schemas import READ_ERRORS, ErrorOut
from evillage.core.errors import NotFound
from evillage.observatory import exports, rules, selectors
from evillage.observatory import report as reports
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
    region_scheme: str = Field(
        "",
        description="The division `regions` follows: China's NBS regions or Indonesia's islands.",
    )
    provinces: list[ShareOut]
    points: list[PointOut]
    new: int
    kept: int
    lost: int
    employment: EmploymentOut | None
    computed_at: datetime | None = Field(
        None, description="When the figures were computed (reports are cached for minutes)."
    )


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
    report = reports.observatory_report(year=year, rule_set=chosen)
    return exports.export_response(report, rule_set=chosen, fmt="csv")


@router.get("/observatory/report.parquet", response={200: None, ERRORS: ErrorOut})
def report_parquet(
    request: HttpRequest,
    year: int,
    rule_set: str,
    version: int | None = None,
    table: str = "villages",
):
    """One table of the report as Parquet with typed columns: villages (default), towns,
    counties, cities, provinces or regions. Counties and cities are all, not the top 20."""
    exports.check_table(table)
    chosen = rules.rule_set_get(slug=rule_set, version=version)
    report = reports.observatory_report(year=year, rule_set=chosen, cluster_limit=None)
    return exports.export_response(report, rule_set=chosen, fmt="parquet", table=table)


@router.get("/observatory/report.xlsx", response={200: None, ERRORS: ErrorOut})
def report_xlsx(request: HttpRequest, year: int, rule_set: str, version: int | None = None):
    """The report as an XLSX workbook: a sheet per table (villages, towns, counties,
    cities, provinces, regions) and an `about` sheet."""
    chosen = rules.rule_set_get(slug=rule_set, version=version)
    report = reports.observatory_report(year=year, rule_set=chosen, cluster_limit=None)
    return exports.export_response(report, rule_set=chosen, fmt="xlsx")


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
