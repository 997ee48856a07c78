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
Progress goes to stderr; the last stdout line is one JSON object. The synthetic
platform is built by observatory_data.py, the pandas baseline is observatory_pandas.py.

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
from observatory_data import YEARS, load, log, scalar, synthesize
from observatory_pandas import classify_with_pandas

PG_DB = "evillage_bench_observatory"
SIZES = {
    "quick": {"shops": 20_000, "orders": 400_000},
    "full": {"shops": 200_000, "orders": 10_000_000},
}
RULE_SETS = ("aliresearch-2014", "aliresearch-2019", "aliresearch-2022")
RUNS = 3  # timed classifications per rule set and engine; the median is reported
TARGET_S = {"postgresql": 10.0, "sqlite": 30.0}


# --- the project's classification ---------------------------------------------------------


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
            figures["db_bytes"] = scalar("SELECT pg_database_size(current_database())")

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
