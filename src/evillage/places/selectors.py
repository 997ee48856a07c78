"""Reads of places: lookups, search for autocomplete, full paths without N+1 queries."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from evillage.core.errors import NotFound
from evillage.places.models import Level, Place, fold_name

MAX_LIMIT = 50
# How many places matching an ancestor word ("沙集镇") narrow a name search.
_MAX_ANCHORS = 50


_KEY = re.compile(r"(cn|id)-[0-9]{2,12}")


def looks_like_key(text: str) -> bool:
    """'cn-320324104201' is a key; '沙集镇 东风' is names."""
    return _KEY.fullmatch(text) is not None


def can_edit_households(user) -> bool:
    """Officials and operators keep household counts."""
    if user is None or not user.is_authenticated:
        return False
    return user.has_role("official") or user.has_role("operator")


def place_get(*, key: str) -> Place:
    place = Place.objects.filter(key=key).select_related("parent").first()
    if place is None:
        raise NotFound(_("No place has the key %(key)s.") % {"key": key}, code="place_not_found")
    return place


def attach_paths(places: Iterable[Place]) -> list[Place]:
    """Set `place.path` (province first, the place last) on each place.

    One query per level of ancestors still unknown (at most four), whatever the
    number of places.
    """
    places = list(places)
    known: dict[int, Place] = {p.pk: p for p in places}
    wanted = {p.parent_id for p in places if p.parent_id and p.parent_id not in known}
    while wanted:
        fetched = Place.objects.filter(pk__in=wanted).only(
            "id", "key", "country", "code", "level", "name", "parent_id", "latitude", "longitude"
        )
        for parent in fetched:
            known[parent.pk] = parent
        wanted = {p.parent_id for p in fetched if p.parent_id and p.parent_id not in known}
    for place in places:
        chain = [place]
        while chain[-1].parent_id and chain[-1].parent_id in known:
            chain.append(known[chain[-1].parent_id])
        place.path = chain[::-1]
    return places


def place_path(place: Place) -> list[Place]:
    """Ancestors from the province down to the place itself."""
    if not hasattr(place, "path"):
        attach_paths([place])
    return place.path


def path_label(place: Place) -> str:
    """ "江苏省 徐州市 睢宁县 沙集镇 东风社区居委会"."""
    return " ".join(p.name for p in place_path(place))


@dataclass(frozen=True)
class Location:
    latitude: Decimal
    longitude: Decimal
    approximate: bool  # taken from the nearest ancestor that has coordinates


def place_location(place: Place) -> Location | None:
    for i, p in enumerate(reversed(place_path(place))):
        if p.latitude is not None and p.longitude is not None:
            return Location(p.latitude, p.longitude, approximate=i > 0)
    return None


def place_children(*, place: Place) -> list[Place]:
    return attach_paths(Place.objects.filter(parent=place).order_by("code"))


def place_children_count(*, place: Place) -> int:
    return Place.objects.filter(parent=place).count()


def place_descendants(*, place: Place, level: int | None = None) -> QuerySet[Place]:
    """Places under `place` (e.g. the villages of a county), by code.

    Codes nest (a village's code starts with its county's), which the importer checks.
    """
    qs = Place.objects.filter(under(place))
    if level is not None:
        qs = qs.filter(level=level)
    return qs.order_by("code")


def _next_code(code: str) -> str:
    """The first code after all codes starting with `code`: '3203' → '3204', '3209' → '321'."""
    digits = code.rstrip("9")
    if not digits:
        return code + ":"  # ':' sorts right after '9'
    return digits[:-1] + str(int(digits[-1]) + 1)


def under(place: Place) -> Q:
    """Places below `place`: codes nest, so a range of codes (the unique index serves it)."""
    return Q(
        country=place.country,
        code__gte=place.code,
        code__lt=_next_code(place.code),
        level__gt=place.level,
    )


def _prefix(folded: str) -> Q:
    q = Q(search_name__startswith=folded)
    if connection.vendor == "sqlite":
        # SQLite's LIKE cannot use the index; a range on the binary-ordered column can.
        q &= Q(search_name__gte=folded, search_name__lt=folded + "\U0010ffff")
    return q


def _scoped(
    *,
    country: str | None = None,
    level: int | None = None,
    within: Place | None = None,
    queryset: QuerySet[Place] | None = None,
) -> QuerySet[Place]:
    qs = queryset if queryset is not None else Place.objects.all()
    if country:
        qs = qs.filter(country=country)
    if level:
        qs = qs.filter(level=level)
    if within is not None:
        qs = qs.filter(under(within))
    return qs


_ORDER = ("level", "search_name", "code")


def place_search(
    *,
    q: str,
    country: str | None = None,
    level: int | None = None,
    within: Place | None = None,
    limit: int = 10,
    queryset: QuerySet[Place] | None = None,
) -> list[Place]:
    """Places whose name starts with, then contains, `q` (any case), paths attached.

    Several words ("沙集镇 东风", "Pekalongan Wiradesa") also match a name by its
    last words and ancestors by the others.
    """
    folded = fold_name(q)
    limit = max(1, min(limit, MAX_LIMIT))
    if not folded:
        return []
    base = _scoped(country=country, level=level, within=within, queryset=queryset)
    found = list(base.filter(_prefix(folded)).order_by(*_ORDER)[:limit])
    if len(found) < limit:
        seen = [p.pk for p in found]
        more = base.filter(search_name__contains=folded).exclude(pk__in=seen)
        found += more.order_by(*_ORDER)[: limit - len(found)]
    words = folded.split()
    for split in range(len(words) - 1, 0, -1):
        if len(found) >= limit:
            break
        seen = {p.pk for p in found}
        for place in _search_under(base, words[:split], " ".join(words[split:]), limit * 5):
            if place.pk not in seen and len(found) < limit:
                found.append(place)
    return attach_paths(found)


def _search_under(
    base: QuerySet[Place], ancestor_words: list[str], name: str, limit: int
) -> list[Place]:
    """Places named like `name` having ancestors named like each of `ancestor_words`."""
    anchors = Place.objects.filter(
        search_name__contains=ancestor_words[-1], level__lt=Level.VILLAGE
    ).only("country", "code", "level")[:_MAX_ANCHORS]
    scope = Q()
    for anchor in anchors:
        scope |= under(anchor)
    if not scope:
        return []
    candidates = attach_paths(
        base.filter(scope, search_name__contains=name).order_by(*_ORDER)[:limit]
    )
    return [
        c
        for c in candidates
        if all(any(w in fold_name(a.name) for a in c.path[:-1]) for w in ancestor_words)
    ]
