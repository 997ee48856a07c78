"""Matching published names (province, city, county, town, village) to official codes.

Pure Python over an in-memory index of the divisions, so it is fast and testable without
a database. The order of attempts, from the most to the least certain:

1. exact normalised name of each level under its matched parent;
2. the village found by normalised name in another town of the same county (towns merged);
3. a fuzzy match (difflib) of the village name among the villages of the matched town
   (renamed villages: "东风村" → "东风社区居委会");
4. otherwise the row keeps its county (or town) and a reason: it is reported, not dropped.
"""

import difflib
import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

# Longest first: "壮族自治区" must go before "自治区".
_PROVINCE_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
)
_CITY_SUFFIXES = ("自治州", "地区", "市", "盟")
_COUNTY_SUFFIXES = ("自治县", "自治旗", "新区", "县", "区", "市", "旗")
_TOWN_SUFFIXES = ("街道办事处", "办事处", "街道", "新城", "镇", "乡")
_VILLAGE_SUFFIXES = (
    "社区居民委员会",
    "社区居委会",
    "村民委员会",
    "居民委员会",
    "村委会",
    "居委会",
    "委员会",
    "社区",
    "村",
    "居",
)
_SPACES = re.compile(r"[\s\u3000()（）]+")

FUZZY_CUTOFF = 0.6


def _strip(name: str, suffixes: tuple[str, ...], times: int = 1) -> str:
    name = _SPACES.sub("", name)
    for _ in range(times):
        for suffix in suffixes:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                break
    return name


def norm_province(name: str) -> str:
    """'广西壮族自治区' → '广西'; '北京市' / '北京' → '北京'; '浙江省' → '浙江'."""
    return _strip(name, _PROVINCE_SUFFIXES)


def norm_city(name: str) -> str:
    return _strip(name, _CITY_SUFFIXES)


def norm_county(name: str) -> str:
    return _strip(name, _COUNTY_SUFFIXES)


def norm_town(name: str) -> str:
    return _strip(name, _TOWN_SUFFIXES)


def norm_village(name: str) -> str:
    """'东风村' / '东风村委会' / '东风社区居委会' → '东风'."""
    return _strip(name, _VILLAGE_SUFFIXES, times=2)


@functools.lru_cache(maxsize=200_000)
def village_keys(name: str) -> frozenset[str]:
    """The name and each shorter form as suffixes come off one at a time: a village whose
    name ends in 村 keeps it before its committee suffix ('横村' is '横村村村委会', whose
    normalised form is '横村' while the list's '横村' normalises to '横')."""
    keys = [_SPACES.sub("", name)]
    for _ in range(3):
        shorter = _strip(keys[-1], _VILLAGE_SUFFIXES)
        if shorter == keys[-1]:
            break
        keys.append(shorter)
    return frozenset(keys)


@dataclass(frozen=True, slots=True)
class Division:
    id: int
    code: str
    level: int
    name: str
    parent_id: int | None


@dataclass
class Match:
    """The result for one row: the deepest place found and, if not a village, why."""

    province: Division | None = None
    city: Division | None = None
    county: Division | None = None
    town: Division | None = None
    village: Division | None = None
    method: str = ""  # exact, other_town, fuzzy, or "" when unmatched
    reason: str = ""  # empty when matched to a village

    @property
    def matched(self) -> bool:
        return self.village is not None


class DivisionIndex:
    """Children of each place by normalised name, built once per import."""

    def __init__(self, divisions: Iterable[Division]) -> None:
        self.by_id: dict[int, Division] = {}
        self.children: dict[int | None, list[Division]] = defaultdict(list)
        for d in divisions:
            self.by_id[d.id] = d
            self.children[d.parent_id].append(d)
        self.provinces = {norm_province(d.name): d for d in self.children[None] if d.level == 1}

    def _descendants(self, place: Division, level: int) -> list[Division]:
        found, frontier = [], [place]
        while frontier:
            nxt = []
            for p in frontier:
                for c in self.children[p.id]:
                    (found if c.level == level else nxt).append(c)
            frontier = nxt
        return found

    @staticmethod
    def _pick(candidates: list[Division], name: str, norm) -> Division | None:
        exact = [c for c in candidates if c.name == name]
        if len(exact) == 1:
            return exact[0]
        key = norm(name)
        same = [c for c in candidates if norm(c.name) == key]
        return same[0] if len(same) == 1 else None

    def _unique(self, candidates: list[Division], key: str, norm) -> Division | None:
        same = [c for c in candidates if norm(c.name) == key]
        return same[0] if len(same) == 1 else None

    @classmethod
    def _village(cls, candidates: list[Division], name: str) -> Division | None:
        """By exact or normalised name, else the one village sharing the longest form
        ('东村' is '东村村委会' rather than '东社区', which shares only '东')."""
        found = cls._pick(candidates, name, norm_village)
        if found is not None:
            return found
        keys = village_keys(name)
        best, found = 0, []
        for c in candidates:
            shared = max((len(k) for k in village_keys(c.name) & keys), default=0)
            if shared > best:
                best, found = shared, [c]
            elif shared and shared == best:
                found.append(c)
        return found[0] if len(found) == 1 else None

    def match(self, *, province: str, city: str, county: str, town: str, village: str) -> Match:
        m = Match()
        province, city, county, town, village = (
            _clean(province),
            _clean(city),
            _clean(county),
            _clean(town),
            _clean(village),
        )
        m.province = self.provinces.get(norm_province(province))
        if m.province is None:
            m.reason = "province_unknown"
            return m
        m.city = self._pick(self._descendants(m.province, 2), city, norm_city) if city else None
        area = m.city or m.province  # where a renamed county's towns are looked for
        if county:
            m.county = self._pick(self._descendants(area, 3), county, norm_county)
            if m.county is None and m.city is not None:
                m.county = self._pick(self._descendants(m.province, 3), county, norm_county)
        if m.county is not None:
            m.city = self.by_id.get(m.county.parent_id) or m.city
            m.town = self._pick(self._descendants(m.county, 4), town, norm_town) if town else None
        if m.county is None and not town and county:
            town = county  # a development zone listed as a county ("白沟新城", town "-")
        if m.town is None and town:
            # County renamed or towns moved to a new district: the town by name in the city.
            m.town = self._unique(self._descendants(area, 4), norm_town(town), norm_town)
            if m.town is not None:
                m.county = self.by_id.get(m.town.parent_id)
        key = norm_village(village)
        if m.town is not None:
            m.village = self._village(self._descendants(m.town, 5), village)
            if m.village is not None:
                m.method = "exact"
                return m
        # The village by name elsewhere in its county (or city): towns merged or renamed.
        in_scope = self._descendants(m.county or area, 5)
        other = self._unique(in_scope, key, norm_village) or self._village(in_scope, village)
        if other is not None:
            m.village, m.method = other, "other_town"
            m.town = self.by_id.get(other.parent_id)
            m.county = self.by_id.get(m.town.parent_id) if m.town else m.county
            return m
        if m.town is not None:
            villages = self._descendants(m.town, 5)
            if len(key) >= 2:
                names = {norm_village(v.name): v for v in villages}
                close = difflib.get_close_matches(key, list(names), n=1, cutoff=FUZZY_CUTOFF)
                if close:
                    m.village, m.method = names[close[0]], "fuzzy"
                    return m
            m.reason = "village_not_in_town" if villages else "town_has_no_villages"
        elif m.county is None:
            m.reason = "county_unknown"
        else:
            m.reason = "town_unknown"
        return m


def _clean(name: str) -> str:
    """Published names carry marks ('王堂村*') and placeholders ('-')."""
    name = _SPACES.sub("", name or "").strip("*＊")
    return "" if name in {"-", "—", "－"} else name
