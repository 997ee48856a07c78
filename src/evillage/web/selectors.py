"""Storefront reads about shops and places: the home page, shop pages, village pages."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from evillage.catalog.models import Product, ProductStatus
from evillage.catalog.selectors import for_cards, public_products, sort_products
from evillage.core.errors import NotFound
from evillage.places.models import Level, Place
from evillage.shops.models import Shop, ShopStatus
from evillage.shops.selectors import user_is_shop_staff

# The deepest chain above a village (province → city → county → town).
MAX_DEPTH = Level.VILLAGE - Level.PROVINCE
_ANCESTORS = "__".join(["parent"] * MAX_DEPTH)
OPEN_SHOPS = Q(shops__status=ShopStatus.OPEN)


def featured_villages(*, limit: int = 6) -> QuerySet[Place]:
    """Villages with the most open shops."""
    return (
        Place.objects.filter(level=Level.VILLAGE)
        .annotate(shop_count=Count("shops", filter=OPEN_SHOPS))
        .filter(shop_count__gt=0)
        .select_related("parent")
        .order_by("-shop_count", "name", "id")[:limit]
    )


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
    shop = Shop.objects.select_related(f"village__{_ANCESTORS}").filter(public_id=public_id).first()
    if shop is None:
        raise NotFound(_("No such shop."), code="shop_not_found")
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
    """A place with its whole chain of parents (one query)."""
    place = Place.objects.select_related(_ANCESTORS).filter(key=key).first()
    if place is None:
        raise NotFound(_("No such place."), code="place_not_found")
    return place


def place_ancestors(place: Place) -> list[Place]:
    """From the province down to the place's parent; uses the parents already loaded."""
    chain: list[Place] = []
    current = place
    while current.parent_id is not None and len(chain) < MAX_DEPTH:
        current = current.parent
        chain.append(current)
    return chain[::-1]


@dataclass
class Location:
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


def place_location(place: Place) -> Location | None:
    """The coordinates of the place, or of its nearest ancestor that has them."""
    for candidate in [place, *reversed(place_ancestors(place))]:
        if candidate.latitude is not None and candidate.longitude is not None:
            return Location(
                latitude=candidate.latitude,
                longitude=candidate.longitude,
                source=candidate,
                zoom=_ZOOM.get(candidate.level, 12),
            )
    return None


def _below(place: Place) -> Q:
    """Places anywhere below `place` (Indonesia skips the city level, so every depth
    down to the villages is tried)."""
    condition = Q(pk__in=[])
    for depth in range(1, Level.VILLAGE - place.level + 1):
        condition |= Q(**{"__".join(["parent"] * depth): place})
    return condition


def villages_ranked(*, place: Place, limit: int = 50) -> QuerySet[Place]:
    """Villages below a town, county, city or province, those with most open shops first."""
    # The parent joins are forward foreign keys, so they never duplicate a village.
    villages = Place.objects.filter(level=Level.VILLAGE).filter(_below(place))
    return (
        villages.annotate(shop_count=Count("shops", filter=OPEN_SHOPS))
        .filter(shop_count__gt=0)
        .select_related("parent")
        .order_by("-shop_count", "name", "id")[:limit]
    )


def village_shops(*, place: Place) -> QuerySet[Shop]:
    shops = Shop.objects.filter(village=place, status=ShopStatus.OPEN)
    return _with_product_counts(shops).order_by("-is_featured", "-product_count", "name")


def place_products(*, place: Place, sort: str) -> QuerySet[Product]:
    """Public products of the shops in a place (and in the places below it)."""
    villages = Place.objects.filter(_below(place) | Q(pk=place.pk)).values("pk")
    products = public_products().filter(shop__village__in=villages)
    return for_cards(sort_products(products, sort))
