"""Rule sets: validation, creation (a new version of a slug), and selection."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from evillage.core.errors import NotFound, ValidationFailed
from evillage.observatory.models import RuleSet, RuleSource

# Fields that, when given, must be above zero: a zero threshold would make every village
# (or town) qualify, and a negative one makes no sense.
_POSITIVE = (
    "min_sales",
    "min_merchants",
    "town_min_villages",
    "town_min_shops",
    "town_min_sales",
    "active_window_months",
)
_NON_NEGATIVE = (
    "active_min_days",
    "active_min_orders",
    "jobs_per_individual_tenths",
    "jobs_per_enterprise_tenths",
)


def rule_set_check(**fields) -> None:
    """Raise ValidationFailed naming the first impossible threshold."""
    currency = fields.get("currency", "CNY")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        raise ValidationFailed(
            _("The currency must be a three-letter code such as CNY or IDR."),
            code="ruleset_invalid",
            field="currency",
        )
    for name in _POSITIVE:
        value = fields.get(name)
        if value is not None and (not isinstance(value, int) or value <= 0):
            raise ValidationFailed(
                _("%(field)s must be a whole number above zero, not %(value)s.")
                % {"field": name, "value": value},
                code="ruleset_invalid",
                field=name,
            )
    for name in _NON_NEGATIVE:
        value = fields.get(name)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValidationFailed(
                _("%(field)s cannot be negative (%(value)s).") % {"field": name, "value": value},
                code="ruleset_invalid",
                field=name,
            )
    percent = fields.get("min_household_percent")
    if percent is not None and (not isinstance(percent, int) or not 1 <= percent <= 100):
        raise ValidationFailed(
            _("min_household_percent must be from 1 to 100, not %(value)s.") % {"value": percent},
            code="ruleset_invalid",
            field="min_household_percent",
        )
    if fields.get("source", RuleSource.PLATFORM) == RuleSource.PLATFORM:
        if fields.get("min_sales") is None:
            raise ValidationFailed(
                _("A rule set on the platform's data needs a minimum of sales."),
                code="ruleset_invalid",
                field="min_sales",
            )
        if fields.get("min_merchants") is None and percent is None:
            raise ValidationFailed(
                _("Give a minimum of merchants, or of households with a merchant, or both."),
                code="ruleset_invalid",
                field="min_merchants",
            )


def rule_set_create(*, slug: str, name: str, **fields) -> RuleSet:
    """A new version of `slug` (version 1 for a new slug), validated."""
    rule_set_check(**fields)
    with transaction.atomic():
        latest = RuleSet.objects.filter(slug=slug).aggregate(v=Max("version"))["v"] or 0
        return RuleSet.objects.create(slug=slug, name=name, version=latest + 1, **fields)


def rule_set_get(*, slug: str, version: int | None = None) -> RuleSet:
    """The newest version of `slug`, or the version asked for."""
    rule_sets = RuleSet.objects.filter(slug=slug)
    if version is not None:
        rule_sets = rule_sets.filter(version=version)
    rule_set = rule_sets.order_by("-version").first()
    if rule_set is None:
        raise NotFound(_("No rule set %(slug)s.") % {"slug": slug}, code="ruleset_not_found")
    return rule_set


# The seeded rule sets are in migrations/0002_seed_rule_sets.py.
