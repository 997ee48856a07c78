"""django-oscar 4.2.1 placing orders through its own checkout path; run with the peer's python.

Per order, what Oscar's checkout views do, minus HTTP and payment: the strategy's
availability check, `basket.add_product`, `check_basket_is_valid` (every line's
availability again, an unlocked read), the `Free` shipping method, `OrderTotalCalculator`,
`basket.freeze()`, `OrderCreator().place_order(...)` (which allocates stock without
re-checking it) and `basket.submit()`.

Oscar's migrations (about 23 s) run once into a template database kept on the server,
named after Oscar's version and this folder's settings; each run copies it. The run's
own database is dropped at the end. Progress goes to stderr; the last stdout line is
one JSON object.

    var/bench/oscar-venv/bin/python benchmarks/oscar_peer/harness.py --products 1000 \
        --orders 200 --workers 4 --flash-workers 16 --flash-buyers 500 --flash-units 100
"""

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
# benchmarks/ instead of this folder: oscar_peer.settings and checkout_ceiling import from there.
sys.path[0] = str(HERE.parent)

import psycopg  # noqa: E402
from checkout_ceiling import (  # noqa: E402
    DEFAULT_PG,
    checkout_figures,
    drop_database,
    flash_figures,
    log,
    race,
    recreate_database,
)

RUN_DB = "evillage_bench_oscar"
# Haystack's simple backend says so on every product saved; there is no index to update.
warnings.filterwarnings("ignore", "update is not implemented", UserWarning)
PLENTY = 1_000_000


def template_name() -> str:
    """Named after Oscar's and Django's versions and these settings: a change makes a new one."""
    import django
    import oscar

    key = f"{oscar.get_version()} {django.get_version()} " + (HERE / "settings.py").read_text()
    return "evillage_bench_oscar_tpl_" + hashlib.sha256(key.encode()).hexdigest()[:10]


def ensure_template(pg: str, name: str) -> bool:
    """Migrate a template database unless one is there; True when it had to be made."""
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
    # Migrated under a working name and renamed when complete: an interrupted
    # migration never leaves a template that looks ready.
    building = f"{name}_building"
    recreate_database(pg, building)
    log(f"migrating django-oscar into a template database {name} (once; about 25 s)")
    started = time.monotonic()
    env = {**os.environ, "OSCAR_BENCH_PG": pg, "OSCAR_BENCH_DB": building}
    subprocess.run([sys.executable, __file__, "--migrate-only"], env=env, check=True)  # noqa: S603
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    log(f"  migrated in {time.monotonic() - started:.0f} s")
    return True


def django_setup(pg: str, db: str) -> None:
    os.environ["OSCAR_BENCH_PG"] = pg
    os.environ["OSCAR_BENCH_DB"] = db
    os.environ["DJANGO_SETTINGS_MODULE"] = "oscar_peer.settings"
    import django

    django.setup()


def seed(products: int) -> tuple[list[int], list]:
    """`products` standalone products with plenty of stock, and one buyer per worker slot."""
    from django.contrib.auth import get_user_model
    from oscar.core.loading import get_model

    Partner = get_model("partner", "Partner")
    ProductClass = get_model("catalogue", "ProductClass")
    Product = get_model("catalogue", "Product")
    StockRecord = get_model("partner", "StockRecord")

    kind = ProductClass.objects.create(name="Goods", track_stock=True, requires_shipping=True)
    partner = Partner.objects.create(name="Village shop")
    made = Product.objects.bulk_create(
        [
            Product(
                structure=Product.STANDALONE,
                product_class=kind,
                title=f"Product {i}",
                slug=f"product-{i}",
                is_public=True,
            )
            for i in range(products)
        ],
        batch_size=2_000,
    )
    StockRecord.objects.bulk_create(
        [
            StockRecord(
                product=product,
                partner=partner,
                partner_sku=f"SKU-{product.pk}",
                price=Decimal("9.90"),
                num_in_stock=PLENTY,
                num_allocated=0,
            )
            for product in made
        ],
        batch_size=2_000,
    )
    buyers = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"buyer{i}", email=f"buyer{i}@example.com") for i in range(64)]
    )
    return [p.pk for p in made], buyers


def flash_product(units: int) -> int:
    from oscar.core.loading import get_model

    Product = get_model("catalogue", "Product")
    StockRecord = get_model("partner", "StockRecord")
    template = StockRecord.objects.select_related("product").first()
    product = Product.objects.create(
        structure=Product.STANDALONE,
        product_class=template.product.product_class,
        title="Flash sale",
        slug="flash-sale",
        is_public=True,
    )
    StockRecord.objects.create(
        product=product,
        partner=template.partner,
        partner_sku="FLASH",
        price=Decimal("9.90"),
        num_in_stock=units,
        num_allocated=0,
    )
    return product.pk


def place_order(user, product_id: int) -> bool:
    """One checkout as Oscar's views run it; False when Oscar refuses it as out of stock."""
    from oscar.apps.checkout.calculators import OrderTotalCalculator
    from oscar.apps.order.utils import OrderCreator, OrderNumberGenerator
    from oscar.apps.partner.strategy import Selector
    from oscar.apps.shipping.methods import Free
    from oscar.core.loading import get_model

    Basket = get_model("basket", "Basket")
    Product = get_model("catalogue", "Product")

    product = Product.objects.get(pk=product_id)
    strategy = Selector().strategy(user=user)
    # The product page's and the basket view's check.
    if not strategy.fetch_for_product(product).availability.is_purchase_permitted(1)[0]:
        return False
    basket = Basket(owner=user)
    basket.strategy = strategy
    basket.add_product(product, 1)
    # CheckoutSessionMixin.check_basket_is_valid.
    for line in basket.all_lines():
        info = strategy.fetch_for_line(line)
        if not info.availability.is_purchase_permitted(line.quantity)[0]:
            return False
    shipping_method = Free()
    shipping_charge = shipping_method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, shipping_charge)
    order_number = OrderNumberGenerator().order_number(basket)
    basket.freeze()
    OrderCreator().place_order(
        basket=basket,
        total=total,
        shipping_method=shipping_method,
        shipping_charge=shipping_charge,
        user=user,
        order_number=order_number,
    )
    basket.submit()
    return True


def _close(_state) -> None:
    from django.db import connection

    connection.close()


def run_checkout(workers: int, product_ids: list[int], buyers: list, orders: int) -> dict:
    picks = random.Random(workers)
    jobs = [picks.choice(product_ids) for _ in range(orders)]
    slots = iter(range(workers))

    run = race(
        workers,
        jobs,
        lambda user, product_id: place_order(user, product_id),
        connect=lambda: buyers[next(slots) % len(buyers)],
        close=_close,
    )
    figures = checkout_figures(run)
    log(f"  oscar checkout, {workers:>2} workers: {figures['orders_per_s']} orders/s")
    return figures


def run_flash(workers: int, buyers_n: int, units: int, buyers: list) -> dict:
    from django.db.models import Sum
    from oscar.core.loading import get_model

    Line = get_model("order", "Line")
    StockRecord = get_model("partner", "StockRecord")

    product_id = flash_product(units)
    slots = iter(range(workers))
    run = race(
        workers,
        [product_id] * buyers_n,
        lambda user, pid: place_order(user, pid),
        connect=lambda: buyers[next(slots) % len(buyers)],
        close=_close,
    )
    # The database's word, not the threads': units in order lines for the product.
    sold = Line.objects.filter(product_id=product_id).aggregate(n=Sum("quantity"))["n"] or 0
    record = StockRecord.objects.get(product_id=product_id)
    figures = flash_figures(run, units=units, orders_created=sold)
    figures["num_in_stock"] = record.num_in_stock
    figures["num_allocated"] = record.num_allocated
    log(
        f"  oscar flash sale: {sold} sold of {units} ({figures['oversold']} oversold),"
        f" sold out in {figures['sell_out_s']} s"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default=DEFAULT_PG, help="server URL, without a database")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=1_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[4])
    parser.add_argument("--flash-workers", type=int, default=16)
    parser.add_argument("--flash-buyers", type=int, default=2_000)
    parser.add_argument("--flash-units", type=int, default=100)
    parser.add_argument("--migrate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.migrate_only:  # the child of ensure_template, on OSCAR_BENCH_DB
        os.environ["DJANGO_SETTINGS_MODULE"] = "oscar_peer.settings"
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        return

    started = time.monotonic()
    template = template_name()
    created = ensure_template(args.pg, template)
    recreate_database(args.pg, RUN_DB, template=template)
    try:
        django_setup(args.pg, RUN_DB)
        import django
        import oscar

        product_ids, buyers = seed(args.products)
        _close(None)
        setup_s = time.monotonic() - started
        log(f"  oscar ready in {setup_s:.1f} s ({args.products:,} products)")
        checkout = [run_checkout(w, product_ids, buyers, args.orders) for w in args.workers]
        flash = run_flash(args.flash_workers, args.flash_buyers, args.flash_units, buyers)
        _close(None)
    finally:
        drop_database(args.pg, RUN_DB)
    figures = {
        "peer": "django-oscar",
        "oscar": oscar.get_version(),
        "django": django.get_version(),
        "template_created": created,
        "setup_s": round(setup_s, 1),
        "products": args.products,
        "checkout": checkout,
        "flash_sale": flash,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
