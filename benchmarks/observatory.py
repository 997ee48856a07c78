#!/usr/bin/env python3
"""Benchmark: classify a year of Taobao villages at national scale, against pandas.

All of China's 620,573 villages (../shared/data/china-divisions, or --source), 200,000 shops and
10,000,000 finished orders spread over the villages and two years, in the project's own
tables (migrated schema, real indexes). For each rule set on the platform's data
(aliresearch-2014, -2019, -2022) the time of `classify()` plus `qualifying_towns()` for
the second year, on SQLite and on PostgreSQL, and in the same run the same classification
written plainly with pandas (read the tables with SQL, group, filter) as the baseline.
The three must find the same villages and towns, or the run fails. Also timed: the
dashboard's whole report (this year and the last classified, clusters, shares, map),
computed and then served from the cache.

`--quick`: the first 60,000 villages, 20,000 shops, 400,000 orders (about a minute).
Progress goes to stderr; the last stdout line is one JSON object.

    .venv/bin/python benchmarks/observatory.py [--quick] [--db sqlite|postgresql|both]
        [--pg postgres://postgres@127.0.0.1:5432] [--source DIR]
"""

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from import_places import DEFAULT_SOURCE, cpu_model, quick_source

PG_DB = "evillage_bench_observatory"
SIZES = {
    "quick": {"shops": 20_000, "orders": 400_000},
    "full": {"shops": 200_000, "orders": 10_000_000},
}
YEARS = (2024, 2025)  # orders finish over both; the second is classified
RULE_SETS = ("aliresearch-2014", "aliresearch-2019", "aliresearch-2022")
RUNS = 3  # timed classifications per rule set and engine; the median is reported
TARGET_S = {"postgresql": 10.0, "sqlite": 30.0}
SEED = 2016
# 10 million orders over 200,000 shops is 25 orders a shop a year, far fewer than a Taobao
# village's shops sell; a high typical order (RMB 1,000) stands in for the volume, so that
# about as many villages qualify as on the 2014 list.
PRICE_MEDIAN_FEN = 100_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the synthetic platform ---------------------------------------------------------------


def synthesize(village_towns: list[tuple[int, int]], sizes: dict):
    """Shops clustered in villages, as Taobao villages are, and orders skewed to them.

    Two thirds of the shops sit in clusters of 10-400 shops (one cluster per 100 shops),
    the rest alone in random villages. A cluster's goods have a price level (lognormal,
    median RMB 120, so furniture villages and sock villages both occur) and its shops a
    share of the orders that grows with the cluster. 3% of orders are half refunded.
    """
    import numpy as np

    rng = np.random.default_rng(SEED)
    n_shops, n_orders = sizes["shops"], sizes["orders"]
    villages = np.asarray([v for v, _town in village_towns], dtype=np.int64)
    n_clusters = max(1, n_shops // 100)
    cluster_villages = _cluster_villages(rng, village_towns, n_clusters)
    clustered = n_shops * 2 // 3
    size = np.clip(rng.lognormal(np.log(40), 0.9, n_clusters), 10, 400)
    size = np.maximum(1, np.round(size * clustered / size.sum())).astype(np.int64)
    cluster_of = np.repeat(np.arange(n_clusters), size)[:clustered]
    clustered = len(cluster_of)
    shop_village = np.concatenate(
        [cluster_villages[cluster_of], rng.choice(villages, size=n_shops - clustered)]
    )
    # Fewer orders in a smaller run are worth more, so that a like share of villages
    # reaches the RMB 10 million of sales at every size.
    value = 10_000_000 / n_orders
    price_level = value * np.concatenate(
        [
            rng.lognormal(np.log(PRICE_MEDIAN_FEN), 0.9, n_clusters)[cluster_of],
            rng.lognormal(np.log(8_000), 0.7, n_shops - clustered),
        ]
    )
    activity = np.concatenate(
        [rng.lognormal(1.5, 1.0, clustered), rng.lognormal(0.0, 1.0, n_shops - clustered)]
    )
    activity[rng.random(n_shops) < 0.1] = 0  # shops that never sell
    year_start = datetime(YEARS[0], 1, 1, tzinfo=UTC).timestamp()
    year_end = datetime(YEARS[-1] + 1, 1, 1, tzinfo=UTC).timestamp()
    opened = rng.uniform(year_start - 4 * 365 * 86400, year_end - 20 * 86400, n_shops)
    shops = {
        "village": shop_village,
        "kind": np.where(rng.random(n_shops) < 0.85, "individual", "enterprise"),
        "created": opened,
        # 85% of owners live in the shop's village, 10% elsewhere, 5% told nobody.
        "residence": np.where(
            rng.random(n_shops) < 0.85, shop_village, rng.choice(villages, size=n_shops)
        ),
        "has_residence": rng.random(n_shops) >= 0.05,
    }
    shop_of = np.sort(rng.choice(n_shops, size=n_orders, p=_normalised(activity)))
    finished = rng.uniform(np.maximum(opened[shop_of], year_start), year_end)
    total = np.maximum(100, (price_level[shop_of] * rng.lognormal(0, 0.5, n_orders))).astype(
        np.int64
    )
    refunded = np.where(rng.random(n_orders) < 0.03, total // 2, 0)
    orders = {"shop": shop_of, "finished": finished, "total": total, "refunded": refunded}
    households = {
        int(v): int(h)
        for v, h in zip(cluster_villages, rng.integers(150, 2500, n_clusters), strict=True)
    }
    return shops, orders, households


def _cluster_villages(rng, village_towns: list[tuple[int, int]], n: int):
    """Half the clusters four to a town (as in Shaji), the other half anywhere."""
    import numpy as np

    by_town: dict[int, list[int]] = {}
    for village, town in village_towns:
        by_town.setdefault(town, []).append(village)
    towns = [t for t, vs in by_town.items() if len(vs) >= 4]
    grouped = [
        v for t in rng.choice(towns, size=n // 8, replace=False) for v in by_town[int(t)][:4]
    ]
    taken = set(grouped)
    rest = [v for v, _town in village_towns if v not in taken]
    return np.concatenate([grouped, rng.choice(rest, size=n - len(grouped), replace=False)])


def _normalised(weights):
    return weights / weights.sum()


def load(shops: dict, orders: dict, households: dict) -> None:
    """Write users, shops, households and orders into the migrated database."""
    from django.db import connection, transaction

    from evillage.places.models import Place

    vendor = connection.vendor
    now = datetime.now(UTC)
    if vendor == "sqlite":  # setup only: the timed runs use fresh, normal connections
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")
    with transaction.atomic():
        Place.objects.filter(id__in=list(households)).update(households=None)
        for pid, count in households.items():
            Place.objects.filter(id=pid).update(households=count)
        n = len(shops["village"])
        joined = _when(now)

        def residence(i: int) -> int | None:
            return int(shops["residence"][i]) if i < n and shops["has_residence"][i] else None

        users = (
            (
                f"bench-{i}",
                "!",
                f"u{i:015d}",
                f"Seller {i}",
                "zh-hans",
                joined,
                True,
                False,
                False,
                residence(i),
                f"bench-{i}@example.invalid",
                "",
                "",
            )
            for i in range(n + 1)  # the sellers, and one buyer
        )
        _insert(
            "accounts_user",
            [
                "username",
                "password",
                "public_id",
                "display_name",
                "language",
                "date_joined",
                "is_active",
                "is_staff",
                "is_superuser",
                "residence_id",
                "email",
                "first_name",
                "last_name",
            ],
            users,
        )
        first_user = _scalar("SELECT MIN(id) FROM accounts_user WHERE username LIKE 'bench-%%'")
        buyer = first_user + n
        _insert(
            "shops_shop",
            [
                "public_id",
                "name",
                "kind",
                "description",
                "logo",
                "village_id",
                "currency",
                "status",
                "shipping_fee",
                "is_featured",
                "created_at",
                "owner_id",
            ],
            (
                (
                    f"s{i:015d}",
                    f"Shop {i}",
                    str(shops["kind"][i]),
                    "",
                    "",
                    int(shops["village"][i]),
                    "CNY",
                    "open",
                    0,
                    False,
                    _when(datetime.fromtimestamp(shops["created"][i], UTC)),
                    first_user + i,
                )
                for i in range(n)
            ),
        )
        first_shop = _scalar("SELECT MIN(id) FROM shops_shop WHERE name LIKE 'Shop %%'")
        _insert(
            "orders_checkout",
            ["public_id", "buyer_id", "currency", "total", "created_at"],
            [("c000000000000001", buyer, "CNY", 1, joined)],
        )
        checkout = _scalar("SELECT MAX(id) FROM orders_checkout")
        place = int(shops["village"][0])
    columns = [
        "public_id",
        "checkout_id",
        "buyer_id",
        "shop_id",
        "shop_kind",
        "state",
        "currency",
        "items_total",
        "shipping_fee",
        "total",
        "refunded",
        "ship_to_place_id",
        "ship_to_street",
        "ship_to_name",
        "ship_to_phone",
        "buyer_note",
        "carrier",
        "waybill",
        "confirm_extended_days",
        "created_at",
        "paid_at",
        "shipped_at",
        "finished_at",
        "close_reason",
        "seller_amount",
        "commission",
        "settled_by_other_order",
    ]
    count = len(orders["shop"])
    chunk = 500_000
    for begin in range(0, count, chunk):
        stop = min(count, begin + chunk)
        rows = []
        for i in range(begin, stop):
            shop = int(orders["shop"][i])
            total = int(orders["total"][i])
            finished = _when(datetime.fromtimestamp(orders["finished"][i], UTC))
            rows.append(
                (
                    f"o{i:015d}",
                    checkout,
                    buyer,
                    first_shop + shop,
                    str(shops["kind"][shop]),
                    "finished",
                    "CNY",
                    total,
                    0,
                    total,
                    int(orders["refunded"][i]),
                    place,
                    "1 Main St",
                    "Buyer",
                    "13800000000",
                    "",
                    "SF",
                    f"SF{i:012d}",
                    0,
                    finished,
                    finished,
                    finished,
                    finished,
                    "",
                    total,
                    0,
                    False,
                )
            )
        with transaction.atomic():
            _insert("orders_order", columns, rows)
        log(f"  orders {stop:>11,} / {count:,}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if vendor == "sqlite" else "VACUUM ANALYZE")


def _insert(table: str, columns: list[str], rows) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
            cursor.cursor.executemany(sql, rows)


def _when(moment: datetime):
    """A datetime as Django writes it (SQLite: naive UTC text), for raw inserts."""
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(moment)


def _scalar(sql: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


# --- the project's classification and the pandas baseline ----------------------------------


def classify_with_project(slug: str):
    from evillage.observatory.classification import classify, qualifying_towns
    from evillage.observatory.rules import rule_set_get

    result = classify(year=YEARS[-1], rule_set=rule_set_get(slug=slug))
    towns = qualifying_towns(result)
    return {u.village_id for u in result.villages}, {t.town_id for t in towns}


def time_report(slug: str) -> tuple[float, float]:
    """The dashboard's report (this year and last year classified, clusters, shares, map,
    employment) computed from scratch, then served from the cache."""
    from django.core.cache import cache

    from evillage.observatory.report import observatory_report
    from evillage.observatory.rules import rule_set_get

    rule_set = rule_set_get(slug=slug)
    cache.clear()
    t0 = time.perf_counter()
    observatory_report(year=YEARS[-1], rule_set=rule_set)
    computed = time.perf_counter() - t0
    t0 = time.perf_counter()
    observatory_report(year=YEARS[-1], rule_set=rule_set)
    return computed, time.perf_counter() - t0


def classify_with_pandas(slug: str) -> tuple[set, set, float]:
    """What an analyst would write: read the tables, merge, group, filter.

    Returns the villages, the towns and the seconds spent reading (the rest is compute).
    """
    import warnings

    import pandas as pd
    from django.db import connection

    from evillage.observatory.classification import _window_start, year_bounds
    from evillage.observatory.rules import rule_set_get

    rs = rule_set_get(slug=slug)
    start, end = year_bounds(YEARS[-1])
    window = _window_start(YEARS[-1], rs.active_window_months)
    opened_by = end - pd.Timedelta(days=rs.active_min_days)
    connection.ensure_connection()
    read_started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas prefers SQLAlchemy
        raw = connection.connection
        orders = pd.read_sql(
            "SELECT shop_id, total, refunded, finished_at FROM orders_order"
            " WHERE state = 'finished' AND currency = %s"
            " AND finished_at >= %s AND finished_at < %s".replace(
                "%s", "?" if connection.vendor == "sqlite" else "%s"
            ),
            raw,
            params=(rs.currency, _when(start), _when(end)),
        )
        shops = pd.read_sql(
            "SELECT s.id AS shop_id, COALESCE(u.residence_id, s.village_id) AS village_id,"
            " s.kind, s.currency, s.created_at FROM shops_shop s"
            " JOIN accounts_user u ON u.id = s.owner_id",
            raw,
        )
        places = pd.read_sql(
            "SELECT id AS village_id, parent_id AS town_id, households FROM places_place"
            " WHERE level = 5",
            raw,
        )
    read_s = time.perf_counter() - read_started
    orders["finished_at"] = pd.to_datetime(orders["finished_at"], utc=True, format="ISO8601")
    shops["created_at"] = pd.to_datetime(shops["created_at"], utc=True, format="ISO8601")
    orders["net"] = orders["total"] - orders["refunded"]
    orders["recent"] = orders["finished_at"] >= pd.Timestamp(window)
    per_shop = orders.groupby("shop_id").agg(sales=("net", "sum"), recent=("recent", "sum"))
    shops = shops.merge(per_shop, left_on="shop_id", right_index=True, how="left").fillna(
        {"sales": 0, "recent": 0}
    )
    active = shops[
        (shops["currency"] == rs.currency)
        & (shops["created_at"] < pd.Timestamp(opened_by))
        & (shops["recent"] >= rs.active_min_orders)
    ]
    villages = pd.DataFrame(
        {
            "sales": shops.groupby("village_id")["sales"].sum(),
            "merchants": active.groupby("village_id").size(),
        }
    ).fillna(0)
    villages = villages.join(places.set_index("village_id"), how="left")
    enough_merchants = villages["merchants"] >= (rs.min_merchants or float("inf"))
    by_households = (
        villages["households"].notna()
        & (villages["households"] > 0)
        & (villages["merchants"] * 100 >= villages["households"] * (rs.min_household_percent or 0))
        if rs.min_household_percent
        else False
    )
    qualifying = villages[(villages["sales"] >= rs.min_sales) & (enough_merchants | by_households)]
    towns = qualifying.groupby("town_id").size()
    towns = towns[towns >= rs.town_min_villages]
    if rs.town_min_shops is not None or rs.town_min_sales is not None:
        in_towns = villages[villages["town_id"].isin(towns.index)].groupby("town_id")
        totals = pd.DataFrame(
            {"shops": in_towns["merchants"].sum(), "sales": in_towns["sales"].sum()}
        )
        keep = pd.Series(True, index=totals.index)
        if rs.town_min_shops is not None:
            keep &= totals["shops"] >= rs.town_min_shops
        if rs.town_min_sales is not None:
            keep &= totals["sales"] >= rs.town_min_sales
        towns = towns[keep.reindex(towns.index, fill_value=False)]
    return {int(v) for v in qualifying.index}, {int(t) for t in towns.index}, read_s


# --- one engine, in its own process ---------------------------------------------------------


def engine_child(engine: str, pg: str, source: Path, quick: bool) -> dict:
    sizes = SIZES["quick" if quick else "full"]
    work = Path(tempfile.mkdtemp(prefix="bench-observatory-"))
    try:
        if engine == "postgresql":
            from checkout_ceiling import recreate_database

            os.environ["DATABASE_URL"] = recreate_database(pg, PG_DB)
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
        os.environ["VAR_DIR"] = str(work)
        os.environ["DJANGO_SETTINGS_MODULE"] = "evillage.settings"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from evillage.places.models import Level, Place
        from evillage.places.services import places_import

        figures: dict = {"engine": engine}
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        places = quick_source(source, work / "slice") if quick else source
        places_import(country="cn", source=places)
        village_ids = list(
            Place.objects.filter(level=Level.VILLAGE).order_by("id").values_list("id", "parent_id")
        )
        figures["villages"] = len(village_ids)
        figures["import_places_s"] = round(time.perf_counter() - started, 1)
        log(f"[{engine}] {len(village_ids):,} villages in {figures['import_places_s']} s")

        started = time.perf_counter()
        shops, orders, households = synthesize(village_ids, sizes)
        load(shops, orders, households)
        figures["shops"], figures["orders"] = sizes["shops"], sizes["orders"]
        figures["load_s"] = round(time.perf_counter() - started, 1)
        log(f"[{engine}] shops and orders loaded in {figures['load_s']} s")
        if engine == "sqlite":
            figures["db_bytes"] = (work / "bench.sqlite3").stat().st_size
        else:
            figures["db_bytes"] = _scalar("SELECT pg_database_size(current_database())")

        figures["rule_sets"] = {}
        for slug in RULE_SETS:
            times = []
            for _ in range(RUNS):
                connection.close()  # each run opens its connection, as a request would
                t0 = time.perf_counter()
                villages, towns = classify_with_project(slug)
                times.append(time.perf_counter() - t0)
            connection.close()
            t0 = time.perf_counter()
            pd_villages, pd_towns, read_s = classify_with_pandas(slug)
            pandas_s = time.perf_counter() - t0
            if (pd_villages, pd_towns) != (villages, towns):
                raise SystemExit(
                    f"{engine} {slug}: pandas found {len(pd_villages)} villages /"
                    f" {len(pd_towns)} towns, the project {len(villages)} / {len(towns)}"
                )
            report_s, report_cached_s = time_report(slug)
            median = statistics.median(times)
            figures["rule_sets"][slug] = {
                "villages": len(villages),
                "towns": len(towns),
                "classify_s": [round(t, 2) for t in times],
                "classify_median_s": round(median, 2),
                "pandas_s": round(pandas_s, 2),
                "pandas_read_s": round(read_s, 2),
                "pandas_compute_s": round(pandas_s - read_s, 2),
                "speedup_vs_pandas": round(pandas_s / median, 2),
                "dashboard_report_s": round(report_s, 2),
                "dashboard_report_cached_ms": round(report_cached_s * 1000, 1),
                "target_s": TARGET_S[engine],
                "met": median < TARGET_S[engine] and median < pandas_s,
            }
            log(
                f"[{engine}] {slug}: {len(villages)} villages, {len(towns)} towns;"
                f" classify {', '.join(f'{t:.2f}' for t in times)} s;"
                f" pandas {pandas_s:.2f} s (read {read_s:.2f});"
                f" dashboard report {report_s:.2f} s, cached {report_cached_s * 1000:.1f} ms"
            )
        return figures
    finally:
        if engine == "postgresql":
            from django.db import connections

            connections.close_all()
            from checkout_ceiling import drop_database

            drop_database(pg, PG_DB)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a slice: about a minute")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--child", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not (args.source / "villages.csv.gz").exists():
        sys.exit(f"no China divisions in {args.source} (give --source)")
    if args.child:
        print(json.dumps(engine_child(args.child, args.pg, args.source, args.quick)))
        return

    engines = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = {}
    for engine in engines:
        command = [sys.executable, __file__, "--child", engine, "--pg", args.pg]
        command += ["--source", str(args.source)] + (["--quick"] if args.quick else [])
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            sys.exit(f"{engine} run failed ({done.returncode})")
        results[engine] = json.loads(done.stdout.strip().splitlines()[-1])
    import pandas

    figures = {
        "benchmark": "observatory",
        "quick": args.quick,
        "year": YEARS[-1],
        "engines": results,
        "met": all(r["met"] for e in results.values() for r in e["rule_sets"].values()),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "pandas": pandas.__version__,
        "machine": {"cpus": os.cpu_count(), "cpu_model": cpu_model()},
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
