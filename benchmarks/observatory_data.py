"""benchmarks/observatory.py's synthetic platform: shops clustered in villages as Taobao
villages are, finished orders skewed to them, written into a migrated database."""

import sys
from datetime import UTC, datetime

YEARS = (2024, 2025)  # orders finish over both; the second is classified
SEED = 2016
# 10 million orders over 200,000 shops is 25 orders a shop a year, far fewer than a Taobao
# village's shops sell; a high typical order (RMB 1,000) stands in for the volume, so that
# about as many villages qualify as on the 2014 list.
PRICE_MEDIAN_FEN = 100_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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
        joined = when(now)

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
        first_user = scalar("SELECT MIN(id) FROM accounts_user WHERE username LIKE 'bench-%%'")
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
                    when(datetime.fromtimestamp(shops["created"][i], UTC)),
                    first_user + i,
                )
                for i in range(n)
            ),
        )
        first_shop = scalar("SELECT MIN(id) FROM shops_shop WHERE name LIKE 'Shop %%'")
        _insert(
            "orders_checkout",
            ["public_id", "buyer_id", "currency", "total", "created_at"],
            [("c000000000000001", buyer, "CNY", 1, joined)],
        )
        checkout = scalar("SELECT MAX(id) FROM orders_checkout")
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
            finished = when(datetime.fromtimestamp(orders["finished"][i], UTC))
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


def when(moment: datetime):
    """A datetime as Django writes it (SQLite: naive UTC text), for raw inserts."""
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(moment)


def scalar(sql: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]
