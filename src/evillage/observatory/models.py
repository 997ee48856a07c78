from django.db import models
from django.utils.translation import gettext_lazy as _


class MatchMethod(models.TextChoices):
    EXACT = "exact", _("exact name")
    OTHER_TOWN = "other_town", _("same name in another town of the county")
    FUZZY = "fuzzy", _("similar name in the town")
    NONE = "", _("not matched to a village")


class VillageList(models.Model):
    """A published list of Taobao villages for one year (AliResearch's announcement)."""

    year = models.PositiveSmallIntegerField(unique=True)
    source = models.CharField(max_length=255, help_text=_("File the list was imported from."))
    imported_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    matched_villages = models.PositiveIntegerField(default=0)
    matched_places = models.PositiveIntegerField(
        default=0, help_text=_("Rows matched to at least a county code.")
    )

    class Meta:
        verbose_name = _("published village list")
        verbose_name_plural = _("published village lists")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}"


class ListedVillage(models.Model):
    """One row of a published list, as published, with the official place it matched.

    `village` is the matched administrative village; when the village could not be
    matched, `county` (and `town` if found) still place the row and `reason` says why.
    """

    village_list = models.ForeignKey(VillageList, on_delete=models.CASCADE, related_name="entries")
    line = models.PositiveIntegerField()
    province_name = models.CharField(max_length=50)
    city_name = models.CharField(max_length=50, blank=True)
    county_name = models.CharField(max_length=50, blank=True)
    town_name = models.CharField(max_length=50, blank=True)
    village_name = models.CharField(max_length=50)
    specialty = models.CharField(max_length=100, blank=True)
    province = models.ForeignKey(
        "places.Place", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    county = models.ForeignKey(
        "places.Place", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    town = models.ForeignKey("places.Place", null=True, on_delete=models.SET_NULL, related_name="+")
    village = models.ForeignKey(
        "places.Place", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=12, choices=MatchMethod.choices, blank=True)
    reason = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("listed village")
        verbose_name_plural = _("listed villages")
        ordering = ["village_list", "line"]

    def __str__(self) -> str:
        return f"{self.village_list.year} {self.province_name} {self.village_name}"


class RuleSource(models.TextChoices):
    PLATFORM = "platform", _("the platform's data and imported village statistics")
    PUBLISHED = "published", _("published lists (a listed village qualifies)")


class RuleSet(models.Model):
    """Criteria for an e-commerce ("Taobao") village and town, as data.

    Amounts are minor units of `currency` (RMB 10 million = 1,000,000,000 fen). A village
    qualifies when its sales reach `min_sales` and it has at least `min_merchants` active
    merchants, or merchants in at least `min_household_percent` of its households. A shop
    is active when it was open `active_min_days` days by the end of the year and had at
    least `active_min_orders` finished orders in the last `active_window_months` months of
    the year. A town qualifies with `town_min_villages` qualifying villages and, when set,
    `town_min_shops` active shops and `town_min_sales` sales. Versions of one slug are
    kept; the newest is used unless a version is asked for.
    """

    slug = models.SlugField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=RuleSource.choices, default="platform")
    currency = models.CharField(max_length=3, default="CNY")
    min_sales = models.BigIntegerField(null=True, blank=True)
    min_merchants = models.PositiveIntegerField(null=True, blank=True)
    min_household_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    active_min_days = models.PositiveSmallIntegerField(default=0)
    active_window_months = models.PositiveSmallIntegerField(default=12)
    active_min_orders = models.PositiveIntegerField(default=0)
    town_min_villages = models.PositiveSmallIntegerField(default=3)
    town_min_shops = models.PositiveIntegerField(null=True, blank=True)
    town_min_sales = models.BigIntegerField(null=True, blank=True)
    # Jobs per active merchant, in tenths (16 = 1.6): the report's Taobao and Tmall figures.
    jobs_per_individual_tenths = models.PositiveSmallIntegerField(default=16)
    jobs_per_enterprise_tenths = models.PositiveSmallIntegerField(default=69)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="ruleset_slug_version"),
            models.CheckConstraint(
                condition=models.Q(min_sales__isnull=True) | models.Q(min_sales__gt=0),
                name="ruleset_min_sales_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(town_min_sales__isnull=True) | models.Q(town_min_sales__gt=0),
                name="ruleset_town_min_sales_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(min_household_percent__isnull=True)
                | models.Q(min_household_percent__gte=1, min_household_percent__lte=100),
                name="ruleset_household_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version}"


class VillageStats(models.Model):
    """A village's figures for a year from outside the platform (`import_village_stats`)."""

    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    sales = models.BigIntegerField(help_text=_("Minor units."))
    merchants = models.PositiveIntegerField()
    households = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("village statistics")
        verbose_name_plural = _("village statistics")
        constraints = [
            models.UniqueConstraint(fields=["place", "year"], name="villagestats_place_year"),
            models.CheckConstraint(condition=models.Q(sales__gte=0), name="villagestats_sales"),
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.year}"
