"""Products: create, edit, status (seller) and bans (operator)."""

from django.db import transaction
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.catalog.models import Category, Product, ProductStatus, Sku
from evillage.catalog.services._rules import (
    BAN_REASON_MAX,
    BAN_REASON_MIN,
    DESCRIPTION_MAX,
    MAX_SKUS,
    SELLER_TRANSITIONS,
    SkuInput,
    clean_category,
    clean_sku,
    clean_title,
    label_taken,
    lock,
    require_product_manager,
    sync_prices,
    too_many_skus,
)
from evillage.core.errors import Conflict, ValidationFailed
from evillage.shops.models import Shop, ShopStatus
from evillage.shops.services import clean_description, require_operator


def product_create(
    *,
    shop: Shop,
    actor: User,
    category: Category,
    title: str,
    description: str = "",
    skus: list[SkuInput],
) -> Product:
    """A new draft listing with its variants; put it on sale with product_set_status."""
    require_product_manager(actor, shop)
    title = clean_title(title)
    description = clean_description(description, max_length=DESCRIPTION_MAX)
    category = clean_category(category)
    if not skus:
        raise ValidationFailed(
            _("Add at least one variant with a price."), code="sku_required", field="skus"
        )
    if len(skus) > MAX_SKUS:
        raise too_many_skus()
    cleaned, seen = [], set()
    for index, sku in enumerate(skus):
        try:
            row = clean_sku(shop.currency, sku)
            if row["label"].casefold() in seen:
                raise label_taken()
        except ValidationFailed as exc:
            exc.details = {**exc.details, "sku": index}  # which row, for forms and clients
            raise
        seen.add(row["label"].casefold())
        cleaned.append(row)
    with transaction.atomic():
        product = Product.objects.create(
            shop=shop,
            category=category,
            title=title,
            description=description,
            currency=shop.currency,
            status=ProductStatus.DRAFT,
        )
        Sku.objects.bulk_create(
            Sku(product=product, position=position, **row) for position, row in enumerate(cleaned)
        )
        sync_prices(product)
    return product


def product_update(
    *,
    product: Product,
    actor: User,
    title: str | None = None,
    description: str | None = None,
    category: Category | None = None,
) -> Product:
    """Change the given fields; None leaves a field as it is."""
    require_product_manager(actor, product.shop)
    changes = {}
    if title is not None:
        changes["title"] = clean_title(title)
    if description is not None:
        changes["description"] = clean_description(description, max_length=DESCRIPTION_MAX)
    if category is not None:
        changes["category"] = clean_category(category)
    if changes:
        with transaction.atomic():
            locked = lock(product)
            for name, value in changes.items():
                setattr(locked, name, value)
            locked.save(update_fields=[*changes, "updated_at"])
        product.refresh_from_db()
    return product


def _check_can_go_on_sale(product: Product) -> None:
    if product.shop.status != ShopStatus.OPEN:
        raise Conflict(_("Reopen the shop before putting products on sale."), code="shop_not_open")
    if not product.skus.filter(is_active=True).exists():
        raise ValidationFailed(
            _("Add at least one active variant before putting the product on sale."),
            code="sku_required",
        )
    if not product.photos.exists():
        raise ValidationFailed(
            _("Add at least one photo before putting the product on sale."),
            code="photo_required",
        )


def product_set_status(*, product: Product, actor: User, status: str) -> Product:
    """Seller moves: draft → on sale → delisted/draft → on sale again."""
    require_product_manager(actor, product.shop)
    with transaction.atomic():
        locked = lock(product)
        if locked.status == ProductStatus.BANNED:
            raise Conflict(
                _("An operator banned this product: %(reason)s") % {"reason": locked.ban_reason},
                code="product_banned",
            )
        if status == locked.status:
            return product
        if status not in SELLER_TRANSITIONS.get(locked.status, set()):
            raise ValidationFailed(
                _("A product cannot go from “%(old)s” to “%(new)s”.")
                % {
                    "old": locked.get_status_display(),
                    # An unknown value (from the API) is shown as typed.
                    "new": ProductStatus(status).label
                    if status in ProductStatus.values
                    else status,
                },
                code="bad_status",
                field="status",
            )
        if status == ProductStatus.ACTIVE:
            _check_can_go_on_sale(locked)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
    product.refresh_from_db()
    return product


def product_ban(*, product: Product, actor: User, reason: str) -> Product:
    """An operator takes a listing down; the seller cannot relist it."""
    require_operator(actor)
    reason = (reason or "").strip()
    if not BAN_REASON_MIN <= len(reason) <= BAN_REASON_MAX:
        raise ValidationFailed(
            _("Give the seller a reason (%(min)d to %(max)d characters).")
            % {"min": BAN_REASON_MIN, "max": BAN_REASON_MAX},
            code="reason_required",
            field="reason",
        )
    Product.objects.filter(pk=product.pk).update(status=ProductStatus.BANNED, ban_reason=reason)
    product.refresh_from_db()
    return product


def product_unban(*, product: Product, actor: User) -> Product:
    """Lift a ban; the listing comes back delisted and the seller decides to relist."""
    require_operator(actor)
    Product.objects.filter(pk=product.pk, status=ProductStatus.BANNED).update(
        status=ProductStatus.DELISTED, ban_reason=""
    )
    product.refresh_from_db()
    return product
