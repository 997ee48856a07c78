"""The observatory page: a year under a rule set, tables and an inline SVG chart."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from evillage.core.errors import DomainError, NotFound, ValidationFailed
from evillage.core.money import format_money
from evillage.observatory import exports, rules, selectors
from evillage.observatory import report as reports
from evillage.observatory.models import RuleSet, VillageList
from evillage.places.selectors import path_label, place_get

BAR_WIDTH = 200


def _choice(request: HttpRequest):
    """(year, rule set) from the query, defaulting to the newest imported list, and the
    imported lists as (year, rows)."""
    lists = list(VillageList.objects.order_by("year").values_list("year", "rows"))
    default_year = lists[-1][0] if lists else None
    raw_year = request.GET.get("year") or default_year
    slug, _colon, version = (request.GET.get("rule") or "aliresearch-published").partition(":")
    if raw_year is None:
        return None, None, lists
    try:
        year = int(raw_year)
    except ValueError:
        raise ValidationFailed(_("The year must be a number."), field="year") from None
    rule_set = rules.rule_set_get(slug=slug, version=int(version) if version.isdigit() else None)
    return year, rule_set, lists


def _widths(counts: list[int]) -> list[int]:
    """Bar widths for a chart of these counts, the largest BAR_WIDTH."""
    top = max(counts, default=1) or 1
    return [round(BAR_WIDTH * n / top) for n in counts]


def observatory(request: HttpRequest) -> HttpResponse:
    context: dict = {"rule_sets": RuleSet.objects.all(), "error": None, "report": None}
    try:
        year, rule_set, lists = _choice(request)
        context |= {"list_years": [y for y, _rows in lists], "year": year, "rule_set": rule_set}
        # How the record grew: (year, villages, bar width) of every imported list.
        widths = _widths([rows for _year, rows in lists])
        context["growth"] = [(y, n, max(1, w)) for (y, n), w in zip(lists, widths, strict=True)]
        if year is not None:
            report = reports.observatory_report(year=year, rule_set=rule_set)
            widths = _widths([s.count for s in report.provinces])
            context |= {
                "report": report,
                "bars": list(zip(report.provinces, widths, strict=True)),
                "chart_height": 18 * len(report.provinces),
            }
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "observatory/observatory.html", context, status=400)
    return render(request, "observatory/observatory.html", context)


def export(request: HttpRequest, fmt: str = "csv") -> HttpResponse:
    """The page's year and rule set as a file: the qualifying villages as CSV, one table
    as Parquet (`table`, villages by default) or every table as XLSX."""
    try:
        table = exports.check_table(request.GET.get("table") or "villages")
        year, rule_set, _lists = _choice(request)
        if year is None:
            year = 0
        limit = 20 if fmt == "csv" else None  # the files have every county and city
        report = reports.observatory_report(year=year, rule_set=rule_set, cluster_limit=limit)
    except DomainError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    return exports.export_response(report, rule_set=rule_set, fmt=fmt, table=table)


def village(request: HttpRequest, key: str) -> HttpResponse:
    """A village: where it is, its years on the published lists, its sales and merchants."""
    try:
        place = place_get(key=key)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    locale = get_language() or "en"
    currency = "IDR" if place.country == "id" else "CNY"
    history = selectors.village_history(place=place)
    for row in history:
        row.platform_display = format_money(row.platform_sales, row.currency or currency, locale)
        row.stats_display = (
            format_money(row.stats_sales, currency, locale) if row.stats_sales is not None else ""
        )
    context = {"place": place, "path": path_label(place), "history": history}
    return render(request, "observatory/village.html", context)
