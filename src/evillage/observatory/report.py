"""One year under one rule set: every figure of the observatory, for page, API and CSV."""

import csv
import datetime as dt
import io
import time
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.core.errors import ValidationFailed
from evillage.observatory import selectors
from evillage.observatory.classification import classify, qualifying_towns
from evillage.observatory.models import RuleSet
from evillage.observatory.regions import SCHEMES, country_of_currency, region_of
from evillage.observatory.report_cache import generation
from evillage.observatory.services import FIRST_YEAR
from evillage.places.models import Place


@dataclass
class VillageRow:
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
    place_key: str = ""


@dataclass
class Report:
    year: int
    rule_set: str
    version: int
    currency: str
    villages: list[VillageRow] = field(default_factory=list)
    towns: list = field(default_factory=list)
    counties: list = field(default_factory=list)
    cities: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    provinces: list = field(default_factory=list)
    points: list = field(default_factory=list)
    new: int = 0
    kept: int = 0
    lost: int = 0
    employment: selectors.Employment | None = None
    computed_at: dt.datetime | None = None
    region_scheme: str = ""  # which division `regions` follows

    def as_dict(self) -> dict:
        return asdict(self)


def check_report_year(year: int) -> None:
    last = timezone.now().year
    if not FIRST_YEAR <= year <= last:
        raise ValidationFailed(
            _("The year must be from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": last},
            code="observatory_bad_year",
            field="year",
        )


def observatory_report(*, year: int, rule_set: RuleSet, cluster_limit: int | None = 20) -> Report:
    """Every figure of `year` under `rule_set`; counties and cities are the top
    `cluster_limit` (all when None, as the exports have them). From the cache when it was
    computed less than OBSERVATORY_REPORT_SECONDS ago and nothing was imported since."""
    check_report_year(year)
    key = f"observatory:report:{generation()}:{rule_set.pk}:{year}:{cluster_limit}"
    report = cache.get(key)
    if report is not None:
        return report
    # One request computes; the others asking meanwhile wait for its result instead of
    # running the same seconds-long queries side by side (across processes too with a
    # shared cache). A computation that died frees the claim after COMPUTE_CLAIM_SECONDS.
    claim = f"{key}:computing"
    if not cache.add(claim, 1, timeout=COMPUTE_CLAIM_SECONDS):
        deadline = time.monotonic() + COMPUTE_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.1)
            report = cache.get(key)
            if report is not None:
                return report
            if cache.get(claim) is None:
                break  # the computing request failed: compute here
    try:
        report = _compute_report(year=year, rule_set=rule_set, cluster_limit=cluster_limit)
        cache.set(key, report, settings.OBSERVATORY_REPORT_SECONDS)
    finally:
        cache.delete(claim)
    return report


COMPUTE_CLAIM_SECONDS = 120
COMPUTE_WAIT_SECONDS = 30  # then compute anyway rather than fail the page


def _compute_report(*, year: int, rule_set: RuleSet, cluster_limit: int | None) -> Report:
    c = classify(year=year, rule_set=rule_set)
    ids = {u.town_id for u in c.villages} | {u.county_id for u in c.villages}
    names = dict(Place.objects.filter(id__in=ids - {None}).values_list("id", "name"))
    report = Report(year, rule_set.slug, rule_set.version, rule_set.currency)
    country = country_of_currency(rule_set.currency)
    report.region_scheme = str(SCHEMES[country][0])
    report.computed_at = timezone.now()
    for u in c.villages:
        f = u.figures
        report.villages.append(
            VillageRow(
                u.key,
                u.name,
                names.get(u.town_id, ""),
                names.get(u.county_id, ""),
                u.province_code,
                region_of(u.province_code, country),
                u.specialty,
                f.sales if f else None,
                f.merchants if f else None,
                f.households if f else None,
                u.place_key,
            )
        )
    report.towns = qualifying_towns(c)
    report.counties = selectors.ranked_clusters(c, limit=cluster_limit)
    report.cities = selectors.ranked_clusters(c, level="city", limit=cluster_limit)
    report.regions = selectors.classification_shares_by_region(c)
    report.provinces = selectors.classification_shares_by_province(c)
    report.points = selectors.county_points(c)
    change = selectors.change_from_previous_year(year=year, rule_set=rule_set, this_year=c)
    report.new, report.kept, report.lost = len(change.new), len(change.kept), len(change.lost)
    if rule_set.source != "published":
        report.employment = selectors.employment_estimate(c)
    return report


CSV_COLUMNS = (
    "key",
    "name",
    "town",
    "county",
    "province_code",
    "region",
    "specialty",
    "sales",
    "merchants",
    "households",
)


def villages_csv(report: Report) -> str:
    """The qualifying villages as CSV (with a BOM so spreadsheets read it as UTF-8)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in report.villages:
        values = asdict(row)
        writer.writerow([_cell(values[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def _cell(value):
    """Text a spreadsheet would run as a formula ('=', '+', '-', '@') is quoted with an
    apostrophe, as OWASP advises for CSV files that will be opened in Excel."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
