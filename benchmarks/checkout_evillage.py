"""eVillage's own side of benchmarks/checkout.py: seeding, one order, the timed races.

These run in the driver's child process (`--evillage ENGINE`), where Django is already set
up on the benchmark's database and migrated.
"""

import random
from collections.abc import Callable, Iterable
from typing import Any

from checkout_ceiling import Race, checkout_figures, flash_figures, race

# Seeded once per child process and reused for every worker count of part (a).
_SEEDED: dict = {}


def _seed_world(*, tag: str, skus: int, buyers: int, stock: int) -> dict:
    """Shops, products and buyers written straight to the tables (not timed).

    Only the timed part goes through eVillage's services; seeding through them would
    hash passwords and re-encode photos for minutes and measure nothing of checkout.
    """
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from evillage.accounts.models import User
    from evillage.catalog.models import Category, Product, ProductStatus, Sku
    from evillage.places.models import Country, Level, Place
    from evillage.shops.models import Shop, ShopKind, ShopStaff, StaffRole

    parent = None
    for level, code in ((Level.PROVINCE, "32"), (Level.CITY, "3203"), (Level.COUNTY, "320324")):
        parent, _ = Place.objects.get_or_create(
            country=Country.CHINA,
            code=code,
            defaults={"level": level, "name": code, "parent": parent},
        )
    category = Category.objects.filter(parent__isnull=False).first() or Category.objects.first()
    shops_n = max(1, skus // 100)  # 100 SKUs per shop, as a village workshop's catalogue
    owners = User.objects.bulk_create(
        User(
            username=f"bench-{tag}-seller-{i}",
            email=f"bench-{tag}-seller-{i}@bench.example",
            password=UNUSABLE_PASSWORD_PREFIX,
        )
        for i in range(shops_n)
    )
    shops = Shop.objects.bulk_create(
        Shop(
            name=f"bench {tag} shop {i}",
            kind=ShopKind.INDIVIDUAL,
            village=parent,
            owner=owner,
            currency="CNY",
            shipping_fee=800,
        )
        for i, owner in enumerate(owners)
    )
    ShopStaff.objects.bulk_create(
        ShopStaff(shop=shop, user=shop.owner, role=StaffRole.OWNER) for shop in shops
    )
    products = Product.objects.bulk_create(
        Product(
            shop=shops[i % shops_n],
            category=category,
            title=f"bench product {i}",
            status=ProductStatus.ACTIVE,
            currency="CNY",
            price_min=9900,
            price_max=9900,
        )
        for i in range(skus)
    )
    sku_rows = Sku.objects.bulk_create(
        Sku(product=product, label="standard", price=9900, available=stock) for product in products
    )
    people = User.objects.bulk_create(
        User(
            username=f"bench-{tag}-buyer-{i}",
            email=f"bench-{tag}-buyer-{i}@bench.example",
            password=UNUSABLE_PASSWORD_PREFIX,
        )
        for i in range(buyers)
    )
    return {"place": parent.key, "skus": [sku.public_id for sku in sku_rows], "buyers": people}


def _place_order(buyer, sku_public_id: str, place: str) -> bool:
    """One checkout of one unit through eVillage's own service; False if sold out."""
    from evillage.core.errors import Conflict
    from evillage.orders.services.checkout import CheckoutItem, ShipTo, checkout_create

    address = ShipTo(place=place, street="东风路 8 号", name="王小明", phone="13800138000")
    try:
        checkout_create(
            buyer=buyer, items=[CheckoutItem(sku=sku_public_id, quantity=1)], ship_to=address
        )
    except Conflict as refusal:
        if refusal.code == "out_of_stock":
            return False
        raise
    return True


def run_evillage_checkout(*, db_url: str, workers: int, skus: int, orders: int) -> dict:
    """(a) `orders` orders from `workers` threads (one buyer each) over `skus` SKUs."""

    if "checkout" not in _SEEDED:
        _SEEDED["checkout"] = _seed_world(tag="checkout", skus=skus, buyers=64, stock=1_000_000)
    world = _SEEDED["checkout"]
    jobs = [random.Random(workers).choice(world["skus"]) for _ in range(orders)]
    run = django_race(
        workers,
        jobs,
        lambda buyer, sku: _place_order(buyer, sku, world["place"]),
        world["buyers"][:workers],
    )
    return checkout_figures(run)


def run_evillage_flash_sale(*, db_url: str, workers: int, buyers: int, units: int) -> dict:
    """(b) `buyers` distinct buyers on `workers` threads race for `units` of one SKU."""
    from evillage.catalog.models import Sku
    from evillage.orders.models import OrderLine

    world = _seed_world(tag="flash", skus=1, buyers=buyers, stock=units)
    sku = world["skus"][0]
    run = django_race(
        workers, world["buyers"], lambda _state, buyer: _place_order(buyer, sku, world["place"])
    )
    created = OrderLine.objects.filter(sku__public_id=sku).count()
    figures = flash_figures(run, units=units, orders_created=created)
    row = Sku.objects.get(public_id=sku)
    figures["stock_after"] = {"available": row.available, "reserved": row.reserved}
    figures["after_sale"] = _settle_winners(sku)
    return figures


def _settle_winners(sku_public_id: str) -> dict:
    """Not timed: the winners top up, pay from their wallets, the seller ships, they
    confirm; then the books are audited, so the run ends with money really moved."""
    from evillage.ledger.selectors import ledger_audit
    from evillage.orders.models import Order
    from evillage.orders.services.lifecycle import order_confirm, order_ship
    from evillage.orders.services.payment import checkout_pay_wallet
    from evillage.payments.services import payment_succeed, topup_start

    orders = Order.objects.filter(lines__sku__public_id=sku_public_id).select_related(
        "checkout", "buyer", "shop__owner"
    )
    for order in orders:
        topup = topup_start(payer=order.buyer, amount=order.total, currency=order.currency)
        payment_succeed(payment_id=topup.pk, provider_ref="bench")
        checkout_pay_wallet(checkout=order.checkout, buyer=order.buyer)
        order_ship(order=order, actor=order.shop.owner, carrier="ZTO", waybill=f"ZT{order.pk:08d}")
        order_confirm(order=order, actor=order.buyer)
    audit = ledger_audit()
    return {"orders_paid_and_finished": len(orders), "ledger_audit_ok": audit.ok}


def django_race(
    workers: int,
    jobs: Iterable,
    job: Callable[[Any, Any], Any],
    states: list | None = None,
) -> Race:
    """`race` for Django code: thread i gets `states[i]` (e.g. its buyer). Each thread
    opens its own connection before the start (connecting is not timed) and closes it
    at the end."""
    from django.db import connection

    slots = iter(range(workers))

    def connect() -> Any:
        connection.ensure_connection()
        return states[next(slots)] if states else None

    return race(workers, jobs, job, connect=connect, close=lambda _state: connection.close())
