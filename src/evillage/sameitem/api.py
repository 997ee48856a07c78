"""Identical products and photo rights over HTTP (mounted at /api/).

Public: a product's identical listings (/products/{id}/identical) and search by photo
(/identical/search, multipart). Signed in: a supplier's registered photos and their uses,
a shop's cases, appealing, and (operators) the desk and decisions.
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate

from evillage.accounts.api_auth import USER_AUTH
from evillage.accounts.models import Role
from evillage.catalog.models import Product
from evillage.catalog.selectors import product_visible_to
from evillage.core.api_schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    BoundedPageNumberPagination,
    ErrorOut,
)
from evillage.core.errors import NotFound, PermissionDenied
from evillage.core.images import decode_upload
from evillage.reviews.selectors import stored_credit
from evillage.sameitem import selectors, services
from evillage.sameitem.models import PhotoClaim, PhotoRightsCase
from evillage.shops.api import viewer
from evillage.shops.models import Shop, ShopKind
from evillage.shops.selectors import shop_for_staff

router = Router(tags=["identical products and photo rights"])
READS = frozenset({401, *READ_ERRORS})
SEARCH_LIMIT = 48

Sort = Literal["price_asc", "price_desc", "credit", "sales"]
SearchSort = Literal["match", "price_asc", "price_desc", "credit", "sales"]


class Ref(Schema):
    id: str
    name: str


class ListingOut(Schema):
    id: str
    title: str
    currency: str
    price_min: int | None = Field(description="Lowest variant price, minor units.")
    price_max: int | None
    sales_count: int
    shop: Ref
    credit_score: int | None = Field(description="The shop's seller credit; null: no reviews.")
    cover: str | None
    match_distance: int | None = Field(
        None, description="Search by photo: bits differing from the closest photo (0 = same)."
    )

    @staticmethod
    def resolve_id(obj: Product) -> str:
        return obj.public_id

    @staticmethod
    def resolve_shop(obj: Product) -> dict:
        return {"id": obj.shop.public_id, "name": obj.shop.name}

    @staticmethod
    def resolve_credit_score(obj: Product) -> int | None:
        credit = stored_credit(obj.shop)  # select_related by the selectors: no query
        return credit.score if credit else None

    @staticmethod
    def resolve_cover(obj: Product) -> str | None:
        covers = getattr(obj, "cover_photos", [])
        return covers[0].thumb.url if covers else None

    @staticmethod
    def resolve_match_distance(obj: Product) -> int | None:
        return getattr(obj, "match_distance", None)


class EventOut(Schema):
    at: datetime
    actor: str | None = Field(description="Public name; null: the platform.")
    action: str
    from_state: str
    to_state: str
    reason: str

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.public_name if obj.actor else None


class CaseOut(Schema):
    id: str
    state: str = Field(description="open, hidden, licensed, appeal_granted or withdrawn.")
    deadline: datetime | None = Field(description="Open cases: when the photo gets hidden.")
    shop: Ref
    supplier: Ref
    photo: str | None = Field(description="The shop's photo id; null once deleted.")
    product: str | None
    supplier_photo: str | None
    appeal_state: str = Field(description='"", pending, upheld or granted.')
    appeal_text: str
    created_at: datetime
    events: list[EventOut]

    @staticmethod
    def resolve_id(obj: PhotoRightsCase) -> str:
        return obj.public_id

    @staticmethod
    def resolve_shop(obj: PhotoRightsCase) -> dict:
        return {"id": obj.shop.public_id, "name": obj.shop.name}

    @staticmethod
    def resolve_supplier(obj: PhotoRightsCase) -> dict:
        return {"id": obj.supplier.public_id, "name": obj.supplier.name}

    @staticmethod
    def resolve_photo(obj: PhotoRightsCase) -> str | None:
        return obj.photo.public_id if obj.photo else None

    @staticmethod
    def resolve_product(obj: PhotoRightsCase) -> str | None:
        return obj.photo.product.public_id if obj.photo else None

    @staticmethod
    def resolve_supplier_photo(obj: PhotoRightsCase) -> str | None:
        return obj.claim.photo.public_id if obj.claim.photo else None

    @staticmethod
    def resolve_events(obj: PhotoRightsCase) -> list:
        return list(obj.events.all())


class UseOut(Schema):
    case: str
    shop: Ref
    product: str | None
    state: str

    @staticmethod
    def resolve_case(obj: PhotoRightsCase) -> str:
        return obj.public_id

    @staticmethod
    def resolve_shop(obj: PhotoRightsCase) -> dict:
        return {"id": obj.shop.public_id, "name": obj.shop.name}

    @staticmethod
    def resolve_product(obj: PhotoRightsCase) -> str | None:
        return obj.photo.product.public_id if obj.photo else None


class ClaimOut(Schema):
    id: str
    photo: str | None = Field(description="The supplier's photo id; null once deleted.")
    product: str | None
    registered_at: datetime
    uses: list[UseOut] = Field(description="Other shops' matching photos, licensed or not.")

    @staticmethod
    def resolve_id(obj: PhotoClaim) -> str:
        return obj.public_id

    @staticmethod
    def resolve_photo(obj: PhotoClaim) -> str | None:
        return obj.photo.public_id if obj.photo else None

    @staticmethod
    def resolve_product(obj: PhotoClaim) -> str | None:
        return obj.photo.product.public_id if obj.photo else None

    @staticmethod
    def resolve_uses(obj: PhotoClaim) -> list:
        return obj.uses


class AppealIn(Schema):
    text: str = Field(description="Why the shop may use the photo (10 to 1000 characters).")


class DecisionIn(Schema):
    decision: Literal["uphold", "grant"]
    reason: str = Field("", max_length=500)


def _staff_shop(request: HttpRequest, shop_id: str) -> Shop:
    shop = shop_for_staff(user=request.auth, public_id=shop_id)
    if shop is None:
        raise NotFound(_("Shop not found."), code="shop_not_found")
    return shop


def _case(request: HttpRequest, case_id: str) -> PhotoRightsCase:
    case = selectors.case_visible_to(user=request.auth, public_id=case_id)
    if case is None:
        raise NotFound(_("Case not found."), code="case_not_found")
    return case


def _fresh(case: PhotoRightsCase) -> PhotoRightsCase:
    return selectors.case_by_public_id(public_id=case.public_id)


@router.get(
    "/products/{product_id}/identical", response={200: list[ListingOut], READ_ERRORS: ErrorOut}
)
@paginate(BoundedPageNumberPagination, page_size=20)
def identical_list(request, product_id: str, sort: Sort = "price_asc"):
    """Other shops' public listings of the same item (a photo of theirs matches one of the
    product's), sorted by price, seller credit or sales."""
    product = product_visible_to(user=viewer(request), public_id=product_id)
    if product is None:
        raise NotFound(_("Product not found."), code="product_not_found")
    return selectors.identical_listings(product=product, sort=sort)


@router.post("/identical/search", response={200: list[ListingOut], WRITE_ERRORS: ErrorOut})
def identical_search(request, photo: File[UploadedFile], sort: Query[SearchSort] = "match"):
    """Listings showing the item in the photo (multipart field `photo`; JPEG, PNG, WebP or
    GIF, checked like product photos and not stored), closest first, at most 48."""
    image = decode_upload(photo)
    return list(selectors.listings_like_image(image=image, sort=sort)[:SEARCH_LIMIT])


@router.get(
    "/shops/{shop_id}/photo-claims",
    response={200: list[ClaimOut], READS: ErrorOut},
    auth=USER_AUTH,
)
@paginate(BoundedPageNumberPagination, page_size=20)
def supplier_claims(request, shop_id: str):
    """A supplier's registered photos, newest first, with the shops using each."""
    shop = _staff_shop(request, shop_id)
    if shop.kind != ShopKind.SUPPLIER:
        raise NotFound(_("Only suppliers register photos."), code="not_a_supplier")
    return selectors.supplier_claims(supplier=shop)


@router.get(
    "/shops/{shop_id}/photo-rights/cases",
    response={200: list[CaseOut], READS: ErrorOut},
    auth=USER_AUTH,
)
@paginate(BoundedPageNumberPagination, page_size=20)
def shop_cases(request, shop_id: str, active: bool = False):
    """Cases about the shop's photos (licensed uses left out), those needing attention
    first; `active`: only open and hidden ones."""
    shop = _staff_shop(request, shop_id)
    return selectors.shop_cases(shop=shop, active_only=active)


@router.get(
    "/photo-rights/cases/{case_id}", response={200: CaseOut, READS: ErrorOut}, auth=USER_AUTH
)
def case_get(request, case_id: str):
    """A case, for its shop's and its supplier's staff, and operators."""
    return _case(request, case_id)


@router.post(
    "/photo-rights/cases/{case_id}/appeal",
    response={200: CaseOut, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def case_appeal(request, case_id: str, payload: AppealIn):
    """The shop's owner contests the case, once (while open or hidden). Errors:
    `appeal_length`, `appeal_exists`, `case_closed`, `owner_only`."""
    case = _case(request, case_id)
    services.case_appeal(case=case, actor=request.auth, text=payload.text)
    return _fresh(case)


@router.post(
    "/photo-rights/cases/{case_id}/decision",
    response={200: CaseOut, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def case_decision(request, case_id: str, payload: DecisionIn):
    """Operators: `uphold` keeps the photo hidden (hides it if still open); `grant` shows
    it again and closes the case. Errors: `operators_only`, `no_pending_appeal`,
    `case_closed`."""
    case = _case(request, case_id)
    services.case_decide(
        case=case, actor=request.auth, decision=payload.decision, reason=payload.reason
    )
    return _fresh(case)


@router.get("/photo-rights/desk", response={200: list[CaseOut], READS: ErrorOut}, auth=USER_AUTH)
@paginate(BoundedPageNumberPagination, page_size=20)
def desk(request, show: Literal["appeals", "open", "hidden", "all"] = "appeals"):
    """Operators: appeals waiting (oldest first), or cases by state."""
    if not request.auth.has_role(Role.OPERATOR):
        raise PermissionDenied(_("Only operators see the desk."), code="operators_only")
    return selectors.desk_cases(which=show)
