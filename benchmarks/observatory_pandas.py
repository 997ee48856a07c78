"""benchmarks/observatory.py's baseline: the classification written plainly in pandas."""

import time

from observatory_data import YEARS, when


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
            params=(rs.currency, when(start), when(end)),
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
