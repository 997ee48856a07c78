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
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from checkout_ceiling import (
    DEFAULT_PG,
    drop_database,
    log,
    recreate_database,
    run_ceiling,
)
from checkout_evillage import run_evillage_checkout, run_evillage_flash_sale
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
