"""The rule sets of AliResearch (copied here: a migration must not change with the code)."""

from django.db import migrations

SEED = (
    {
        "slug": "aliresearch-2014",
        "name": "AliResearch 2014",
        "description": "Merchants resident in the village; sales ≥ RMB 10 million a year; "
        "≥ 50 online merchants or merchants in ≥ 10% of households. Taobao town: ≥ 3 "
        "Taobao villages.",
        "min_sales": 1_000_000_000,
        "min_merchants": 50,
        "min_household_percent": 10,
    },
    {
        "slug": "aliresearch-2019",
        "name": "AliResearch 2019",
        "description": "Administrative village; ≥ 100 active shops or shops in ≥ 10% of "
        "households; sales ≥ RMB 10 million. A shop is active with a finished order in the "
        "year. Taobao town: ≥ 3 Taobao villages, ≥ 300 active shops, ≥ RMB 30 million.",
        "min_sales": 1_000_000_000,
        "min_merchants": 100,
        "min_household_percent": 10,
        "active_min_orders": 1,
        "town_min_shops": 300,
        "town_min_sales": 3_000_000_000,
    },
    {
        "slug": "aliresearch-2022",
        "name": "AliResearch 2022",
        "description": "As 2019; a shop is active if open ≥ 30 days with on average ≥ 1 "
        "order a month over the last 3 months of the year.",
        "min_sales": 1_000_000_000,
        "min_merchants": 100,
        "min_household_percent": 10,
        "active_min_days": 30,
        "active_window_months": 3,
        "active_min_orders": 3,
        "town_min_shops": 300,
        "town_min_sales": 3_000_000_000,
    },
    {
        "slug": "aliresearch-published",
        "name": "AliResearch published lists",
        "description": "A village on the published list of a year is a Taobao village of "
        "that year. Taobao town: ≥ 3 listed villages.",
        "source": "published",
    },
)


def seed(apps, schema_editor):
    RuleSet = apps.get_model("observatory", "RuleSet")
    for fields in SEED:
        RuleSet.objects.get_or_create(slug=fields["slug"], version=1, defaults=fields)


def unseed(apps, schema_editor):
    RuleSet = apps.get_model("observatory", "RuleSet")
    RuleSet.objects.filter(slug__in=[f["slug"] for f in SEED], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("observatory", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
