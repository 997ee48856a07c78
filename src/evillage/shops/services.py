"""Writes for shops and their staff.

Decisions:
- Only a person whose identity an operator verified may open a shop; one person may
  own several shops (a C2C shop and a B2B supplier shop, say).
- A supplier (B2B) shop needs the supplier role, which an operator grants after
  checking the business (a workshop or factory). Opening a supplier shop does not
  grant it: wholesale buyers rely on that check, and a role is the accounts app's
  to give.
- The shop's currency follows the village's country (China: CNY, Indonesia: IDR)
  and never changes, so the village cannot be changed after opening either.
- Names are unique regardless of case (also enforced by a database constraint).
"""

import functools

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from evillage.accounts.models import Role, User
from evillage.accounts.selectors import user_find_by_login, user_is_verified
from evillage.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from evillage.core.ids import new_public_id
from evillage.core.images import process_logo
from evillage.core.money import format_money
from evillage.places.models import Country, Level, Place
from evillage.shops.models import Shop, ShopKind, ShopStaff, ShopStatus, StaffRole
from evillage.shops.selectors import shop_name_is_taken, shop_staff_role

CURRENCY_OF_COUNTRY = {Country.CHINA: "CNY", Country.INDONESIA: "IDR"}
NAME_MIN, NAME_MAX = 2, 60
DESCRIPTION_MAX = 2000
MAX_STAFF = 20


def _name_taken() -> Conflict:
    return Conflict(
        _("Another shop already has this name. Choose a different one."),
        code="shop_name_taken",
        field="name",
    )


def _clean_name(name: str, *, shop: Shop | None = None) -> str:
    name = " ".join((name or "").split())
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise ValidationFailed(
            _("The shop name must be %(min)d to %(max)d characters long.")
            % {"min": NAME_MIN, "max": NAME_MAX},
            code="bad_shop_name",
            field="name",
        )
    if shop_name_is_taken(name=name, exclude=shop):
        raise _name_taken()
    return name


def clean_description(description: str, *, max_length: int = DESCRIPTION_MAX) -> str:
    """Trimmed; at most `max_length` characters (catalog uses it for products too)."""
    description = (description or "").strip()
    if len(description) > max_length:
        raise ValidationFailed(
            _("The description may be at most %(max)d characters long.") % {"max": max_length},
            code="description_too_long",
            field="description",
        )
    return description


def _logo_file(upload):
    try:
        return process_logo(upload)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code=exc.code, field="logo") from None


def _clean_shipping_fee(fee: int, currency: str) -> int:
    # A fee above a typical parcel's worth is a typo (fen entered as yuan), not a price.
    limit = 100_000 if currency == "CNY" else 50_000_000
    if type(fee) is not int or not 0 <= fee <= limit:
        raise ValidationFailed(
            _("Enter a shipping fee from 0 to %(limit)s.")
            % {"limit": format_money(limit, currency)},
            code="bad_shipping_fee",
            field="shipping_fee",
        )
    return fee


def _require_owner(actor: User, shop: Shop) -> None:
    role = shop_staff_role(actor, shop)
    if role is None:
        raise NotFound(_("Shop not found."), code="not_found")
    if role != StaffRole.OWNER:
        raise PermissionDenied(_("Only the shop owner can do this."), code="owner_only")


def _require_not_suspended(shop: Shop) -> None:
    """A suspended shop is frozen until an operator reinstates it (read fresh: the
    `shop` object may predate the suspension)."""
    if Shop.objects.filter(pk=shop.pk, status=ShopStatus.SUSPENDED).exists():
        raise _suspended()


def require_operator(actor: User) -> None:
    """Platform staff only (catalog uses it for bans too)."""
    if not (actor.is_authenticated and (actor.is_staff or actor.has_role(Role.OPERATOR))):
        raise PermissionDenied(_("Only platform operators can do this."), code="operator_only")


def _save_or_conflict(shop: Shop, **kwargs) -> None:
    """Save; a name taken by a concurrent request still ends as shop_name_taken."""
    try:
        with transaction.atomic():
            shop.save(**kwargs)
    except IntegrityError:
        raise _name_taken() from None


def shop_open(
    *,
    owner: User,
    name: str,
    kind: str,
    village: Place,
    description: str = "",
    logo=None,
) -> Shop:
    if not user_is_verified(user=owner):
        raise PermissionDenied(
            _("Verify your identity before opening a shop."), code="verification_required"
        )
    if kind not in ShopKind.values:
        raise ValidationFailed(_("Choose a kind of shop."), code="bad_kind", field="kind")
    if kind == ShopKind.SUPPLIER and not owner.has_role(Role.SUPPLIER):
        raise PermissionDenied(
            _("Supplier shops need the supplier role; ask an operator to check your business."),
            code="supplier_role_required",
            field="kind",
        )
    if village is None or village.level != Level.VILLAGE:
        raise ValidationFailed(
            _("Choose the village where the shop is."), code="village_required", field="village"
        )
    currency = CURRENCY_OF_COUNTRY.get(village.country)
    if currency is None:
        raise ValidationFailed(
            _("Shops cannot open in this country yet."), code="country_unsupported", field="village"
        )
    shop = Shop(
        public_id=new_public_id(),
        owner=owner,
        name=_clean_name(name),
        kind=kind,
        village=village,
        currency=currency,
        description=clean_description(description),
    )
    logo_content = _logo_file(logo) if logo else None
    try:
        with transaction.atomic():
            if logo_content is not None:
                shop.logo.save(f"{shop.public_id}.jpg", logo_content, save=False)
            _save_or_conflict(shop)
            ShopStaff.objects.create(shop=shop, user=owner, role=StaffRole.OWNER)
    except BaseException:
        if shop.logo:
            default_storage.delete(shop.logo.name)
        raise
    return shop


def shop_update(
    *,
    shop: Shop,
    actor: User,
    name: str | None = None,
    description: str | None = None,
    logo=None,
    remove_logo: bool = False,
    shipping_fee: int | None = None,
) -> Shop:
    """Change the given fields; None leaves a field as it is.

    `shipping_fee` is the flat fee per order in minor units (0 = free shipping).
    """
    _require_owner(actor, shop)
    _require_not_suspended(shop)
    changes: dict = {}
    if shipping_fee is not None:
        changes["shipping_fee"] = _clean_shipping_fee(shipping_fee, shop.currency)
    if name is not None:
        changes["name"] = _clean_name(name, shop=shop)
    if description is not None:
        changes["description"] = clean_description(description)
    logo_content = _logo_file(logo) if logo else None
    old_logo = shop.logo.name if shop.logo else ""
    for field, value in changes.items():
        setattr(shop, field, value)
    fields = list(changes)
    if logo_content is not None:
        shop.logo.save(f"{shop.public_id}-{new_public_id()[:6]}.jpg", logo_content, save=False)
        fields.append("logo")
    elif remove_logo and old_logo:
        shop.logo = ""
        fields.append("logo")
    if not fields:
        return shop
    try:
        _save_or_conflict(shop, update_fields=fields)
    except BaseException:
        if logo_content is not None and shop.logo:
            default_storage.delete(shop.logo.name)
        shop.refresh_from_db()
        raise
    if "logo" in fields and old_logo:
        transaction.on_commit(functools.partial(default_storage.delete, old_logo))
    return shop


def _suspended() -> Conflict:
    return Conflict(
        _("An operator suspended this shop; only an operator can reinstate it."),
        code="shop_suspended",
    )


def _set_status(shop: Shop, status: str, *, allowed_from: set[str]) -> bool:
    """Move the shop to `status` only if its row is still in one of `allowed_from`.

    One conditional UPDATE decides, not the status of the (possibly stale) `shop`
    object: an owner closing a shop an operator has just suspended must not lift the
    suspension. Returns whether the row changed; `shop` is refreshed either way.
    """
    changed = Shop.objects.filter(pk=shop.pk, status__in=allowed_from).update(status=status)
    shop.refresh_from_db(fields=["status"])
    return bool(changed)


def shop_close(*, shop: Shop, actor: User) -> Shop:
    """The owner closes the shop: it and its products leave the storefront."""
    _require_owner(actor, shop)
    if not _set_status(shop, ShopStatus.CLOSED, allowed_from={ShopStatus.OPEN, ShopStatus.CLOSED}):
        raise _suspended()
    return shop


def shop_reopen(*, shop: Shop, actor: User) -> Shop:
    _require_owner(actor, shop)
    if not _set_status(shop, ShopStatus.OPEN, allowed_from={ShopStatus.CLOSED, ShopStatus.OPEN}):
        raise _suspended()
    return shop


def shop_suspend(*, shop: Shop, actor: User) -> Shop:
    require_operator(actor)
    _set_status(shop, ShopStatus.SUSPENDED, allowed_from=set(ShopStatus.values))
    return shop


def shop_reinstate(*, shop: Shop, actor: User) -> Shop:
    """Lift a suspension; a shop that is not suspended stays as it is."""
    require_operator(actor)
    _set_status(shop, ShopStatus.OPEN, allowed_from={ShopStatus.SUSPENDED})
    return shop


def shop_set_featured(*, shop: Shop, actor: User, featured: bool) -> Shop:
    require_operator(actor)
    Shop.objects.filter(pk=shop.pk).update(is_featured=featured)
    shop.refresh_from_db()
    return shop


def _already_staff() -> Conflict:
    return Conflict(_("This person is already on the staff."), code="already_staff", field="login")


def staff_add(*, shop: Shop, actor: User, login: str, role: str) -> ShopStaff:
    """Add someone who already has an account (found by phone or email) to the staff."""
    _require_owner(actor, shop)
    if role not in StaffRole.values or role == StaffRole.OWNER:
        raise ValidationFailed(
            _("A shop has one owner; add staff as customer service."), code="bad_role", field="role"
        )
    user = user_find_by_login(login=login or "")
    if user is None or not user.is_active:
        raise NotFound(
            _("No one has an account with this phone number or email."),
            code="user_not_found",
            field="login",
        )
    with transaction.atomic():
        # The shop row lock serialises concurrent adds, so the count below stays true.
        locked = Shop.objects.select_for_update().get(pk=shop.pk)
        if locked.status == ShopStatus.SUSPENDED:
            raise _suspended()
        if locked.staff.filter(user=user).exists():
            raise _already_staff()
        if locked.staff.count() >= MAX_STAFF:
            raise Conflict(
                _("A shop can have at most %(max)d staff.") % {"max": MAX_STAFF},
                code="too_many_staff",
            )
        try:
            with transaction.atomic():
                return ShopStaff.objects.create(shop=locked, user=user, role=role)
        except IntegrityError:  # databases without row locks (SQLite) may still race here
            raise _already_staff() from None


def staff_remove(*, shop: Shop, actor: User, user: User) -> None:
    """The owner removes a staff member, or a staff member leaves; the owner stays."""
    if actor.pk != user.pk:
        _require_owner(actor, shop)
    membership = shop.staff.filter(user=user).first()
    if membership is None:
        raise NotFound(_("This person is not on the staff."), code="not_staff")
    if membership.role == StaffRole.OWNER:
        raise Conflict(_("The owner cannot be removed."), code="cannot_remove_owner")
    membership.delete()
