"""Writes of sourcing: a supplier's wholesale terms and price tiers.

Drop-shipping (links and purchase orders) is in sourcing.dropship.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.catalog.models import Product
from evillage.catalog.services.stock import out_of_stock
from evillage.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from evillage.core.money import check_minor
from evillage.orders.services.cart import cart_add, cart_remove, clean_quantity
from evillage.shops.models import ShopKind, ShopStatus
from evillage.shops.selectors import shop_staff_role, user_can_manage_products
from evillage.sourcing.models import PriceTier, WholesaleTerms
from evillage.sourcing.selectors import wholesale_quotes

MAX_TIERS = 6
MAX_MIN_QUANTITY = 100_000
MAX_SAMPLE_QUANTITY = 99
MAX_LEAD_TIME_DAYS = 365


def require_supplier_owner(actor: User, product: Product) -> None:
    """Only the owner of the supplier shop that lists the product may set its terms."""
    shop = product.shop
    if shop_staff_role(actor, shop) is None:
        raise NotFound(_("Product not found."), code="product_not_found")
    if not user_can_manage_products(user=actor, shop=shop):
        raise PermissionDenied(
            _("Only the shop owner can change wholesale terms."), code="owner_only"
        )
    if shop.kind != ShopKind.SUPPLIER:
        raise Conflict(
            _("Only supplier shops sell wholesale. Open a supplier shop for that."),
            code="not_a_supplier",
        )
    if shop.status == ShopStatus.SUSPENDED:
        raise Conflict(
            _("This shop is suspended; its products cannot be changed."), code="shop_suspended"
        )


def _whole(value, *, low: int, high: int, field: str, message: str) -> int:
    if type(value) is not int or not low <= value <= high:
        raise ValidationFailed(message, code=f"bad_{field}", field=field)
    return value


def clean_tiers(
    tiers: Sequence[tuple[int, int]], *, min_quantity: int, currency: str
) -> list[tuple[int, int]]:
    """Tiers as (from quantity, unit price in minor units), in the order given: starts
    strictly increasing, prices positive and never rising as the quantity grows, the
    first tier starting at 1 or at the minimum order quantity."""
    if not tiers:
        raise ValidationFailed(
            _("Give at least one price tier."), code="tiers_required", field="tiers"
        )
    if len(tiers) > MAX_TIERS:
        raise ValidationFailed(
            _("At most %(max)d price tiers.") % {"max": MAX_TIERS},
            code="too_many_tiers",
            field="tiers",
        )
    cleaned: list[tuple[int, int]] = []
    for index, tier in enumerate(tiers):
        try:
            start, price = tier
        except (TypeError, ValueError):
            raise _bad_tier(_("Each tier is a quantity and a unit price."), index) from None
        if type(start) is not int or not 1 <= start <= MAX_MIN_QUANTITY:
            raise _bad_tier(
                _("A tier starts at a whole number of units from 1 to %(max)d.")
                % {"max": MAX_MIN_QUANTITY},
                index,
            )
        if type(price) is not int or price <= 0:
            raise _bad_tier(
                _("A tier's unit price must be greater than zero."), index, part="unit_price"
            )
        try:
            check_minor(price, currency, field="tiers")
        except ValidationFailed as exc:
            raise _bad_tier(exc.message, index, part="unit_price") from None
        if cleaned and start <= cleaned[-1][0]:
            raise _bad_tier(
                _("Tiers must start at increasing quantities (%(start)d follows %(prev)d).")
                % {"start": start, "prev": cleaned[-1][0]},
                index,
            )
        if cleaned and price > cleaned[-1][1]:
            raise _bad_tier(
                _("A larger quantity cannot cost more per unit than a smaller one."),
                index,
                part="unit_price",
            )
        cleaned.append((start, price))
    if cleaned[0][0] not in (1, min_quantity):
        raise _bad_tier(
            _("The first tier starts at 1 or at the minimum order quantity (%(moq)d).")
            % {"moq": min_quantity},
            0,
        )
    return cleaned


def _bad_tier(message: str, index: int, *, part: str = "min_quantity") -> ValidationFailed:
    """`details`: which tier (from 0) and which of its two numbers is wrong."""
    return ValidationFailed(
        message, code="bad_tiers", field="tiers", details={"tier": index, "part": part}
    )


def wholesale_terms_set(
    *,
    actor: User,
    product: Product,
    min_quantity: int,
    tiers: Sequence[tuple[int, int]],
    sample_price: int | None,
    sample_max_quantity: int = 1,
    lead_time_days: int = 2,
    dropship: bool = True,
) -> WholesaleTerms:
    """Make the product a wholesale offer, or change its terms; its tiers are replaced.

    Prices are integer minor units. `sample_price` None means no samples. Only the owner
    of the supplier shop that lists the product may do this.
    """
    require_supplier_owner(actor, product)
    currency = product.currency
    min_quantity = _whole(
        min_quantity,
        low=1,
        high=MAX_MIN_QUANTITY,
        field="min_quantity",
        message=_("The minimum order quantity is a whole number from 1 to %(max)d.")
        % {"max": MAX_MIN_QUANTITY},
    )
    cleaned = clean_tiers(tiers, min_quantity=min_quantity, currency=currency)
    if sample_price is not None:
        if type(sample_price) is not int or sample_price <= 0:
            raise ValidationFailed(
                _("The sample price must be greater than zero."),
                code="bad_sample_price",
                field="sample_price",
            )
        check_minor(sample_price, currency, field="sample_price")
        sample_max_quantity = _whole(
            sample_max_quantity,
            low=1,
            high=MAX_SAMPLE_QUANTITY,
            field="sample_max_quantity",
            message=_("A sample is 1 to %(max)d units.") % {"max": MAX_SAMPLE_QUANTITY},
        )
        if min_quantity > 1 and sample_max_quantity >= min_quantity:
            raise ValidationFailed(
                _("A sample must be fewer units than the minimum order quantity (%(moq)d).")
                % {"moq": min_quantity},
                code="bad_sample_max_quantity",
                field="sample_max_quantity",
            )
    elif type(sample_max_quantity) is not int or sample_max_quantity < 1:
        sample_max_quantity = 1
    lead_time_days = _whole(
        lead_time_days,
        low=0,
        high=MAX_LEAD_TIME_DAYS,
        field="lead_time_days",
        message=_("The lead time is 0 to %(max)d days.") % {"max": MAX_LEAD_TIME_DAYS},
    )
    with transaction.atomic():
        terms, _created = WholesaleTerms.objects.update_or_create(
            product=product,
            defaults={
                "min_quantity": min_quantity,
                "sample_price": sample_price,
                "sample_max_quantity": sample_max_quantity,
                "lead_time_days": lead_time_days,
                "dropship": bool(dropship),
            },
        )
        PriceTier.objects.filter(product=product).delete()
        PriceTier.objects.bulk_create(
            PriceTier(product=product, min_quantity=start, unit_price=price)
            for start, price in cleaned
        )
    return terms


def wholesale_terms_remove(*, actor: User, product: Product) -> None:
    """The product is sold at its variants' own prices again, in any quantity."""
    require_supplier_owner(actor, product)
    with transaction.atomic():
        PriceTier.objects.filter(product=product).delete()
        WholesaleTerms.objects.filter(product=product).delete()


def wholesale_cart_put(*, user: User, product: Product, quantities: dict[str, int]) -> int:
    """Set the cart's quantities of an offer's variants to these (a variant left out or at
    0 leaves the cart), after checking the offer's minimum order and sample rules; on a
    refusal the cart is unchanged. Returns the units of the offer now in the cart.

    Checkout prices them: the tier their total reaches, or the sample price.
    """
    terms = WholesaleTerms.objects.filter(product=product).first()
    if terms is None:
        raise NotFound(_("This is not a wholesale offer."), code="offer_not_found")
    variants = {sku.public_id: sku for sku in product.skus.filter(is_active=True)}
    chosen: dict[str, int] = {}
    for public_id, quantity in quantities.items():
        if public_id not in variants:
            raise NotFound(_("This variant is not sold."), code="sku_not_found", field="sku")
        if quantity:
            chosen[public_id] = clean_quantity(quantity)
    if not chosen:
        raise ValidationFailed(
            _("Enter how many units of each variant you want."),
            code="empty_order",
            field="quantity",
        )
    for public_id, quantity in chosen.items():
        if variants[public_id].available < quantity:
            raise out_of_stock(variants[public_id])
    quotes = wholesale_quotes(lines=[(variants[pid], q) for pid, q in chosen.items()])
    for quote in quotes.values():
        if quote.error is not None:
            raise quote.error
    with transaction.atomic():
        for public_id in variants:
            cart_remove(user=user, sku_public_id=public_id)
        for public_id, quantity in chosen.items():
            cart_add(user=user, sku_public_id=public_id, quantity=quantity)
    return sum(chosen.values())
