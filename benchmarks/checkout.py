#!/usr/bin/env python3
"""Benchmark: checkout throughput and the flash sale, against the bare ceiling and django-oscar.

One run, one PostgreSQL server (databases evillage_bench_*, made and dropped here):
  (a) eVillage checkout over many SKUs: W worker threads, each its own connection,
      placing orders of one line, quantity 1, of a SKU drawn at random among S;
  (b) eVillage flash sale: B buyers on 16 threads race for U units of one SKU;
  (c) the ceiling (checkout_ceiling.py): the bare conditional stock UPDATE in psycopg 3
      on one hot row and over S rows, the same worker counts;
  (d) the peer (oscar_peer/): django-oscar 4.2.1 in its own venv and database, the same
      workload through Oscar's own checkout path, and its flash sale.
(a) and (b) also run on SQLite (a temporary file). Ratios: our flash-sale orders/s over
the hot-row ceiling, our checkout orders/s over Oscar's.

The first run creates var/bench/oscar-venv (pip, about a minute) and a migrated Oscar
template database (about 25 s); both are reused and the output says whether they were
made. `--quick` runs in under 60 s without them. Progress goes to stderr; the last
stdout line is one JSON object.

    .venv/bin/python benchmarks/checkout.py [--quick] [--engines postgresql sqlite] [--no-oscar]
"""

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from checkout_ceiling import (
    DEFAULT_PG,
    Race,
    checkout_figures,
    drop_database,
    flash_figures,
    log,
    race,
    recreate_database,
    run_ceiling,
)
from oscar_peer import ensure_venv, run_harness

EVILLAGE_DB = "evillage_bench_checkout"
ENGINES = ("postgresql", "sqlite")
SIZES = {
    "quick": {
        "skus": 1_000,
        "workers": [4],
        "hot_workers": [16],
        "orders": 150,
        "flash_workers": 16,
        "flash_buyers": 500,
        "flash_units": 100,
        "ceiling_s": 1.5,
    },
    "full": {
        "skus": 10_000,
        "workers": [4, 16],
        "hot_workers": [1, 4, 16],
        "orders": 2_000,
        "flash_workers": 16,
        "flash_buyers": 2_000,
        "flash_units": 100,
        "ceiling_s": 5.0,
    },
}

# What the plug-in below builds on (re-exported from checkout_ceiling).
__all__ = ["Race", "checkout_figures", "django_race", "flash_figures", "race"]


# ==========================================================================================
# PLUG-IN POINT: eVillage's own checkout (parts a and b). To be written by the lead.
#
# Both functions run in a child process (`--evillage ENGINE`) where Django is already set
# up on `db_url` (PostgreSQL or a temporary SQLite file) and migrated; they seed what they
# need (seeding is not timed), run the workload with `django_race`, and return the dict
# of `checkout_figures` / `flash_figures`. Raising NotImplementedError (as now) leaves
# their figures null; any other exception is reported and the rest of the run goes on.
# ==========================================================================================


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
    import random

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


# ==========================================================================================


def evillage_child(engine: str, pg: str, sizes: dict) -> dict:
    """Parts (a) and (b) on one engine, in this (child) process: Django is set up once."""
    work = Path(tempfile.mkdtemp(prefix="bench-checkout-"))
    try:
        if engine == "postgresql":
            db_url = recreate_database(pg, EVILLAGE_DB)
        else:
            db_url = f"sqlite:///{work / 'bench.sqlite3'}"
        os.environ["VAR_DIR"] = str(work)
        os.environ["DATABASE_URL"] = db_url
        os.environ["DJANGO_SETTINGS_MODULE"] = "evillage.settings"
        import django
        from django.core.management import call_command
        from django.db import connection

        started = time.monotonic()
        django.setup()
        call_command("migrate", verbosity=0)
        connection.close()
        figures: dict = {"setup_s": round(time.monotonic() - started, 1), "checkout": []}
        for workers in sizes["workers"]:
            figures["checkout"].append(
                _attempt(
                    f"eVillage checkout on {engine}, {workers:>2} workers",
                    lambda w=workers: run_evillage_checkout(
                        db_url=db_url, workers=w, skus=sizes["skus"], orders=sizes["orders"]
                    ),
                    workers=workers,
                )
            )
        figures["flash_sale"] = _attempt(
            f"eVillage flash sale on {engine}",
            lambda: run_evillage_flash_sale(
                db_url=db_url,
                workers=sizes["flash_workers"],
                buyers=sizes["flash_buyers"],
                units=sizes["flash_units"],
            ),
            workers=sizes["flash_workers"],
        )
        connection.close()
        return figures
    finally:
        if engine == "postgresql":
            drop_database(pg, EVILLAGE_DB)
        shutil.rmtree(work, ignore_errors=True)


def _attempt(label: str, part: Callable[[], dict], *, workers: int) -> dict:
    try:
        figures = part()
    except NotImplementedError as exc:
        log(f"  {label}: not implemented ({exc})")
        return {"workers": workers, "status": "not implemented", "orders_per_s": None}
    except Exception as exc:
        log(f"  {label}: failed: {type(exc).__name__}: {exc}")
        return {"workers": workers, "status": f"error: {type(exc).__name__}: {exc}"}
    log(f"  {label}: {figures.get('orders_per_s')} orders/s")
    return {"status": "ok", **figures}


def run_evillage(engine: str, pg: str, sizes: dict) -> dict:
    """Run `evillage_child` in a fresh process; an error there is reported, not raised."""
    command = [sys.executable, __file__, "--evillage", engine, "--pg", pg]
    command += ["--sizes", json.dumps(sizes)]
    # This interpreter and script, fixed arguments.
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)  # noqa: S603
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        log(f"  eVillage on {engine} failed (exit {done.returncode})")
        return {"status": f"error: child exited with {done.returncode}"}
    return json.loads(lines[-1])


def run_oscar(pg: str, sizes: dict) -> tuple[dict | None, bool | None]:
    try:
        python, created = ensure_venv()
    except (OSError, subprocess.CalledProcessError) as exc:
        log(f"  no django-oscar venv: {exc}")
        return {"status": f"error: venv: {exc}"}, None
    args = ["--pg", pg, "--products", str(sizes["skus"]), "--orders", str(sizes["orders"])]
    args += ["--workers", *map(str, sizes["workers"])]
    args += ["--flash-workers", str(sizes["flash_workers"])]
    args += ["--flash-buyers", str(sizes["flash_buyers"])]
    args += ["--flash-units", str(sizes["flash_units"])]
    try:
        return {"status": "ok", **run_harness(python, args)}, created
    except (subprocess.SubprocessError, ValueError, RuntimeError) as exc:
        log(f"  django-oscar harness failed: {exc}")
        return {"status": f"error: {exc}"}, created


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    return round(numerator / denominator, 3) if numerator and denominator else None


def _by_workers(runs: list[dict], workers: int, key: str) -> float | None:
    return next((run.get(key) for run in runs if run.get("workers") == workers), None)


def ratios(sizes: dict, ceiling: dict, evillage: dict, oscar: dict | None) -> dict:
    ours = evillage.get("postgresql") or {}
    peer = oscar or {}
    hot = _by_workers(ceiling["hot_row"], sizes["flash_workers"], "tps")
    figures: dict = {
        "flash_orders_per_s_over_hot_row_tps": _ratio(
            (ours.get("flash_sale") or {}).get("orders_per_s"), hot
        ),
        "oscar_flash_orders_per_s_over_hot_row_tps": _ratio(
            (peer.get("flash_sale") or {}).get("orders_per_s"), hot
        ),
    }
    for workers in sizes["workers"]:
        mine = _by_workers(ours.get("checkout", []), workers, "orders_per_s")
        figures[f"checkout_over_oscar_{workers}w"] = _ratio(
            mine, _by_workers(peer.get("checkout", []), workers, "orders_per_s")
        )
        figures[f"checkout_over_many_rows_tps_{workers}w"] = _ratio(
            mine, _by_workers(ceiling["many_rows"]["runs"], workers, "tps")
        )
    return figures


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under 60 s")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", DEFAULT_PG))
    parser.add_argument("--engines", nargs="*", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--no-oscar", action="store_true", help="skip the django-oscar peer")
    parser.add_argument("--evillage", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.evillage:  # the child process of run_evillage
        print(json.dumps(evillage_child(args.evillage, args.pg, json.loads(args.sizes))))
        return

    sizes = SIZES["quick" if args.quick else "full"]
    started = time.monotonic()
    # Client and server share the CPUs: other work on the machine lowers every figure.
    load_start = os.getloadavg()[0]
    if load_start > (os.cpu_count() or 1):
        log(f"warning: load average {load_start:.1f} on {os.cpu_count()} CPUs; figures will be low")
    log("ceiling: bare psycopg 3 conditional UPDATE")
    ceiling = run_ceiling(
        args.pg,
        hot_workers=sorted({sizes["flash_workers"], *sizes["hot_workers"]}),
        many_workers=sizes["workers"],
        rows=sizes["skus"],
        duration=sizes["ceiling_s"],
        flash_workers=sizes["flash_workers"],
        flash_buyers=sizes["flash_buyers"],
        flash_units=sizes["flash_units"],
    )
    evillage = {}
    for engine in args.engines:
        log(f"eVillage on {engine}")
        evillage[engine] = run_evillage(engine, args.pg, sizes)
    oscar, venv_created = None, None
    if not args.no_oscar:
        log("peer: django-oscar 4.2.1")
        oscar, venv_created = run_oscar(args.pg, sizes)
    with psycopg.connect(f"{args.pg}/postgres") as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    figures = {
        "benchmark": "checkout",
        "quick": args.quick,
        "sizes": sizes,
        "ceiling": ceiling,
        "evillage": {engine: evillage.get(engine) for engine in ENGINES},
        "oscar": oscar,
        "ratios": ratios(sizes, ceiling, evillage, oscar),
        "oscar_venv_created": venv_created,
        "oscar_template_created": (oscar or {}).get("template_created"),
        "total_s": round(time.monotonic() - started, 1),
        "python": platform.python_version(),
        "postgresql": server,
        "sqlite": sqlite3.sqlite_version,
        "machine": {
            "cpus": os.cpu_count(),
            "cpu_model": cpu_model(),
            "load_average_start": round(load_start, 2),
            "load_average_end": round(os.getloadavg()[0], 2),
        },
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
