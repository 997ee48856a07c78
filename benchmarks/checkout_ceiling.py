"""The bare ceiling for checkout: one conditional stock UPDATE per transaction in psycopg 3.

    UPDATE sku SET available = available - 1, reserved = reserved + 1
     WHERE id = %s AND available >= 1

No ORM, no order rows: what PostgreSQL itself allows on this machine, on one hot row
(the flash sale's limit) and spread over many rows (the limit for checkout over many
SKUs). Every worker thread has its own autocommit connection.

Also home of `race`, the threaded runner that every part of benchmarks/checkout.py
uses (the eVillage workloads, this ceiling and the django-oscar harness), so that all
sides are timed alike. Only the standard library and psycopg are imported here: the
oscar harness imports this module from the peer's own virtual environment.

    .venv/bin/python benchmarks/checkout_ceiling.py [--quick]   # the ceiling alone
"""

import argparse
import itertools
import json
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
CEILING_DB = "evillage_bench_ceiling"
# Stock for the timed loops: never runs out, so every UPDATE changes one row.
PLENTY = 1_000_000_000
UPDATE = (
    "UPDATE sku SET available = available - 1, reserved = reserved + 1"
    " WHERE id = %s AND available >= 1"
)
_END = object()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the runner ---------------------------------------------------------------------------


@dataclass
class Race:
    """What `race` saw: every finished job with its time, and the errors by type."""

    workers: int
    seconds: float
    # (seconds since the start, what the job returned), in order of completion.
    done: list[tuple[float, Any]] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    first_error: str | None = None

    def count(self, value: Any = True) -> int:
        return sum(1 for _, result in self.done if result == value)

    def last(self, value: Any = True) -> float | None:
        """When the last job that returned `value` finished (e.g. the flash sale's sell-out)."""
        times = [at for at, result in self.done if result == value]
        return max(times) if times else None


def race(
    workers: int,
    jobs: Iterable,
    job: Callable[[Any, Any], Any],
    *,
    connect: Callable[[], Any] = lambda: None,
    close: Callable[[Any], None] = lambda state: None,
    duration: float | None = None,
) -> Race:
    """Run `job(state, item)` for the items of `jobs` on `workers` threads, all started at once.

    Each thread calls `connect()` first (its own connection; not timed) and `close(state)`
    at the end; for Django code use the defaults for connect and
    `close=lambda _: django.db.connection.close()`. Items are handed out one at a time
    from the shared iterator, so `jobs` may be endless when `duration` (seconds) bounds
    the run. An exception in a job is counted by type and the worker goes on.
    """
    items: Iterator = iter(jobs)
    lock = threading.Lock()
    ready = threading.Barrier(workers + 1)
    go = threading.Event()
    outcome = Race(workers=workers, seconds=0.0)
    per_thread: list[list[tuple[float, Any]]] = [[] for _ in range(workers)]
    starts: list[float] = [0.0]
    deadline: list[float] = [float("inf")]

    def worker(done: list[tuple[float, Any]]) -> None:
        try:
            state = connect()
        except BaseException:
            ready.abort()
            raise
        try:
            ready.wait()
            go.wait()
            while True:
                with lock:
                    item = next(items, _END)
                if item is _END or time.perf_counter() >= deadline[0]:
                    break
                try:
                    result = job(state, item)
                except Exception as exc:
                    with lock:
                        outcome.errors[type(exc).__name__] += 1
                        outcome.first_error = outcome.first_error or f"{type(exc).__name__}: {exc}"
                    result = exc
                done.append((time.perf_counter(), result))
        finally:
            close(state)

    threads = [threading.Thread(target=worker, args=(out,), daemon=True) for out in per_thread]
    for thread in threads:
        thread.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join()
        raise RuntimeError("a worker could not connect") from None
    starts[0] = time.perf_counter()
    if duration is not None:
        deadline[0] = starts[0] + duration
    go.set()
    for thread in threads:
        thread.join()
    outcome.seconds = time.perf_counter() - starts[0]
    outcome.done = sorted((at - starts[0], result) for out in per_thread for at, result in out)
    return outcome


def checkout_figures(run: Race) -> dict:
    """Figures of a checkout run whose jobs return True for each order placed."""
    orders = run.count(True)
    return {
        "workers": run.workers,
        "orders": orders,
        "seconds": round(run.seconds, 3),
        "orders_per_s": round(orders / run.seconds, 1) if run.seconds else None,
        "errors": dict(run.errors),
        "first_error": run.first_error,
    }


def flash_figures(run: Race, *, units: int, orders_created: int | None = None) -> dict:
    """Figures of a flash sale whose jobs return True for an order and False for "sold out".

    `orders_created` is what the database holds afterwards (count it there: it is the
    honest figure); by default the jobs' own count. Throughput is counted while stock
    lasted: orders created / time to sell out.
    """
    created = run.count(True) if orders_created is None else orders_created
    sell_out = run.last(True)
    return {
        "workers": run.workers,
        "buyers": len(run.done),
        "units": units,
        "orders_created": created,
        "oversold": max(0, created - units),
        "sold_out_refusals": run.count(False),
        "sell_out_s": round(sell_out, 3) if sell_out is not None else None,
        "orders_per_s": round(created / sell_out, 1) if sell_out else None,
        "seconds": round(run.seconds, 3),
        "attempts_per_s": round(len(run.done) / run.seconds, 1) if run.seconds else None,
        "errors": dict(run.errors),
        "first_error": run.first_error,
    }


# --- databases ----------------------------------------------------------------------------


def recreate_database(pg: str, name: str, *, template: str | None = None) -> str:
    """Drop and create database `name` on the server `pg`; return its URL."""
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        clause = f' TEMPLATE "{template}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{clause}')
    return f"{pg}/{name}"


def drop_database(pg: str, name: str) -> None:
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the ceiling --------------------------------------------------------------------------


def _stock(url: str, rows: int, available: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS sku")
        conn.execute(
            "CREATE TABLE sku (id bigint PRIMARY KEY,"
            " available integer NOT NULL CHECK (available >= 0),"
            " reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0))"
        )
        conn.execute(
            "INSERT INTO sku (id, available) SELECT g, %s FROM generate_series(1, %s) g",
            (available, rows),
        )
        conn.execute("VACUUM ANALYZE sku")


def _update_loop(url: str, workers: int, ids: Iterable[int], duration: float | None) -> Race:
    def update(conn: psycopg.Connection, sku_id: int) -> bool:
        return conn.execute(UPDATE, (sku_id,)).rowcount == 1

    return race(
        workers,
        ids,
        update,
        connect=lambda: psycopg.connect(url, autocommit=True),
        close=lambda conn: conn.close(),
        duration=duration,
    )


def _tps(run: Race) -> dict:
    updates = run.count(True)
    return {
        "workers": run.workers,
        "updates": updates,
        "seconds": round(run.seconds, 3),
        "tps": round(updates / run.seconds) if run.seconds else None,
        "errors": dict(run.errors),
    }


def run_ceiling(
    pg: str,
    *,
    hot_workers: list[int],
    many_workers: list[int],
    rows: int,
    duration: float,
    flash_workers: int,
    flash_buyers: int,
    flash_units: int,
) -> dict:
    """The bare UPDATE loop: on one hot row, over `rows` rows, and as a flash sale."""
    url = recreate_database(pg, CEILING_DB)
    try:
        hot = []
        for workers in hot_workers:
            _stock(url, 1, PLENTY)
            hot.append(_tps(_update_loop(url, workers, itertools.repeat(1), duration)))
            log(f"  ceiling, one hot row, {workers:>2} workers: {hot[-1]['tps']:>6,} TPS")
        many = []
        for workers in many_workers:
            _stock(url, rows, PLENTY)
            picks = random.Random(workers)
            ids = (picks.randint(1, rows) for _ in itertools.count())
            many.append(_tps(_update_loop(url, workers, ids, duration)))
            log(f"  ceiling, {rows:,} rows, {workers:>2} workers: {many[-1]['tps']:>6,} TPS")
        _stock(url, 1, flash_units)
        run = _update_loop(url, flash_workers, itertools.repeat(1, flash_buyers), None)
        with psycopg.connect(url) as conn:
            available, reserved = conn.execute(
                "SELECT available, reserved FROM sku WHERE id = 1"
            ).fetchone()
        flash = flash_figures(run, units=flash_units, orders_created=reserved)
        flash["available_after"] = available
        log(
            f"  ceiling, flash sale: {flash['orders_created']} sold of {flash_units},"
            f" sold out in {flash['sell_out_s']} s"
        )
        return {
            "statement": UPDATE,
            "mode": "autocommit, one UPDATE per transaction",
            "duration_s": duration,
            "hot_row": hot,
            "many_rows": {"rows": rows, "runs": many},
            "flash_sale": flash,
        }
    finally:
        drop_database(pg, CEILING_DB)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short loops")
    parser.add_argument("--pg", default=DEFAULT_PG, help="server URL, without a database")
    args = parser.parse_args()
    figures = run_ceiling(
        args.pg,
        hot_workers=[1, 4, 16],
        many_workers=[4, 16],
        rows=10_000,
        duration=1.5 if args.quick else 5.0,
        flash_workers=16,
        flash_buyers=2_000,
        flash_units=100,
    )
    print(json.dumps({"benchmark": "checkout_ceiling", "quick": args.quick, **figures}))


if __name__ == "__main__":
    main()
