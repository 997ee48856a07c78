"""Variants (SKUs): add, edit, remove, set stock; the price range follows."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.catalog.models import Product, ProductStatus, Sku
from evillage.catalog.services._rules import (
    MAX_SKUS,
    SkuInput,
    clean_label,
    clean_options,
    clean_price,
    clean_seller_code,
    clean_sku,
    clean_stock,
    label_taken,
    lock,
    require_product_manager,
    sync_prices,
    too_many_skus,
)
from evillage.core.errors import Conflict, NotFound, ValidationFailed


def sku_add(*, product: Product, actor: User, sku: SkuInput) -> Sku:
    require_product_manager(actor, product.shop)
    row = clean_sku(product.currency, sku)
    with transaction.atomic():
        locked = lock(product)
        existing = list(locked.skus.values_list("label", "position"))
        if len(existing) >= MAX_SKUS:
            raise too_many_skus()
        if row["label"].casefold() in {label.casefold() for label, _ in existing}:
            raise label_taken()
        position = max((pos for _, pos in existing), default=-1) + 1
        created = Sku.objects.create(product=locked, position=position, **row)
        sync_prices(locked)
    product.refresh_from_db()
    return created


def _check_keeps_an_active_sku(sku: Sku, product: Product) -> None:
    """An active listing must keep at least one variant that can be bought."""
    if product.status != ProductStatus.ACTIVE:
        return
    others = product.skus.filter(is_active=True).exclude(pk=sku.pk)
    if not others.exists():
        raise Conflict(
            _("This is the last variant of a product on sale. Delist the product first."),
            code="last_sku",
        )


def sku_update(
    *,
    sku: Sku,
    actor: User,
    label: str | None = None,
    price: str | Decimal | None = None,
    price_minor: int | None = None,
    available: int | None = None,
    is_active: bool | None = None,
    options: dict[str, str] | None = None,
    seller_code: str | None = None,
    expected_available: int | None = None,
) -> Sku:
    """Change the given fields of a variant; None leaves a field as it is.

    With `expected_available`, the stock is only set if it still is that count (see
    `sku_set_stock`); otherwise Conflict(stock_changed) and nothing is written.
    """
    if expected_available is not None and available is None:
        raise ValidationFailed(
            _("Send the new stock (available) with the stock you expect."),
            code="invalid",
            field="available",
        )
    product = sku.product
    require_product_manager(actor, product.shop)
    changes: dict = {}
    if label is not None:
        changes["label"] = clean_label(label)
    if price is not None or price_minor is not None:
        changes["price"] = clean_price(product.currency, price, price_minor)
    if available is not None:
        changes["available"] = clean_stock(available)
    if options is not None:
        changes["options"] = clean_options(options)
    if seller_code is not None:
        changes["seller_code"] = clean_seller_code(seller_code)
    if is_active is not None:
        changes["is_active"] = bool(is_active)
    if not changes:
        return sku
    with transaction.atomic():
        locked = lock(product)
        if "label" in changes:
            others = locked.skus.exclude(pk=sku.pk).values_list("label", flat=True)
            if changes["label"].casefold() in {other.casefold() for other in others}:
                raise label_taken()
        if changes.get("is_active") is False:
            _check_keeps_an_active_sku(sku, locked)
        rows = Sku.objects.filter(pk=sku.pk)
        if expected_available is not None:
            rows = rows.filter(available=expected_available)
        if not rows.update(**changes):
            raise _stock_changed(Sku.objects.get(pk=sku.pk).available)
        sync_prices(locked)
    sku.refresh_from_db()
    return sku


def sku_remove(*, sku: Sku, actor: User) -> None:
    """Delete a variant; one that was ever ordered is deactivated instead (kept for orders)."""
    product = sku.product
    require_product_manager(actor, product.shop)
    with transaction.atomic():
        locked = lock(product)
        _check_keeps_an_active_sku(sku, locked)
        if locked.skus.count() <= 1:
            raise Conflict(_("A product needs at least one variant."), code="last_sku")
        if sku.reserved or sku.sold or sku.order_lines.exists():
            # Orders point at it (and their history must stay readable): retire it instead.
            Sku.objects.filter(pk=sku.pk).update(is_active=False)
        else:
            Sku.objects.filter(pk=sku.pk).delete()
        sync_prices(locked)


def _stock_changed(current: int) -> Conflict:
    return Conflict(
        _(
            "The stock of this variant changed to %(now)d while you were editing it "
            "(an order or another change). Check the number and save again."
        )
        % {"now": current},
        code="stock_changed",
        field="available",
        details={"available": current},
    )


def sku_set_stock(*, sku: Sku, actor: User, available: int, expected: int | None = None) -> Sku:
    """Set the stock to an absolute count (what the seller counted on the shelf).

    `expected` is the count the seller was shown when typing the new one (forms send
    it): the stock is then set only if it still is that count, in one conditional
    UPDATE; otherwise Conflict(stock_changed) and nothing is written, so an order
    placed meanwhile is not silently overwritten.
    """
    require_product_manager(actor, sku.product.shop)
    available = clean_stock(available)
    rows = Sku.objects.filter(pk=sku.pk)
    if expected is not None:
        rows = rows.filter(available=expected)
    if not rows.update(available=available):
        current = Sku.objects.filter(pk=sku.pk).values_list("available", flat=True).first()
        if current is None:
            raise NotFound(_("Variant not found."), code="not_found")
        raise _stock_changed(current)
    sku.refresh_from_db()
    return sku
