#!/usr/bin/env python3
"""Build the real subset of divisions shipped in src/evillage/places/data/.

China: every province, city and county, plus the towns and villages of a few
Taobao-village counties; `coords.csv.gz` holds the adcodes rows of provinces, cities
and counties. Indonesia: every province and regency, plus the districts and villages
of the batik centres Kabupaten and Kota Pekalongan. Same formats as the sources, so
`evillage import_places` reads both. Output is byte-for-byte reproducible (gzip mtime 0).

    python tools/build_places_subset.py [--data ../shared/data]
"""

import argparse
import csv
import gzip
import io
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "evillage" / "places" / "data"

# 睢宁 Suining, 曹县 Caoxian, 义乌 Yiwu, 沭阳 Shuyang, 清河 Qinghe.
CHINA_COUNTIES = ("320324", "371721", "330782", "321322", "130534")
# Kabupaten Pekalongan, Kota Pekalongan.
INDONESIA_REGENCIES = ("3326", "3375")


def read(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
        yield from csv.DictReader(f)


def header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f))


def write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows, {path.stat().st_size:,} bytes")


def copy(src: Path, dst: Path, keep: Callable[[dict[str, str]], bool]) -> list[dict[str, str]]:
    rows = [r for r in read(src) if keep(r)]
    write(dst, header(src), rows)
    return rows


def build_china(data: Path) -> None:
    src, out = data / "china-divisions", OUT / "cn"
    copy(src / "provinces.csv.gz", out / "provinces.csv.gz", lambda r: True)
    copy(src / "cities.csv.gz", out / "cities.csv.gz", lambda r: True)
    areas = copy(src / "areas.csv.gz", out / "areas.csv.gz", lambda r: True)
    chosen = {r["code"] for r in areas} & set(CHINA_COUNTIES)
    missing = set(CHINA_COUNTIES) - chosen
    if missing:
        print(f"counties not in the data, skipped: {', '.join(sorted(missing))}")
    copy(src / "streets.csv.gz", out / "streets.csv.gz", lambda r: r["areaCode"] in chosen)
    copy(src / "villages.csv.gz", out / "villages.csv.gz", lambda r: r["areaCode"] in chosen)
    coords = data / "china-county-coords" / "adcodes.csv"
    # Provinces, cities and counties: adcodes whose town and village digits are zero.
    copy(coords, out / "coords.csv.gz", lambda r: r["adcode"].endswith("000000"))
    shutil.copyfile(src / "LICENSE.WTFPL", out / "LICENSE.WTFPL")


def build_indonesia(data: Path) -> None:
    src, out = data / "indonesia-divisions", OUT / "id"
    copy(src / "provinces.csv.gz", out / "provinces.csv.gz", lambda r: True)
    regencies = copy(src / "regencies.csv.gz", out / "regencies.csv.gz", lambda r: True)
    chosen = {r["id"] for r in regencies} & set(INDONESIA_REGENCIES)
    if chosen != set(INDONESIA_REGENCIES):
        sys.exit(f"regencies missing from the data: {set(INDONESIA_REGENCIES) - chosen}")
    copy(src / "districts.csv.gz", out / "districts.csv.gz", lambda r: r["regency_id"] in chosen)
    # The villages of a regency all sit in its province's file: villages_NN.csv.gz.
    provinces = sorted({code[:2] for code in chosen})
    rows: list[dict[str, str]] = []
    for province in provinces:
        path = src / "villages" / f"villages_{province}.csv.gz"
        rows += [r for r in read(path) if r["district_id"][:4] in chosen]
        columns = header(path)
    write(out / "villages.csv.gz", columns, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    build_china(args.data)
    build_indonesia(args.data)
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"total {total:,} bytes in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
