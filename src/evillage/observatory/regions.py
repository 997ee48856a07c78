"""China's NBS three-region division (东部 / 中部 / 西部), by province code."""

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


def region_of(code: str) -> str:
    """Region of any Chinese division code: the first two digits are the province."""
    prefix = code[:2]
    if prefix in _EAST:
        return EAST
    if prefix in _CENTRAL:
        return CENTRAL
    return WEST
