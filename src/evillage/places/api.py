"""Places API: autocomplete search, a place with its path, children, households."""

from ninja import Field, Query, Router, Schema

from evillage.accounts.api_auth import USER_AUTH
from evillage.core.api_schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut
from evillage.places import selectors, services
from evillage.places.models import Country, Level, Place

router = Router(tags=["places"])


class PathItem(Schema):
    key: str
    name: str
    level: int


class PlaceOut(Schema):
    key: str
    code: str
    country: str
    name: str
    level: int
    level_name: str
    label: str = Field(description="Full path, e.g. 江苏省 徐州市 睢宁县 沙集镇 东风社区居委会")


class PlaceDetail(PlaceOut):
    parent: str | None = Field(description="Key of the parent place")
    path: list[PathItem]
    latitude: float | None
    longitude: float | None
    location_approximate: bool = Field(
        description="True when the coordinates are those of the nearest ancestor that has them"
    )
    households: int | None
    children_count: int


class SearchParams(Schema):
    q: str = Field("", max_length=100, description="Name, or words of the name and its ancestors")
    country: Country | None = None
    level: Level | None = None
    within: str | None = Field(None, description="Key of an ancestor to search under")
    limit: int = Field(10, ge=1, le=selectors.MAX_LIMIT)


class HouseholdsIn(Schema):
    households: int | None = Field(..., ge=0, le=services.MAX_HOUSEHOLDS)


def _out(place: Place) -> dict:
    return {
        "key": place.key,
        "code": place.code,
        "country": place.country,
        "name": place.name,
        "level": place.level,
        "level_name": str(Level(place.level).label),
        "label": selectors.path_label(place),
    }


def _detail(place: Place) -> dict:
    location = selectors.place_location(place)
    return {
        **_out(place),
        "parent": place.path[-2].key if len(place.path) > 1 else None,
        "path": [{"key": p.key, "name": p.name, "level": p.level} for p in place.path],
        "latitude": float(location.latitude) if location else None,
        "longitude": float(location.longitude) if location else None,
        "location_approximate": bool(location and location.approximate),
        "households": place.households,
        "children_count": selectors.place_children_count(place=place),
    }


@router.get(
    "", response={200: list[PlaceOut], 422: ErrorOut}, summary="Search places (autocomplete)"
)
def search_places(request, params: Query[SearchParams]):
    within = selectors.place_get(key=params.within) if params.within else None
    places = selectors.place_search(
        q=params.q,
        country=params.country,
        level=params.level,
        within=within,
        limit=params.limit,
    )
    return [_out(p) for p in places]


@router.get(
    "/{key}",
    response={200: PlaceDetail, READ_ERRORS: ErrorOut},
    summary="A place with its path and coordinates",
)
def get_place(request, key: str):
    return _detail(selectors.place_get(key=key))


@router.get(
    "/{key}/children",
    response={200: list[PlaceOut], READ_ERRORS: ErrorOut},
    summary="The places directly under one",
)
def place_children(request, key: str):
    place = selectors.place_get(key=key)
    return [_out(p) for p in selectors.place_children(place=place)]


@router.patch(
    "/{key}",
    response={200: PlaceDetail, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
    summary="Set registered households (officials and operators)",
)
def set_households(request, key: str, payload: HouseholdsIn):
    place = selectors.place_get(key=key)
    services.place_set_households(place=place, households=payload.households, by=request.auth)
    return _detail(place)
