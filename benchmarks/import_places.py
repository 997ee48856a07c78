#!/usr/bin/env python3
"""Benchmark: import all of China's divisions (665,276 places) into a fresh SQLite database.

Times a first import (every row created) and a second, idempotent one (every row
compared, none changed). `--quick` imports provinces to towns plus the first 60,000
villages (under 60 s). Progress goes to stderr; the last stdout line is one JSON object.

    .venv/bin/python benchmarks/import_places.py [--quick] [--source DIR]
"""

import argparse
import gzip
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "china-divisions"
QUICK_VILLAGES = 60_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def quick_source(source: Path, folder: Path) -> Path:
    """Provinces to towns as they are, and the first QUICK_VILLAGES villages."""
    folder.mkdir()
    for stem in ("provinces", "cities", "areas", "streets"):
        shutil.copy(source / f"{stem}.csv.gz", folder)
    with (
        gzip.open(source / "villages.csv.gz", "rt", encoding="utf-8") as src,
        (folder / "villages.csv").open("w", encoding="utf-8") as dst,
    ):
        for i, line in enumerate(src):
            if i > QUICK_VILLAGES:
                break
            dst.write(line)
    return folder


class StderrProgress:
    def start(self, label: str, total_bytes: int) -> None:
        self.label, self.started = label, time.monotonic()

    def advance(self, done_bytes: int, rows: int) -> None:
        pass

    def finish(self, stats) -> None:
        took = time.monotonic() - self.started
        log(f"  {self.label:<9} {stats.rows:>8,} rows {took:6.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a slice, under 60 s")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    if not (args.source / "provinces.csv.gz").exists():
        sys.exit(f"no China divisions in {args.source} (give --source)")

    work = Path(tempfile.mkdtemp(prefix="bench-places-"))
    try:
        os.environ["VAR_DIR"] = str(work)
        os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evillage.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from evillage.places.models import Level
        from evillage.places.services import places_import

        source = quick_source(args.source, work / "slice") if args.quick else args.source
        log(f"migrating a fresh database in {work}")
        call_command("migrate", verbosity=0)

        runs = []
        for label in ("first", "second"):
            log(f"{label} import from {source}")
            started = time.perf_counter()
            result = places_import(country="cn", source=source, progress=StderrProgress())
            runs.append((time.perf_counter() - started, result))
            log(f"{label} import: {result.rows:,} rows in {runs[-1][0]:.1f} s")
        (first_s, first), (second_s, second) = runs
        assert second.rows == first.rows and sum(s.created for s in second.levels) == 0
        figures = {
            "benchmark": "import_places",
            "quick": args.quick,
            "db": connection.vendor,
            "rows": {str(Level(s.level).label): s.rows for s in first.levels},
            "total_rows": first.rows,
            "first_import_s": round(first_s, 2),
            "second_import_s": round(second_s, 2),
            "first_rows_per_s": round(first.rows / first_s),
            "second_rows_per_s": round(second.rows / second_s),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "machine": {"cpus": os.cpu_count(), "cpu_model": cpu_model()},
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
