"""Regions for the observatory's shares: China's NBS three-region division (东部 / 中部 /
西部) and Indonesia's island groups, both by the first digits of the province code."""

from django.utils.translation import gettext_lazy as _

EAST = "east"
CENTRAL = "central"
WEST = "west"

REGION_LABELS = {EAST: _("Eastern"), CENTRAL: _("Central"), WEST: _("Western")}

# Beijing, Tianjin, Hebei, Liaoning, Shanghai, Jiangsu, Zhejiang, Fujian, Shandong,
# Guangdong, Hainan.
_EAST = {"11", "12", "13", "21", "31", "32", "33", "35", "37", "44", "46"}
# Shanxi, Jilin, Heilongjiang, Anhui, Jiangxi, Henan, Hubei, Hunan.
_CENTRAL = {"14", "22", "23", "34", "36", "41", "42", "43"}

# Indonesia (BPS province codes): the first digit is the island group.
_ISLAND_GROUPS = {
    "1": ("sumatra", _("Sumatra")),
    "3": ("java", _("Java")),
    "5": ("bali_nusa_tenggara", _("Bali and Nusa Tenggara")),
    "6": ("kalimantan", _("Kalimantan")),
    "7": ("sulawesi", _("Sulawesi")),
    "8": ("maluku", _("Maluku")),
    "9": ("papua", _("Papua")),
}

SCHEMES = {
    "cn": (_("NBS three-region division"), tuple(REGION_LABELS.items())),
    "id": (_("island groups"), tuple(_ISLAND_GROUPS.values())),
}

# The country whose villages a rule set in this currency classifies (shops sell in the
# currency of their country).
_COUNTRY_OF_CURRENCY = {"CNY": "cn", "IDR": "id"}


def country_of_currency(currency: str) -> str:
    return _COUNTRY_OF_CURRENCY.get(currency, "cn")


def region_of(code: str, country: str = "cn") -> str:
    """Region of a division code of `country`: its first digits are the province."""
    if country == "id":
        return _ISLAND_GROUPS.get(code[:1], ("", ""))[0]
    prefix = code[:2]
    if prefix in _EAST:
        return EAST
    if prefix in _CENTRAL:
        return CENTRAL
    return WEST
