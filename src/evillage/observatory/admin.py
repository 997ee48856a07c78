from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from evillage.core.errors import ValidationFailed
from evillage.observatory.models import ListedVillage, RuleSet, VillageList, VillageStats
from evillage.observatory.rules import rule_set_check

_THRESHOLDS = (
    "source",
    "currency",
    "min_sales",
    "min_merchants",
    "min_household_percent",
    "active_min_days",
    "active_window_months",
    "active_min_orders",
    "town_min_villages",
    "town_min_shops",
    "town_min_sales",
    "jobs_per_individual_tenths",
    "jobs_per_enterprise_tenths",
)


class RuleSetForm(forms.ModelForm):
    class Meta:
        model = RuleSet
        fields = ("slug", "version", "name", "description", *_THRESHOLDS)

    def clean(self):
        data = super().clean()
        try:
            rule_set_check(**{k: data.get(k) for k in _THRESHOLDS if k in data})
        except ValidationFailed as exc:
            raise ValidationError({exc.field: exc.message} if exc.field else exc.message) from exc
        return data


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    form = RuleSetForm
    list_display = ("slug", "version", "name", "source", "currency", "min_sales", "min_merchants")
    list_filter = ("source", "currency")


@admin.register(VillageList)
class VillageListAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "rows", "matched_villages", "matched_places", "imported_at")
    readonly_fields = list_display


@admin.register(ListedVillage)
class ListedVillageAdmin(admin.ModelAdmin):
    list_display = ("village_list", "line", "province_name", "county_name", "town_name")
    list_display += ("village_name", "method", "reason")
    list_filter = ("village_list", "method", "reason")
    search_fields = ("village_name", "town_name", "county_name")
    raw_id_fields = ("province", "county", "town", "village")


@admin.register(VillageStats)
class VillageStatsAdmin(admin.ModelAdmin):
    list_display = ("place", "year", "currency", "sales", "merchants", "households")
    list_filter = ("year", "currency")
    raw_id_fields = ("place",)
