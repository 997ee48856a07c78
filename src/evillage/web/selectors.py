"""Storefront reads about shops and places: the home page, shop pages, village pages.

Paths, coordinates and "below this place" come from `evillage.places.selectors`; what is
here is the storefront's own: rankings by open shops, map links, what a visitor may see.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from evillage.catalog.models import Product, ProductStatus
from evillage.catalog.selectors import for_cards, public_products, sort_products
from evillage.core.errors import NotFound
from evillage.places.models import Level, Place
from evillage.places.selectors import attach_paths, place_location, place_path, under
from evillage.shops.models import Shop, ShopStatus
from evillage.shops.selectors import user_is_shop_staff

# The deepest chain above a village (province → city → county → town), joined in one query.
_ANCESTORS = "__".join(["parent"] * (Level.VILLAGE - Level.PROVINCE))
OPEN_SHOPS = Q(shops__status=ShopStatus.OPEN)


def _with_path(place: Place) -> Place:
    """Set `place.path` from the parents select_related() already loaded (no query)."""
    chain = [place]
    while chain[-1].parent_id is not None and Place.parent.is_cached(chain[-1]):
        chain.append(chain[-1].parent)
    attach_paths(chain)  # fetches only parents that were not loaded
    return place


def _through(relation: str, condition: Q) -> Q:
    """A condition on places (e.g. `under(place)`) applied through a foreign key to Place,
    so that it becomes a join the planner can drive from the places index."""
    rooted = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            rooted.children.append(_through(relation, child))
        else:
            lookup, value = child
            rooted.children.append((f"{relation}__{lookup}", value))
    return rooted


def _villages_by_open_shops(shops: QuerySet[Shop], limit: int) -> QuerySet[Place]:
    """The villages of `shops` with most open shops first, each with `shop_count`.

    Counted from the shops side: the places table (600,000 villages for China) is only
    read for the few villages ranked. Shops are opened in villages only (shop_open checks).
    """
    top = (
        shops.filter(status=ShopStatus.OPEN)
        .values("village_id")
        .annotate(shop_count=Count("id"))
        .order_by("-shop_count", "village__name", "village_id")
        .values("village_id")[:limit]
    )
    return (
        Place.objects.filter(pk__in=top)
        .annotate(shop_count=Count("shops", filter=OPEN_SHOPS))
        .select_related("parent")
        .order_by("-shop_count", "name", "id")
    )


def featured_villages(*, limit: int = 6) -> QuerySet[Place]:
    """Villages with the most open shops."""
    return _villages_by_open_shops(Shop.objects.all(), limit)


def _with_product_counts(shops: QuerySet[Shop]) -> QuerySet[Shop]:
    return shops.annotate(
        product_count=Count("products", filter=Q(products__status=ProductStatus.ACTIVE))
    )


def featured_shops(*, limit: int = 6) -> QuerySet[Shop]:
    """Open shops an operator featured first, then those with the most products on sale."""
    shops = Shop.objects.filter(status=ShopStatus.OPEN).select_related("village")
    return _with_product_counts(shops).order_by("-is_featured", "-product_count", "name")[:limit]


@dataclass
class ShopPage:
    shop: Shop
    preview: bool  # a closed or suspended shop, seen by its own staff


def shop_for_display(*, public_id: str, user) -> ShopPage:
    """The shop with `shop.village.path` set, for the breadcrumbs."""
    shop = (
        Shop.objects.select_related(f"village__{_ANCESTORS}", "credit")  # reviews' credit row
        .filter(public_id=public_id)
        .first()
    )
    if shop is None:
        raise NotFound(_("No such shop."), code="shop_not_found")
    _with_path(shop.village)
    if shop.status == ShopStatus.OPEN:
        return ShopPage(shop=shop, preview=False)
    if user_is_shop_staff(user=user, shop=shop):
        return ShopPage(shop=shop, preview=True)
    raise NotFound(_("No such shop."), code="shop_not_found")


def shop_products(*, shop: Shop, sort: str) -> QuerySet[Product]:
    # Not public_products(): staff previewing their closed shop still see its listings.
    products = Product.objects.filter(shop=shop, status=ProductStatus.ACTIVE)
    return for_cards(sort_products(products, sort))


def place_by_key(*, key: str) -> Place:
    """A place with `place.path` set (province first, the place last), in one query."""
    place = Place.objects.select_related(_ANCESTORS).filter(key=key).first()
    if place is None:
        raise NotFound(_("No such place."), code="place_not_found")
    return _with_path(place)


@dataclass
class MapLink:
    latitude: Decimal
    longitude: Decimal
    # The place whose coordinates these are: the place itself or its nearest ancestor.
    source: Place
    zoom: int

    @property
    def osm_url(self) -> str:
        lat, lon = f"{self.latitude:f}", f"{self.longitude:f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={self.zoom}/{lat}/{lon}"


# A zoom on openstreetmap.org that frames a place of each level.
_ZOOM = {Level.PROVINCE: 7, Level.CITY: 9, Level.COUNTY: 10, Level.TOWN: 12, Level.VILLAGE: 14}


def place_map(place: Place) -> MapLink | None:
    """A link to the place on OpenStreetMap, framed for the place the coordinates are of."""
    location = place_location(place)
    if location is None:
        return None
    source = next(
        p
        for p in reversed(place_path(place))
        if (p.latitude, p.longitude) == (location.latitude, location.longitude)
    )
    return MapLink(
        latitude=location.latitude,
        longitude=location.longitude,
        source=source,
        zoom=_ZOOM.get(source.level, 12),
    )


def villages_ranked(*, place: Place, limit: int = 50) -> QuerySet[Place]:
    """Villages below a town, county, city or province, those with most open shops first."""
    return _villages_by_open_shops(Shop.objects.filter(_through("village", under(place))), limit)


def village_shops(*, place: Place) -> QuerySet[Shop]:
    shops = Shop.objects.filter(village=place, status=ShopStatus.OPEN)
    return _with_product_counts(shops).order_by("-is_featured", "-product_count", "name")


def place_products(*, place: Place, sort: str) -> QuerySet[Product]:
    """Public products of the shops in a village, or in the villages below a place."""
    if place.level == Level.VILLAGE:
        products = public_products().filter(shop__village=place)
    else:
        products = public_products().filter(_through("shop__village", under(place)))
    return for_cards(sort_products(products, sort))
