"""Reads for shops and who may do what in them.

Permissions, decided here once for pages, API and services alike:
- the owner manages everything: settings, staff, products, prices, stock, photos;
- customer service sees the shop's seller pages (products, stock) to answer buyers,
  but changes nothing: prices, stock and listings move money and are the owner's call;
- everyone else sees only what the public storefront shows.
"""

from django.db.models import QuerySet

from evillage.accounts.models import User
from evillage.shops.models import Shop, ShopStaff, ShopStatus, StaffRole


def shop_staff_role(user: User, shop: Shop) -> str | None:
    """The user's role in the shop ("owner", "customer_service") or None."""
    if not user.is_authenticated:
        return None
    return ShopStaff.objects.filter(shop=shop, user=user).values_list("role", flat=True).first()


def user_is_shop_staff(*, user: User, shop: Shop) -> bool:
    return shop_staff_role(user, shop) is not None


def staff_shop_ids(*, user: User) -> frozenset[int]:
    """Ids of the shops the user works in, in one query (for checks over many orders)."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(ShopStaff.objects.filter(user=user).values_list("shop_id", flat=True))


def user_can_manage_shop(*, user: User, shop: Shop) -> bool:
    """Settings, staff, closing and reopening: the owner only."""
    return shop_staff_role(user, shop) == StaffRole.OWNER


def user_can_manage_products(*, user: User, shop: Shop) -> bool:
    """Creating and editing products, prices, stock and photos: the owner only."""
    return shop_staff_role(user, shop) == StaffRole.OWNER


def shops_of_user(*, user: User) -> QuerySet[Shop]:
    """Shops the user owns or works in, oldest first."""
    if not user.is_authenticated:
        return Shop.objects.none()
    return (
        Shop.objects.filter(staff__user=user)
        .select_related("village")
        .order_by("created_at", "id")
        .distinct()
    )


def shop_for_staff(*, user: User, public_id: str) -> Shop | None:
    """The shop if the user is on its staff; None otherwise (pages answer 404)."""
    return shops_of_user(user=user).filter(public_id=public_id).first()


def shop_staff_list(*, shop: Shop) -> QuerySet[ShopStaff]:
    return shop.staff.select_related("user").order_by("added_at", "id")


def shop_list_public(*, village_key: str | None = None) -> QuerySet[Shop]:
    shops = Shop.objects.filter(status=ShopStatus.OPEN).select_related("village")
    if village_key:
        shops = shops.filter(village__key=village_key)
    return shops.order_by("-is_featured", "-created_at", "-id")


def shop_name_is_taken(*, name: str, exclude: Shop | None = None) -> bool:
    shops = Shop.objects.filter(name__iexact=name.strip())
    if exclude is not None:
        shops = shops.exclude(pk=exclude.pk)
    return shops.exists()


def shop_member(*, shop: Shop, user_public_id: str) -> ShopStaff | None:
    return shop.staff.select_related("user").filter(user__public_id=user_public_id).first()


def shop_by_public_id(*, public_id: str) -> Shop | None:
    return Shop.objects.select_related("village").filter(public_id=public_id).first()
