"""Test helpers for sourcing: supplier shops with wholesale offers set through the service."""

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.tests.factories import ProductFactory
from evillage.orders.services.checkout import checkout_create
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.orders.tests.factories import fund_wallet, item, ship_to
from evillage.shops.models import ShopKind
from evillage.shops.tests.factories import ShopFactory
from evillage.sourcing.services import wholesale_terms_set

# 1–9 at ¥15.00, 10–49 at ¥12.00, 50 and more at ¥10.00.
TIERS = [(1, 1500), (10, 1200), (50, 1000)]


def make_supplier(**kwargs):
    return ShopFactory(kind=ShopKind.SUPPLIER, **kwargs)


def make_offer(
    *,
    shop=None,
    variants=(("红色", 1800, 500), ("蓝色", 1800, 500)),
    min_quantity: int = 1,
    tiers=TIERS,
    sample_price: int | None = None,
    sample_max_quantity: int = 1,
    lead_time_days: int = 3,
    dropship: bool = True,
    **product_fields,
):
    """An active product of a supplier shop with wholesale terms (the variants' own price,
    ¥18.00, is what buyers pay where no terms apply)."""
    shop = shop or make_supplier()
    product = ProductFactory(shop=shop, skus=list(variants), **product_fields)
    wholesale_terms_set(
        actor=shop.owner,
        product=product,
        min_quantity=min_quantity,
        tiers=list(tiers),
        sample_price=sample_price,
        sample_max_quantity=sample_max_quantity,
        lead_time_days=lead_time_days,
        dropship=dropship,
    )
    return product


def variants_of(product):
    return list(product.skus.order_by("position"))


def retail_seller():
    """A verified seller with an individual shop (the factory's default kind)."""
    return ShopFactory(kind=ShopKind.INDIVIDUAL)


def paid_wholesale_order(offer, buyer=None, quantity: int = 10):
    """`buyer` (a fresh user by default) bought `quantity` units of the offer's first
    variant and paid from their wallet."""
    buyer = buyer or UserFactory()
    fund_wallet(buyer, 1_000_000)
    sku = variants_of(offer)[0]
    checkout = checkout_create(buyer=buyer, items=[item(sku, quantity)], ship_to=ship_to(buyer))
    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    return checkout.orders.get()
