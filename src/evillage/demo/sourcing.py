"""Demo wholesale: the supplier shops' products become offers with three price tiers and
samples, and a retail seller of the same country buys stock from a supplier (a paid
order, waiting on the supplier's order desk). Through the services; idempotent."""

from collections.abc import Callable

from evillage.catalog.models import ProductStatus, Sku
from evillage.orders.models import Order
from evillage.orders.services.checkout import CheckoutItem, ShipTo, checkout_create
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.payments.services import payment_succeed, topup_start
from evillage.shops.models import Shop, ShopKind, ShopStatus
from evillage.sourcing.models import WholesaleTerms
from evillage.sourcing.services import wholesale_terms_set

MIN_QUANTITY = 10
# (from quantity, share of the retail price in percent)
TIER_SHARES = ((MIN_QUANTITY, 80), (50, 70), (200, 60))
WHOLESALE_UNITS = 24
# Money steps: ten fen, a thousand rupiah (minor units).
STEP = {"CNY": 10, "IDR": 100_000}


def seed_sourcing(*, say: Callable[[str], None] = lambda _: None) -> int:
    """Wholesale terms on every supplier product, and one wholesale purchase; returns
    how many orders were created (0 on a second run)."""
    suppliers = list(
        Shop.objects.filter(kind=ShopKind.SUPPLIER, status=ShopStatus.OPEN).order_by("pk")
    )
    for supplier in suppliers:
        say(f"wholesale terms of {supplier.name}")
        _terms(supplier)
    created = 0
    for supplier in suppliers:
        created += _purchase(supplier)
    return created


def _price(amount: float, currency: str) -> int:
    step = STEP.get(currency, 100)
    return max(step, int(amount) // step * step)


def _terms(supplier: Shop) -> None:
    products = supplier.products.filter(status=ProductStatus.ACTIVE).exclude(
        pk__in=WholesaleTerms.objects.values("product_id")
    )
    for product in products.order_by("pk"):
        retail = product.price_min or 0
        if not retail:
            continue
        tiers, last = [], None
        for start, share in TIER_SHARES:
            price = _price(retail * share / 100, product.currency)
            price = min(price, last) if last else price
            tiers.append((start, price))
            last = price
        wholesale_terms_set(
            actor=supplier.owner,
            product=product,
            min_quantity=MIN_QUANTITY,
            tiers=tiers,
            sample_price=retail,
            sample_max_quantity=2,
            lead_time_days=3,
            dropship=True,
        )


def _buyer_shop(supplier: Shop) -> Shop | None:
    """A retail shop of the supplier's country, from its village if there is one."""
    retail = (
        Shop.objects.filter(currency=supplier.currency, status=ShopStatus.OPEN)
        .exclude(kind=ShopKind.SUPPLIER)
        .exclude(owner=supplier.owner)
        .select_related("owner", "village")
        .order_by("created_at", "pk")
    )
    return retail.filter(village=supplier.village).first() or retail.first()


def _purchase(supplier: Shop) -> int:
    shop = _buyer_shop(supplier)
    if shop is None:
        return 0
    buyer = shop.owner
    if Order.objects.filter(buyer=buyer, shop=supplier).exists():
        return 0
    sku = (
        Sku.objects.filter(
            product__shop=supplier,
            product__status=ProductStatus.ACTIVE,
            product__wholesale__isnull=False,
            is_active=True,
            available__gte=WHOLESALE_UNITS,
        )
        .order_by("product__pk", "position")
        .first()
    )
    if sku is None:
        return 0
    ship_to = ShipTo(
        place=shop.village.key,
        street="Jl. Merdeka 8" if shop.currency == "IDR" else "东风路 8 号",
        name=buyer.display_name,
        phone=buyer.phone or "13800138000",
    )
    checkout = checkout_create(
        buyer=buyer,
        items=[CheckoutItem(sku=sku.public_id, quantity=WHOLESALE_UNITS)],
        ship_to=ship_to,
        idempotency_key=f"demo:wholesale:{supplier.public_id}",
    )
    topup = topup_start(payer=buyer, amount=checkout.total, currency=checkout.currency)
    payment_succeed(payment_id=topup.pk, provider_ref="demo", reason="demo top-up")
    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    return checkout.orders.count()
