"""Checks and rules shared by the catalogue services."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Min
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.catalog.models import Category, Product, ProductStatus
from evillage.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from evillage.core.money import check_minor, minor_digits, to_minor
from evillage.shops.models import Shop, ShopStatus
from evillage.shops.selectors import shop_staff_role, user_can_manage_products

TITLE_MIN, TITLE_MAX = 2, 120
DESCRIPTION_MAX = 5000
LABEL_MAX = 80
SELLER_CODE_MAX = 40
MAX_SKUS = 50
MAX_STOCK = 1_000_000
MAX_OPTIONS, OPTION_KEY_MAX, OPTION_VALUE_MAX = 10, 30, 60
BAN_REASON_MIN, BAN_REASON_MAX = 4, 300
# No village listing costs more; above this a price is a typo (a zero too many).
MAX_PRICE_MAJOR = {"CNY": Decimal("1000000"), "IDR": Decimal("2000000000")}

# What a seller may do with a listing's status; banned is the operator's alone.
SELLER_TRANSITIONS = {
    ProductStatus.DRAFT: {ProductStatus.ACTIVE},
    ProductStatus.ACTIVE: {ProductStatus.DRAFT, ProductStatus.DELISTED},
    ProductStatus.DELISTED: {ProductStatus.ACTIVE, ProductStatus.DRAFT},
}


@dataclass(frozen=True)
class SkuInput:
    """A variant as entered: `price` as typed by a person ("12.50", major units) or
    `price_minor` (integer minor units, from the API); exactly one of them."""

    label: str
    price: str | Decimal | None = None
    price_minor: int | None = None
    available: int = 0
    options: dict[str, str] = field(default_factory=dict)
    seller_code: str = ""
    is_active: bool = True


def require_staff(actor: User, shop: Shop) -> None:
    if shop_staff_role(actor, shop) is None:
        raise NotFound(_("Product not found."), code="not_found")


def require_product_manager(actor: User, shop: Shop) -> None:
    require_staff(actor, shop)
    if not user_can_manage_products(user=actor, shop=shop):
        raise PermissionDenied(_("Only the shop owner can change products."), code="owner_only")
    if shop.status == ShopStatus.SUSPENDED:
        raise Conflict(
            _("This shop is suspended; its products cannot be changed."),
            code="shop_suspended",
        )


def clean_title(title: str) -> str:
    title = (title or "").strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ValidationFailed(
            _("The title must be %(min)d to %(max)d characters long.")
            % {"min": TITLE_MIN, "max": TITLE_MAX},
            code="bad_title",
            field="title",
        )
    return title


def clean_category(category: Category) -> Category:
    if category.children.exists():
        raise ValidationFailed(
            _("Choose a subcategory, e.g. “%(example)s”.")
            % {"example": category.children.first().name},
            code="category_not_leaf",
            field="category",
        )
    return category


def clean_label(label: str) -> str:
    label = (label or "").strip()
    if not 1 <= len(label) <= LABEL_MAX:
        raise ValidationFailed(
            _("Name the variant in 1 to %(max)d characters, e.g. “Red, size M”.")
            % {"max": LABEL_MAX},
            code="bad_sku_label",
            field="label",
        )
    return label


def bad_price(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="bad_price", field="price")


def clean_price(currency: str, price: str | Decimal | None, price_minor: int | None) -> int:
    cap = int(MAX_PRICE_MAJOR[currency].scaleb(minor_digits(currency)))
    if (price is None) == (price_minor is None):
        raise bad_price(_("Enter a price."))
    if price is not None:
        try:
            amount = to_minor(price, currency, field="price")
        except ValidationFailed as exc:
            raise bad_price(exc.message) from None
    elif isinstance(price_minor, bool) or not isinstance(price_minor, int) or price_minor <= 0:
        raise bad_price(_("The price must be greater than zero."))
    else:
        try:
            amount = check_minor(price_minor, currency)
        except ValidationFailed as exc:
            raise bad_price(exc.message) from None
    if amount > cap:
        raise bad_price(
            _("The price is too high: at most %(max)s %(currency)s.")
            % {"max": f"{MAX_PRICE_MAJOR[currency]:,}", "currency": currency}
        )
    return amount


def clean_stock(available: int) -> int:
    if isinstance(available, bool) or not isinstance(available, int):
        raise ValidationFailed(
            _("Enter stock as a whole number."), code="bad_stock", field="available"
        )
    if not 0 <= available <= MAX_STOCK:
        raise ValidationFailed(
            _("Stock must be between 0 and %(max)s.") % {"max": f"{MAX_STOCK:,}"},
            code="bad_stock",
            field="available",
        )
    return available


def clean_options(options: dict[str, str] | None) -> dict[str, str]:
    options = options or {}
    valid = isinstance(options, dict) and len(options) <= MAX_OPTIONS
    valid = valid and all(
        isinstance(k, str)
        and isinstance(v, str)
        and 0 < len(k.strip()) <= OPTION_KEY_MAX
        and len(v.strip()) <= OPTION_VALUE_MAX
        for k, v in options.items()
    )
    if not valid:
        raise ValidationFailed(
            _("Variant options must be at most %(n)d short name/value pairs.") % {"n": MAX_OPTIONS},
            code="bad_options",
            field="options",
        )
    return {k.strip(): v.strip() for k, v in options.items()}


def clean_seller_code(code: str) -> str:
    code = (code or "").strip()
    if len(code) > SELLER_CODE_MAX:
        raise ValidationFailed(
            _("The seller's code may be at most %(max)d characters.") % {"max": SELLER_CODE_MAX},
            code="bad_seller_code",
            field="seller_code",
        )
    return code


def clean_sku(currency: str, sku: SkuInput) -> dict:
    return {
        "label": clean_label(sku.label),
        "price": clean_price(currency, sku.price, sku.price_minor),
        "available": clean_stock(sku.available),
        "options": clean_options(sku.options),
        "seller_code": clean_seller_code(sku.seller_code),
        "is_active": bool(sku.is_active),
    }


def label_taken() -> ValidationFailed:
    return ValidationFailed(
        _("Each variant needs its own name; this one is used twice."),
        code="sku_label_taken",
        field="label",
    )


def too_many_skus() -> ValidationFailed:
    return ValidationFailed(
        _("A product can have at most %(max)d variants.") % {"max": MAX_SKUS},
        code="too_many_skus",
        field="skus",
    )


def lock(product: Product) -> Product:
    """Lock the product row: SKU changes and the price range are then serialised."""
    return Product.objects.select_for_update().select_related("shop").get(pk=product.pk)


def sync_prices(product: Product) -> None:
    prices = product.skus.filter(is_active=True).aggregate(low=Min("price"), high=Max("price"))
    product.price_min, product.price_max = prices["low"], prices["high"]
    product.save(update_fields=["price_min", "price_max", "updated_at"])
