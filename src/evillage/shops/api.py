"""Shops API: public reads of open shops; the owner opens, edits and manages staff."""

from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from evillage.accounts.api_auth import USER_AUTH, TokenAuth
from evillage.core.api_schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    BoundedPageNumberPagination,
    ErrorOut,
)
from evillage.core.errors import NotFound, ValidationFailed
from evillage.places.models import Place
from evillage.shops import selectors, services
from evillage.shops.models import Shop, ShopStatus, StaffRole

router = Router(tags=["shops"])


def viewer(request: HttpRequest):
    """Who is asking, on a public read: the token's user, the session's, or anonymous."""
    return TokenAuth()(request) or request.user


class PlaceRef(Schema):
    key: str
    name: str


class ShopOut(Schema):
    id: str
    name: str
    kind: str
    description: str
    status: str
    is_featured: bool
    currency: str
    logo: str | None
    village: PlaceRef
    created_at: datetime

    @staticmethod
    def resolve_id(obj: Shop) -> str:
        return obj.public_id

    @staticmethod
    def resolve_logo(obj: Shop) -> str | None:
        return obj.logo.url if obj.logo else None


class ShopIn(Schema):
    name: str
    kind: str
    village: str
    description: str = ""


class ShopPatch(Schema):
    name: str | None = None
    description: str | None = None
    status: str | None = None


class UserRef(Schema):
    id: str
    name: str


class StaffOut(Schema):
    user: UserRef
    role: str
    added_at: datetime

    @staticmethod
    def resolve_user(obj) -> dict:
        return {"id": obj.user.public_id, "name": obj.user.public_name}


class StaffIn(Schema):
    login: str
    role: str = StaffRole.CUSTOMER_SERVICE


def _village(key: str) -> Place:
    place = Place.objects.filter(key=key).first()
    if place is None:
        raise ValidationFailed(_("Unknown place key."), code="unknown_place", field="village")
    return place


def _visible_shop(request, shop_id: str) -> Shop:
    shop = selectors.shop_by_public_id(public_id=shop_id)
    if shop is None or (
        shop.status != ShopStatus.OPEN and not selectors.shop_staff_role(viewer(request), shop)
    ):
        raise NotFound(_("Shop not found."))
    return shop


def _staff_shop(request, shop_id: str) -> Shop:
    shop = selectors.shop_by_public_id(public_id=shop_id)
    if shop is None or not selectors.shop_staff_role(request.auth, shop):
        raise NotFound(_("Shop not found."))
    return shop


@router.get("", response={200: list[ShopOut], READ_ERRORS: ErrorOut})
@paginate(BoundedPageNumberPagination, page_size=20)
def list_shops(request, village: str | None = None):
    """Open shops, featured first; `village` filters by a village's place key."""
    return selectors.shop_list_public(village_key=village)


@router.get("/mine", response={200: list[ShopOut], 401: ErrorOut}, auth=USER_AUTH)
def my_shops(request):
    """Shops the signed-in user owns or works in, whatever their status."""
    return list(selectors.shops_of_user(user=request.auth))


@router.get("/{shop_id}", response={200: ShopOut, READ_ERRORS: ErrorOut})
def get_shop(request, shop_id: str):
    return _visible_shop(request, shop_id)


@router.post("", response={201: ShopOut, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH)
def open_shop(request, payload: ShopIn):
    shop = services.shop_open(
        owner=request.auth,
        name=payload.name,
        kind=payload.kind,
        village=_village(payload.village),
        description=payload.description,
    )
    return Status(201, shop)


@router.patch("/{shop_id}", response={200: ShopOut, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH)
def update_shop(request, shop_id: str, payload: ShopPatch):
    """Change name and description; `status` "closed" closes the shop, "open" reopens it."""
    shop = _staff_shop(request, shop_id)
    change_status = {"open": services.shop_reopen, "closed": services.shop_close}
    with transaction.atomic():
        # The service checks the owner first: customer service gets 403, whatever it sent.
        services.shop_update(
            shop=shop, actor=request.auth, name=payload.name, description=payload.description
        )
        if payload.status is not None:
            if payload.status not in change_status:
                raise ValidationFailed(
                    _("Status must be “open” or “closed”."), code="bad_status", field="status"
                )
            change_status[payload.status](shop=shop, actor=request.auth)
    return shop


@router.post("/{shop_id}/logo", response={200: ShopOut, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH)
def upload_logo(request, shop_id: str, logo: File[UploadedFile]):
    shop = _staff_shop(request, shop_id)
    return services.shop_update(shop=shop, actor=request.auth, logo=logo)


@router.get(
    "/{shop_id}/staff", response={200: list[StaffOut], WRITE_ERRORS: ErrorOut}, auth=USER_AUTH
)
def list_staff(request, shop_id: str):
    """The shop's staff; visible to its staff only."""
    return list(selectors.shop_staff_list(shop=_staff_shop(request, shop_id)))


@router.post("/{shop_id}/staff", response={201: StaffOut, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH)
def add_staff(request, shop_id: str, payload: StaffIn):
    shop = _staff_shop(request, shop_id)
    member = services.staff_add(
        shop=shop, actor=request.auth, login=payload.login, role=payload.role
    )
    return Status(201, member)


@router.delete(
    "/{shop_id}/staff/{user_id}", response={204: None, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH
)
def remove_staff(request, shop_id: str, user_id: str):
    shop = _staff_shop(request, shop_id)
    member = selectors.shop_member(shop=shop, user_public_id=user_id)
    if member is None:
        raise NotFound(_("This person is not on the staff."), code="not_staff")
    services.staff_remove(shop=shop, actor=request.auth, user=member.user)
    return Status(204, None)
