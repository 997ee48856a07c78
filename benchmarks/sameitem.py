#!/usr/bin/env python3
"""Benchmark: identical-product photo matching (sameitem fingerprints and index).

Method, one run:
  catalogue  the 17 fixture pictures of src/evillage/sameitem/tests/fixtures (the nine
             scikit-image photographs of /work/shared/data/images and eight more freely
             licensed scikit-image pictures, downscaled to 320 px): each stored with
             ``photo_fingerprints`` as photo 1..17.
  queries    each picture under each transform, V random variants each (watermark text,
             colour and place; border colour; crop position): resize to half, JPEG quality
             30, brightness +20% and -20%, a text watermark, a 5% border, a 10% crop (a
             window of 90% of the area, sides 94.9%, at a random place) and, reported but
             not a target, a harsher 19% crop (90% of each side). Looked up with
             ``query_fingerprints`` + ``FingerprintIndex.query`` (MATCH_DISTANCE).
  distractors  D extra fingerprints (10,000 / 100,000 / 1,000,000) stored beside the
             catalogue, 14 to a "photo" (the number a listing photo stores), hashed with
             the same DCT hash (``dct_hash``) from 32x32 images made here:
               40% views of the catalogue pictures: a random 15-60% of a side (so at most
                   36% of the area: a different picture, not a crop "of about a tenth"),
                   random rotation, mirrored half the time: hard negatives, the same
                   textures and colours as the queries;
               20% blends of two such views;
               20% procedural "product shots": 1-4 ellipses and rectangles of random grey
                   on a plain background with a random gradient;
               20% smooth random fields (sums of random low-frequency cosines + noise).
  recall     share of queries whose own photo is returned;
  precision  returned correct photos / all returned photos, where a wrong photo is
             another catalogue picture or a distractor "photo".
  latency    ``FingerprintIndex.query`` alone, p50 / p99 over all queries, one thread;
             build: ``FingerprintIndex.build`` from (photo_id, signed int) rows.
  baseline   imagehash 4.3.2 ``phash`` of the query compared one by one in Python
             (``ImageHash.__sub__``) against the same stored fingerprints converted to
             ImageHash objects, timed on a sample of S stored fingerprints and
             extrapolated linearly to the full size (said in the output), speed ratio =
             baseline time per query / our p50. Also imagehash pHash's own recall on the
             transforms (whole picture against whole picture, same distance), to compare
             the hashes.

`--quick` (10,000 and 100,000 distractors, 2 variants) runs in well under 60 s. Progress
goes to stderr; the last stdout line is one JSON object.

    .venv/bin/python benchmarks/sameitem.py [--quick] [--seed N]
"""

import argparse
import io
import json
import math
import os
import platform
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from evillage.sameitem.fingerprint import (  # noqa: E402
    MATCH_DISTANCE,
    dct_hash,
    photo_fingerprints,
    query_fingerprints,
)
from evillage.sameitem.index import FingerprintIndex  # noqa: E402

FIXTURES = ROOT / "src/evillage/sameitem/tests/fixtures"
FPS_PER_DISTRACTOR_PHOTO = 14
DISTRACTOR_ID_BASE = 10_000_000
TARGET_TRANSFORMS = [
    "half",
    "jpeg30",
    "brightness+20",
    "brightness-20",
    "watermark",
    "border5",
    "crop10",
]
SIZES = {
    "quick": {"distractors": [10_000, 100_000], "variants": 2, "baseline_sample": 5_000},
    "full": {
        "distractors": [10_000, 100_000, 1_000_000],
        "variants": 6,
        "baseline_sample": 20_000,
    },
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- transforms ---------------------------------------------------------------------------


def _half(image, rng):
    size = (max(1, image.width // 2), max(1, image.height // 2))
    return image.resize(size, Image.Resampling.LANCZOS)


def _jpeg30(image, rng):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=30)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _brighter(image, rng):
    return ImageEnhance.Brightness(image).enhance(1.2)


def _darker(image, rng):
    return ImageEnhance.Brightness(image).enhance(0.8)


def _watermark(image, rng):
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    size = max(8, image.height // 12)
    font = ImageFont.load_default(size=size)
    text = rng.choice(["eVillage shop", "SAMPLE", "www.example.cn 8848", "(c) Best Price"])
    colour = rng.choice([(255, 255, 255, 150), (0, 0, 0, 150), (255, 0, 0, 170)])
    place = (rng.randint(0, image.width // 4), rng.randint(0, max(0, image.height - size - 2)))
    ImageDraw.Draw(layer).text(place, text, font=font, fill=colour)
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _border(image, rng):
    colour = rng.choice([(255, 255, 255), (0, 0, 0), (128, 128, 128), (250, 240, 200)])
    width, height = round(image.width * 0.05), round(image.height * 0.05)
    return ImageOps.expand(image, border=(width, height, width, height), fill=colour)


def _crop(fraction):
    def crop(image, rng):
        width, height = round(image.width * fraction), round(image.height * fraction)
        left = rng.randint(0, image.width - width)
        top = rng.randint(0, image.height - height)
        return image.crop((left, top, left + width, top + height))

    return crop


TRANSFORMS = {
    "half": _half,
    "jpeg30": _jpeg30,
    "brightness+20": _brighter,
    "brightness-20": _darker,
    "watermark": _watermark,
    "border5": _border,
    "crop10": _crop(math.sqrt(0.9)),
    "crop19": _crop(0.9),
}


# --- distractors --------------------------------------------------------------------------


def _grey_pyramid(images):
    """Greyscale float arrays of each picture at 256, 128 and 64 px (long side)."""
    pyramids = []
    for image in images:
        grey = image.convert("L")
        levels = []
        for side in (256, 128, 64):
            scale = side / max(grey.size)
            size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
            levels.append(np.asarray(grey.resize(size, Image.Resampling.BOX), dtype=np.float32))
        pyramids.append(levels)
    return pyramids


def _views(pyramids, count, rng):
    """count 32x32 views: random 15-60% of a side, rotated, mirrored half the time."""
    out = np.empty((count, 32, 32), dtype=np.float32)
    u = (np.arange(32, dtype=np.float32) + 0.5) / 32 - 0.5
    grid_u, grid_v = np.meshgrid(u, u)
    source = rng.integers(len(pyramids), size=count)
    fraction = rng.uniform(0.15, 0.6, size=count)
    level = np.clip(np.floor(np.log2(fraction * 256 / 40)), 0, 2).astype(int)
    level = 2 - level  # big views from small levels: about 32-64 source px per view
    angle = rng.uniform(0, 2 * np.pi, size=count)
    mirror = rng.random(count) < 0.5
    for (src, lev), members in _group(source, level):
        array = pyramids[src][lev]
        height, width = array.shape
        side = fraction[members] * min(height, width)
        half = side / 2 * np.sqrt(2)  # room for any rotation
        cx = rng.uniform(half, np.maximum(half + 1e-3, width - half))
        cy = rng.uniform(half, np.maximum(half + 1e-3, height - half))
        cos, sin = np.cos(angle[members]), np.sin(angle[members])
        gu = np.where(mirror[members, None, None], -grid_u, grid_u)
        xs = cx[:, None, None] + side[:, None, None] * (
            cos[:, None, None] * gu - sin[:, None, None] * grid_v
        )
        ys = cy[:, None, None] + side[:, None, None] * (
            sin[:, None, None] * gu + cos[:, None, None] * grid_v
        )
        xs = np.clip(xs.astype(int), 0, width - 1)
        ys = np.clip(ys.astype(int), 0, height - 1)
        out[members] = array[ys, xs]
    return out


def _group(source, level):
    keys = source * 3 + level
    for key in np.unique(keys):
        yield (int(key) // 3, int(key) % 3), np.flatnonzero(keys == key)


def _product_shots(count, rng):
    """Plain background with a gradient, 1-4 ellipses/rectangles of random grey."""
    y, x = np.mgrid[0:32, 0:32].astype(np.float32) / 31
    out = np.empty((count, 32, 32), dtype=np.float32)
    background = rng.uniform(150, 255, size=count)
    gx, gy = rng.uniform(-40, 40, size=(2, count))
    out[:] = background[:, None, None] + gx[:, None, None] * x + gy[:, None, None] * y
    shapes = rng.integers(1, 5, size=count)
    for k in range(4):
        members = np.flatnonzero(shapes > k)
        n = len(members)
        cx, cy = rng.uniform(0.15, 0.85, size=(2, n))
        rx, ry = rng.uniform(0.08, 0.45, size=(2, n))
        grey = rng.uniform(0, 230, size=n)
        ellipse = rng.random(n) < 0.5
        dx = (x[None] - cx[:, None, None]) / rx[:, None, None]
        dy = (y[None] - cy[:, None, None]) / ry[:, None, None]
        inside = np.where(
            ellipse[:, None, None], dx**2 + dy**2 <= 1, (np.abs(dx) <= 1) & (np.abs(dy) <= 1)
        )
        block = out[members]
        block[inside] = np.broadcast_to(grey[:, None, None], inside.shape)[inside]
        out[members] = block
    return out + rng.normal(0, 3, size=out.shape).astype(np.float32)


def _smooth_fields(count, rng):
    """Sums of six random low-frequency cosines plus noise."""
    y, x = np.mgrid[0:32, 0:32].astype(np.float32) / 32
    out = np.full((count, 32, 32), 128, dtype=np.float32)
    for _ in range(6):
        fx, fy = rng.uniform(0, 6, size=(2, count))
        phase = rng.uniform(0, 2 * np.pi, size=count)
        amp = rng.uniform(5, 40, size=count)
        out += amp[:, None, None] * np.cos(
            2 * np.pi * (fx[:, None, None] * x + fy[:, None, None] * y) + phase[:, None, None]
        )
    return out + rng.normal(0, 4, size=out.shape).astype(np.float32)


KINDS = ("view", "blend", "product", "field")


def distractor_fingerprints(images, count, seed):
    """count signed 64-bit distractor fingerprints (see the module docstring), and the
    kind (index into KINDS) of each."""
    rng = np.random.default_rng(seed)
    pyramids = _grey_pyramid(images)
    result = np.empty(count, dtype=np.uint64)
    all_kinds = np.empty(count, dtype=np.int8)
    batch = 20_000
    for start in range(0, count, batch):
        n = min(batch, count - start)
        kinds = rng.choice(4, size=n, p=[0.4, 0.2, 0.2, 0.2])
        all_kinds[start : start + n] = kinds
        pixels = np.empty((n, 32, 32), dtype=np.float32)
        for kind, maker in enumerate(
            (
                lambda k: _views(pyramids, k, rng),
                lambda k: (_views(pyramids, k, rng) + _views(pyramids, k, rng)) / 2,
                lambda k: _product_shots(k, rng),
                lambda k: _smooth_fields(k, rng),
            )
        ):
            members = np.flatnonzero(kinds == kind)
            if len(members):
                pixels[members] = maker(len(members))
        result[start : start + n] = dct_hash(pixels)
    return result.view(np.int64), all_kinds


# --- measurement --------------------------------------------------------------------------


def percentile(values, q):
    return float(np.percentile(np.asarray(values), q)) if len(values) else None


def make_queries(images, variants, seed):
    rng = random.Random(seed)
    queries = []
    for transform, function in TRANSFORMS.items():
        for photo_id, image in enumerate(images, start=1):
            for _ in range(variants):
                queries.append((transform, photo_id, function(image, rng)))
    return queries


SWEEP = (6, 8, 10, 12)


def evaluate(index, names, queries_fps, kinds):
    """Recall and precision per transform at MATCH_DISTANCE, a sweep of other distances,
    where the false matches come from, and the latency of ``index.query``."""
    catalogue_size = len(names)
    per = {}
    sweep = {d: {"found": 0, "wrong": 0, "queries": 0, "clean": 0} for d in SWEEP}
    wrong_by_picture: dict[str, int] = {}
    target_found: dict[str, int] = {}  # per query picture, target transforms only
    target_wrong: dict[str, int] = {}
    wrong_by_kind = dict.fromkeys(["catalogue", *KINDS], 0)
    latencies = []
    for transform, photo_id, fps in queries_fps:
        started = time.perf_counter()
        found = index.query(fps)
        latencies.append(time.perf_counter() - started)
        wide = index.query(fps, max_distance=max(SWEEP))
        entry = per.setdefault(
            transform, {"queries": 0, "found": 0, "wrong_catalogue": 0, "wrong_distractor": 0}
        )
        entry["queries"] += 1
        ids = [pid for pid, _ in found]
        entry["found"] += photo_id in ids
        entry["wrong_catalogue"] += sum(
            1 for pid in ids if pid != photo_id and pid <= catalogue_size
        )
        entry["wrong_distractor"] += sum(1 for pid in ids if pid >= DISTRACTOR_ID_BASE)
        for pid in ids:
            if pid != photo_id:
                name = names[photo_id - 1]
                wrong_by_picture[name] = wrong_by_picture.get(name, 0) + 1
                kind = (
                    "catalogue"
                    if pid <= catalogue_size
                    else KINDS[kinds[(pid - DISTRACTOR_ID_BASE) * FPS_PER_DISTRACTOR_PHOTO]]
                )
                wrong_by_kind[kind] += 1
        if transform in TARGET_TRANSFORMS:
            name = names[photo_id - 1]
            target_found[name] = target_found.get(name, 0) + (photo_id in ids)
            target_wrong[name] = target_wrong.get(name, 0) + sum(
                1 for pid in ids if pid != photo_id
            )
            for distance, row in sweep.items():
                hit = [pid for pid, d in wide if d <= distance]
                wrong = sum(1 for pid in hit if pid != photo_id)
                row["queries"] += 1
                row["found"] += photo_id in hit
                row["wrong"] += wrong
                row["clean"] += wrong == 0
    for entry in per.values():
        wrong = entry["wrong_catalogue"] + entry["wrong_distractor"]
        entry["recall"] = round(entry["found"] / entry["queries"], 4)
        returned = entry["found"] + wrong
        entry["precision"] = round(entry["found"] / returned, 4) if returned else None
    sweep_out = {
        str(d): {
            "recall": round(row["found"] / row["queries"], 4),
            "precision": round(row["found"] / max(1, row["found"] + row["wrong"]), 4),
            "queries_without_false_match": round(row["clean"] / row["queries"], 4),
        }
        for d, row in sweep.items()
    }
    worst = max(target_wrong, key=target_wrong.get) if target_wrong else None
    rest_found = sum(v for k, v in target_found.items() if k != worst)
    rest_wrong = sum(v for k, v in target_wrong.items() if k != worst)
    false_matches = {
        "by_query_picture": wrong_by_picture,
        "by_kind": wrong_by_kind,
        "worst_query_picture": worst,
        "precision_without_worst_picture": round(rest_found / max(1, rest_found + rest_wrong), 4),
    }
    return per, latencies, sweep_out, false_matches


def baseline(images, queries, stored_unsigned, sample, full_sizes):
    import imagehash

    stored = [
        imagehash.ImageHash(
            np.unpackbits(np.array([v], dtype=">u8").view(np.uint8)).reshape(8, 8).astype(bool)
        )
        for v in stored_unsigned[:sample].tolist()
    ]
    timed = queries[:: max(1, len(queries) // 5)][:5]
    seconds = []
    for _, _, image in timed:
        started = time.perf_counter()
        query = imagehash.phash(image)
        hits = [i for i, other in enumerate(stored) if query - other <= MATCH_DISTANCE]
        seconds.append(time.perf_counter() - started)
        del hits
    per_query_sample = float(np.median(seconds))
    per_fp = per_query_sample / sample
    # imagehash pHash's own robustness: whole picture against whole picture.
    originals = [imagehash.phash(image) for image in images]
    recall = {}
    for transform, photo_id, image in queries:
        entry = recall.setdefault(transform, [0, 0])
        entry[0] += 1
        entry[1] += (imagehash.phash(image) - originals[photo_id - 1]) <= MATCH_DISTANCE
    return {
        "sample_fingerprints": sample,
        "seconds_per_query_on_sample": round(per_query_sample, 4),
        "extrapolated_seconds_per_query": {str(n): round(per_fp * n, 3) for n in full_sizes},
        "imagehash_phash_recall_whole_picture": {
            t: round(found / total, 4) for t, (total, found) in recall.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()
    sizes = SIZES["quick" if args.quick else "full"]
    started_at = datetime.now(UTC)
    wall = time.perf_counter()
    load_start = os.getloadavg()[0]
    if load_start > (os.cpu_count() or 1) * 0.75:
        log(f"warning: load average {load_start:.1f} on {os.cpu_count()} CPUs")

    paths = sorted(FIXTURES.glob("*.jpg"))
    images = []
    for path in paths:
        with Image.open(path) as image:
            images.append(image.convert("RGB"))
    names = [path.stem for path in paths]
    log(f"catalogue: {len(images)} pictures")
    started = time.perf_counter()
    catalogue_rows = [
        (photo_id, fp)
        for photo_id, image in enumerate(images, start=1)
        for fp in photo_fingerprints(image)
    ]
    photo_fp_ms = (time.perf_counter() - started) / len(images) * 1000
    queries = make_queries(images, sizes["variants"], args.seed)
    started = time.perf_counter()
    queries_fps = [(t, pid, query_fingerprints(image)) for t, pid, image in queries]
    query_fp_ms = (time.perf_counter() - started) / len(queries) * 1000
    log(
        f"{len(queries)} queries; fingerprinting {photo_fp_ms:.1f} ms/photo, "
        f"{query_fp_ms:.1f} ms/query"
    )

    biggest = max(sizes["distractors"])
    started = time.perf_counter()
    distractors, kinds = distractor_fingerprints(images, biggest, args.seed)
    log(f"{biggest:,} distractor fingerprints in {time.perf_counter() - started:.1f} s")
    runs = []
    for count in sizes["distractors"]:
        rows = catalogue_rows + [
            (DISTRACTOR_ID_BASE + i // FPS_PER_DISTRACTOR_PHOTO, fp)
            for i, fp in enumerate(distractors[:count].tolist())
        ]
        started = time.perf_counter()
        index = FingerprintIndex.build(rows)
        build_s = time.perf_counter() - started
        per, latencies, sweep, false_matches = evaluate(index, names, queries_fps, kinds)
        targets = {
            t: per[t]["recall"] >= (0.9 if t == "crop10" else 0.98) for t in TARGET_TRANSFORMS
        }
        total_found = sum(per[t]["found"] for t in TARGET_TRANSFORMS)
        total_wrong = sum(
            per[t]["wrong_catalogue"] + per[t]["wrong_distractor"] for t in TARGET_TRANSFORMS
        )
        run = {
            "distractor_fingerprints": count,
            "stored_fingerprints": len(rows),
            "stored_photos": len(index),
            "build_s": round(build_s, 3),
            "query_p50_ms": round(percentile(latencies, 50) * 1000, 3),
            "query_p99_ms": round(percentile(latencies, 99) * 1000, 3),
            "per_transform": per,
            "precision_all_targets": round(total_found / (total_found + total_wrong), 4),
            "recall_targets_met": targets,
            "distance_sweep_target_transforms": sweep,
            "false_matches": false_matches,
        }
        runs.append(run)
        log(
            f"{count:>9,} distractors: build {build_s:.2f} s, p50 {run['query_p50_ms']} ms, "
            f"p99 {run['query_p99_ms']} ms, precision {run['precision_all_targets']}, recall "
            + " ".join(f"{t}={per[t]['recall']}" for t in per)
        )

    log("baseline: imagehash pHash, one by one in Python")
    catalogue_unsigned = np.array([fp for _, fp in catalogue_rows], dtype=np.int64).view(np.uint64)
    stored_unsigned = np.concatenate([catalogue_unsigned, distractors.view(np.uint64)])
    base = baseline(
        images, queries, stored_unsigned, sizes["baseline_sample"], sizes["distractors"]
    )
    for run in runs:
        n = run["stored_fingerprints"]
        per_query = base["seconds_per_query_on_sample"] / base["sample_fingerprints"] * n
        run["baseline_extrapolated_s_per_query"] = round(per_query, 3)
        run["speedup_vs_baseline_p50"] = round(per_query / (run["query_p50_ms"] / 1000), 1)
    log(
        f"baseline {base['seconds_per_query_on_sample']} s per query "
        f"on {base['sample_fingerprints']:,} stored fingerprints"
    )

    figures = {
        "benchmark": "sameitem",
        "mode": "quick" if args.quick else "full",
        "started_at": started_at.isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - wall, 1),
        "machine": {
            "nproc": os.cpu_count(),
            "load_average_start": round(load_start, 2),
            "load_average_end": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
        "match_distance": MATCH_DISTANCE,
        "catalogue_pictures": len(images),
        "catalogue_fingerprints": len(catalogue_rows),
        "variants_per_transform_and_picture": sizes["variants"],
        "photo_fingerprint_ms": round(photo_fp_ms, 2),
        "query_fingerprint_ms": round(query_fp_ms, 2),
        "runs": runs,
        "baseline": base,
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
