"""Rule sets as data: the seeded AliResearch criteria, versions, impossible thresholds."""

import pytest

from evillage.core.errors import NotFound, ValidationFailed
from evillage.observatory import rules
from evillage.observatory.models import RuleSet


@pytest.mark.django_db
def test_the_aliresearch_rule_sets_are_seeded():
    """2014, 2019, 2022 and the published lists are there, amounts in fen."""
    r2014 = rules.rule_set_get(slug="aliresearch-2014")
    assert (r2014.min_sales, r2014.currency, r2014.min_merchants) == (1_000_000_000, "CNY", 50)
    assert r2014.min_household_percent == 10
    assert r2014.town_min_villages == 3
    r2019 = rules.rule_set_get(slug="aliresearch-2019")
    assert (r2019.min_merchants, r2019.town_min_shops, r2019.town_min_sales) == (
        100,
        300,
        3_000_000_000,
    )
    r2022 = rules.rule_set_get(slug="aliresearch-2022")
    assert (r2022.active_min_days, r2022.active_window_months, r2022.active_min_orders) == (
        30,
        3,
        3,
    )
    assert rules.rule_set_get(slug="aliresearch-published").source == "published"


@pytest.mark.django_db
def test_a_region_adds_its_own_rule_set_in_rupiah_and_versions_it():
    """An Indonesian rule set in IDR; a second one of the same slug is version 2 and is
    the one selected unless version 1 is asked for."""
    first = rules.rule_set_create(
        slug="desa-digital",
        name="Desa digital",
        currency="IDR",
        min_sales=500_000_000_000,
        min_merchants=30,
    )
    second = rules.rule_set_create(
        slug="desa-digital",
        name="Desa digital",
        currency="IDR",
        min_sales=800_000_000_000,
        min_merchants=30,
    )
    assert (first.version, second.version) == (1, 2)
    assert rules.rule_set_get(slug="desa-digital") == second
    assert rules.rule_set_get(slug="desa-digital", version=1) == first
    with pytest.raises(NotFound):
        rules.rule_set_get(slug="nowhere")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"min_sales": -1, "min_merchants": 50}, "min_sales"),
        ({"min_sales": 0, "min_merchants": 50}, "min_sales"),
        ({"min_sales": 100, "min_merchants": 0}, "min_merchants"),
        ({"min_sales": 100, "min_household_percent": 0}, "min_household_percent"),
        ({"min_sales": 100, "min_household_percent": 101}, "min_household_percent"),
        ({"min_sales": 100, "min_merchants": 5, "town_min_villages": 0}, "town_min_villages"),
        ({"min_sales": 100, "min_merchants": 5, "active_min_days": -3}, "active_min_days"),
        ({"min_sales": 100, "min_merchants": 5, "currency": "rupiah"}, "currency"),
        ({"min_merchants": 5}, "min_sales"),
        ({"min_sales": 100}, "min_merchants"),
    ],
)
def test_impossible_thresholds_are_refused(fields, field):
    """Negative or zero thresholds, percentages outside 1-100, a bad currency, or no
    criterion at all: a clear error naming the field, and no rule set is created."""
    before = RuleSet.objects.count()
    with pytest.raises(ValidationFailed) as info:
        rules.rule_set_create(slug="bad", name="Bad", **fields)
    assert info.value.field == field
    assert info.value.code == "ruleset_invalid"
    assert RuleSet.objects.count() == before


@pytest.mark.django_db
def test_the_admin_form_refuses_an_impossible_threshold(admin_client):
    """An operator adding a rule set with zero sales sees the message on the form."""
    data = {
        "slug": "zero",
        "version": 1,
        "name": "Zero",
        "source": "platform",
        "currency": "CNY",
        "min_sales": 0,
        "min_merchants": 5,
        "active_min_days": 0,
        "active_window_months": 12,
        "active_min_orders": 0,
        "town_min_villages": 3,
        "jobs_per_individual_tenths": 16,
        "jobs_per_enterprise_tenths": 69,
    }
    response = admin_client.post("/admin/observatory/ruleset/add/", data)
    assert response.status_code == 200
    assert "min_sales must be a whole number above zero" in response.content.decode()
    assert not RuleSet.objects.filter(slug="zero").exists()
    response = admin_client.post("/admin/observatory/ruleset/add/", data | {"min_sales": 100})
    assert response.status_code == 302
    assert RuleSet.objects.filter(slug="zero").exists()
