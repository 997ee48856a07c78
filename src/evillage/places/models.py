from django.db import models
from django.utils.translation import gettext_lazy as _


def fold_name(name: str) -> str:
    """The form names are compared in: case-folded, spaces collapsed."""
    return " ".join(name.casefold().split())


class Country(models.TextChoices):
    CHINA = "cn", _("China")
    INDONESIA = "id", _("Indonesia")


class Level(models.IntegerChoices):
    """Depth in the administrative tree; the same five levels serve both countries.

    China: province, prefecture city, county, township (镇/乡/街道), village (村/社区).
    Indonesia: provinsi, kabupaten/kota (stored as COUNTY: the unit comparable to a
    Chinese county), kecamatan (TOWN), desa/kelurahan (VILLAGE); it has no CITY level.
    """

    PROVINCE = 1, _("province")
    CITY = 2, _("city")
    COUNTY = 3, _("county")
    TOWN = 4, _("town")
    VILLAGE = 5, _("village")


class Place(models.Model):
    """An administrative division, keyed by its official code within its country.

    `key` ("cn-320324104201") is the public identifier used in URLs and the API,
    unique across countries (official codes of China and Indonesia overlap).
    """

    key = models.CharField(max_length=24, unique=True, editable=False)
    country = models.CharField(max_length=2, choices=Country.choices)
    code = models.CharField(max_length=20)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    name = models.CharField(max_length=100)
    # Case-folded name for prefix search (an index a LIKE 'x%' can use on PostgreSQL).
    search_name = models.CharField(max_length=100, db_index=True, editable=False, default="")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    households = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Registered households; entered by officials.")
    )

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="place_country_code_unique"),
        ]
        indexes = [
            models.Index(fields=["country", "level", "name"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.key = self.make_key(self.country, self.code)
        self.search_name = fold_name(self.name)
        super().save(*args, **kwargs)

    @staticmethod
    def make_key(country: str, code: str) -> str:
        return f"{country}-{code}"

    @property
    def is_village(self) -> bool:
        return self.level == Level.VILLAGE
