"""Reads: identical listings of a product, listings matching a buyer's photo, a
supplier's photos and who uses them, a shop's photo-rights cases, the operators' desk.

Identical listings are the direct matches of a product: another listing is identical when
one of its photos matches one of the product's (the fingerprint's distance threshold).
Matches are not followed transitively: a chain of look-alikes must not merge different
goods. Everything the index returns is resolved against the database, so a listing that
was delisted, banned or whose photo was hidden a moment ago never shows.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from PIL import Image

from evillage.accounts.models import Role, User
from evillage.catalog.models import Product, ProductPhoto
from evillage.catalog.selectors import for_cards, public_products
from evillage.sameitem import shared_index
from evillage.sameitem.fingerprint import query_fingerprints
from evillage.sameitem.models import (
    ACTIVE_STATES,
    AppealState,
    CaseState,
    PhotoClaim,
    PhotoFingerprint,
    PhotoRightsCase,
    PhotoRightsEvent,
)
from evillage.shops.models import Shop
from evillage.shops.selectors import staff_shop_ids

# Enough for any real group; the closest first when there are more.
MAX_MATCHES = 2000
DEFAULT_SORT = "price_asc"
SORTS = {
    "price_asc": (F("price_min").asc(nulls_last=True), "id"),
    "price_desc": (F("price_min").desc(nulls_last=True), "-id"),
    "credit": (F("shop__credit__score").desc(nulls_last=True), "-sales_count", "id"),
    "sales": ("-sales_count", F("price_min").asc(nulls_last=True), "id"),
}
SORT_CHOICES = [
    ("price_asc", _("Price: low to high")),
    ("price_desc", _("Price: high to low")),
    ("credit", _("Seller credit")),
    ("sales", _("Best selling")),
]
# Photo search results come closest first unless another sort is asked for.
MATCH_SORT = "match"


def normalize_sort(value: str | None, *, allow_match: bool = False) -> str:
    if allow_match and value in (None, "", MATCH_SORT):
        return MATCH_SORT
    return value if value in SORTS else DEFAULT_SORT


def _visible_photo_products(photo_ids: list[int]) -> QuerySet[ProductPhoto]:
    return ProductPhoto.objects.filter(pk__in=photo_ids, hidden_at=None)


def _product_prints(product: Product) -> list[int]:
    return list(
        PhotoFingerprint.objects.filter(
            photo__product=product, photo__hidden_at=None, for_query=True
        ).values_list("value", flat=True)
    )


def identical_listings(*, product: Product, sort: str = DEFAULT_SORT) -> QuerySet[Product]:
    """Public listings of other shops with a photo matching one of the product's visible
    photos, ready for product cards, in the given sort."""
    values = _product_prints(product)
    if not values:
        return Product.objects.none()
    own = list(product.photos.values_list("pk", flat=True))
    matches = shared_index.query(values, exclude=own)[:MAX_MATCHES]
    if not matches:
        return Product.objects.none()
    product_ids = _visible_photo_products([photo_id for photo_id, _d in matches]).values(
        "product_id"
    )
    listings = public_products().filter(pk__in=product_ids).exclude(shop_id=product.shop_id)
    return for_cards(listings).order_by(*SORTS[normalize_sort(sort)])


def identical_shop_count(*, product: Product) -> int:
    """How many other shops sell this (the product page's "N other shops sell this")."""
    listings = identical_listings(product=product).order_by()
    return listings.values("shop_id").distinct().count()


def listings_like_image(*, image: Image.Image, sort: str = MATCH_SORT) -> QuerySet[Product]:
    """Public listings with a photo matching the picture, closest first (or sorted);
    each carries `match_distance`."""
    matches = shared_index.query(query_fingerprints(image))[:MAX_MATCHES]
    if not matches:
        return Product.objects.none()
    distance = dict(matches)
    best: dict[int, int] = {}
    photos = _visible_photo_products(list(distance)).values_list("pk", "product_id")
    for photo_id, product_id in photos:
        best[product_id] = min(best.get(product_id, 64), distance[photo_id])
    if not best:
        return Product.objects.none()
    listings = for_cards(public_products().filter(pk__in=list(best))).annotate(
        match_distance=Case(
            *(When(pk=pk, then=Value(d)) for pk, d in best.items()),
            output_field=IntegerField(),
        )
    )
    if normalize_sort(sort, allow_match=True) == MATCH_SORT:
        return listings.order_by("match_distance", "-sales_count", "id")
    return listings.order_by(*SORTS[normalize_sort(sort)])


# Photo rights -----------------------------------------------------------------------------


def _case_details(cases: QuerySet[PhotoRightsCase]) -> QuerySet[PhotoRightsCase]:
    return cases.select_related(
        "photo__product", "claim__photo__product", "supplier", "shop", "decided_by"
    ).prefetch_related(
        Prefetch("events", queryset=PhotoRightsEvent.objects.select_related("actor"))
    )


def shop_cases(*, shop: Shop, active_only: bool = False) -> QuerySet[PhotoRightsCase]:
    """Cases about the shop's photos: those needing attention first, by deadline."""
    cases = PhotoRightsCase.objects.filter(shop=shop).exclude(state=CaseState.LICENSED)
    if active_only:
        cases = cases.filter(state__in=ACTIVE_STATES)
    attention = Case(
        When(state=CaseState.OPEN, then=Value(0)),
        When(state=CaseState.HIDDEN, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return _case_details(cases).order_by(
        attention, F("deadline").asc(nulls_last=True), "-created_at", "-id"
    )


def shop_active_case_count(*, shop: Shop) -> int:
    return PhotoRightsCase.objects.filter(shop=shop, state__in=ACTIVE_STATES).count()


def supplier_claims(*, supplier: Shop) -> QuerySet[PhotoClaim]:
    """The supplier's registered photos, newest first, each with its uses by other shops
    (licensed or not) in `claim.uses`."""
    uses = PhotoRightsCase.objects.select_related("shop", "photo__product").order_by(
        "shop__name", "id"
    )
    return (
        PhotoClaim.objects.filter(supplier=supplier)
        .select_related("photo__product")
        .prefetch_related(Prefetch("cases", queryset=uses, to_attr="uses"))
        .order_by("-registered_at", "-id")
    )


def supplier_cases(*, supplier: Shop) -> QuerySet[PhotoRightsCase]:
    return _case_details(PhotoRightsCase.objects.filter(supplier=supplier)).order_by(
        "-created_at", "-id"
    )


DESK_FILTERS = ("appeals", "open", "hidden", "all")


def desk_cases(*, which: str = "appeals") -> QuerySet[PhotoRightsCase]:
    """The operators' desk: appeals waiting, oldest first; or cases by state."""
    cases = PhotoRightsCase.objects.all()
    if which == "appeals":
        cases = cases.filter(appeal_state=AppealState.PENDING).order_by("appealed_at", "id")
    elif which == "open":
        cases = cases.filter(state=CaseState.OPEN).order_by("deadline", "id")
    elif which == "hidden":
        cases = cases.filter(state=CaseState.HIDDEN).order_by("-updated_at", "-id")
    else:
        cases = cases.order_by("-created_at", "-id")
    return _case_details(cases)


def case_by_public_id(*, public_id: str) -> PhotoRightsCase | None:
    return _case_details(PhotoRightsCase.objects.filter(public_id=public_id)).first()


def case_visible_to(*, user: User | AnonymousUser, public_id: str) -> PhotoRightsCase | None:
    """The case if the user works for its shop or its supplier, or is an operator."""
    if not user.is_authenticated:
        return None
    case = case_by_public_id(public_id=public_id)
    if case is None:
        return None
    if {case.shop_id, case.supplier_id} & staff_shop_ids(user=user) or user.has_role(Role.OPERATOR):
        return case
    return None
