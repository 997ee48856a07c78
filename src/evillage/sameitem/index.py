"""In-memory index of photo fingerprints, searched by Hamming distance.

Brute force over one contiguous uint64 array: XOR with the query, ``np.bitwise_count``,
compare with the radius. At 1,000,000 stored fingerprints that is three passes over 8 MB
(about 2-4 ms on one core, see docs/benchmarks.md "sameitem"), well under the 10 ms
target, and exact: no candidate within the radius is missed, whatever the radius.

Concurrency: writers take a lock; readers take no lock and work on a snapshot, an
immutable tuple (fingerprints, photo ids, alive flags, row count) published by one
attribute assignment. Additions write rows beyond the published count into spare capacity
(invisible to older snapshots) and then publish a longer snapshot; removals publish a copy
of the alive flags with the photo's rows cleared (tombstones), and the arrays are
compacted when more than a quarter of the rows are dead. A query therefore sees a photo
either with all its fingerprints or not at all.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Sequence
from typing import NamedTuple

import numpy as np

from .fingerprint import MATCH_DISTANCE

_INITIAL_CAPACITY = 1024
_MASK = (1 << 64) - 1


class _Snapshot(NamedTuple):
    fingerprints: np.ndarray  # uint64, capacity rows
    photo_ids: np.ndarray  # int64, capacity rows
    alive: np.ndarray  # bool, capacity rows
    count: int  # rows in use (alive or dead)


def _as_uint64(fingerprints: Sequence[int] | np.ndarray) -> np.ndarray:
    """Signed (or unsigned) 64-bit ints as a uint64 array, bit for bit."""
    if isinstance(fingerprints, np.ndarray) and fingerprints.dtype in (np.int64, np.uint64):
        return fingerprints.reshape(-1).view(np.uint64)
    try:  # the usual case: signed values, as stored in a BigIntegerField
        return np.array(fingerprints, dtype=np.int64).reshape(-1).view(np.uint64)
    except OverflowError:  # some unsigned values >= 2**63
        return np.fromiter((int(v) & _MASK for v in fingerprints), dtype=np.uint64)


class FingerprintIndex:
    """In-memory index of (photo_id, fingerprint) pairs; thread-safe (a lock around writes;
    reads see a consistent snapshot)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._photos: set[int] = set()
        self._dead = 0
        self._snapshot = _Snapshot(
            np.zeros(_INITIAL_CAPACITY, dtype=np.uint64),
            np.zeros(_INITIAL_CAPACITY, dtype=np.int64),
            np.zeros(_INITIAL_CAPACITY, dtype=bool),
            0,
        )

    @classmethod
    def build(cls, rows: Iterable[tuple[int, int]]) -> FingerprintIndex:
        """An index of (photo_id, signed 64-bit fingerprint) rows, e.g. from the database."""
        index = cls()
        photo_ids: list[int] = []
        fingerprints: list[int] = []
        for photo_id, fingerprint in rows:
            photo_ids.append(photo_id)
            fingerprints.append(fingerprint)
        count = len(photo_ids)
        capacity = max(_INITIAL_CAPACITY, count + count // 4)
        fps = np.zeros(capacity, dtype=np.uint64)
        ids = np.zeros(capacity, dtype=np.int64)
        alive = np.zeros(capacity, dtype=bool)
        if count:
            fps[:count] = _as_uint64(fingerprints)
            ids[:count] = np.asarray(photo_ids, dtype=np.int64)
            alive[:count] = True
        index._photos = set(photo_ids)
        index._snapshot = _Snapshot(fps, ids, alive, count)
        return index

    def add(self, photo_id: int, fingerprints: Sequence[int]) -> None:
        """Store a photo's fingerprints; a photo already stored is replaced."""
        new = _as_uint64(list(fingerprints))
        with self._lock:
            if photo_id in self._photos:
                self._remove_locked(photo_id)
            if not len(new):
                return
            snap = self._snapshot
            count, extra = snap.count, len(new)
            fps, ids, alive = snap.fingerprints, snap.photo_ids, snap.alive
            if count + extra > len(fps):
                capacity = max(2 * len(fps), count + extra)
                fps, ids, alive = (_grown(a, capacity) for a in (fps, ids, alive))
            fps[count : count + extra] = new
            ids[count : count + extra] = photo_id
            alive[count : count + extra] = True
            self._photos.add(photo_id)
            self._snapshot = _Snapshot(fps, ids, alive, count + extra)

    def remove(self, photo_id: int) -> None:
        """Forget a photo (nothing happens if it is not stored)."""
        with self._lock:
            if photo_id in self._photos:
                self._remove_locked(photo_id)

    def query(
        self,
        fingerprints: Sequence[int],
        *,
        max_distance: int = MATCH_DISTANCE,
        exclude: Collection[int] = (),
    ) -> list[tuple[int, int]]:
        """(photo_id, best Hamming distance over all pairs of query/stored fingerprints),
        only those <= max_distance, sorted by distance then photo_id; photos in
        ``exclude`` are left out."""
        snap = self._snapshot
        if not snap.count or not len(fingerprints):
            return []
        stored = snap.fingerprints[: snap.count]
        best: dict[int, int] = {}
        for query in _as_uint64(list(fingerprints)):
            distances = np.bitwise_count(np.bitwise_xor(stored, query))
            rows = np.flatnonzero(distances <= max_distance)
            if not len(rows):
                continue
            rows = rows[snap.alive[rows]]
            for photo_id, distance in zip(
                snap.photo_ids[rows].tolist(), distances[rows].tolist(), strict=True
            ):
                if distance < best.get(photo_id, 65):
                    best[photo_id] = distance
        excluded = set(exclude)
        found = [(pid, dist) for pid, dist in best.items() if pid not in excluded]
        found.sort(key=lambda item: (item[1], item[0]))
        return found

    def __len__(self) -> int:
        """Number of photos stored."""
        return len(self._photos)

    @property
    def fingerprint_count(self) -> int:
        """Number of fingerprints stored (live rows)."""
        snap = self._snapshot
        return snap.count - self._dead

    def _remove_locked(self, photo_id: int) -> None:
        snap = self._snapshot
        rows = np.flatnonzero(snap.photo_ids[: snap.count] == photo_id)
        rows = rows[snap.alive[rows]]
        self._photos.discard(photo_id)
        if not len(rows):
            return
        alive = snap.alive.copy()  # copy on write: running queries keep the old flags
        alive[rows] = False
        self._dead += len(rows)
        if self._dead * 4 > snap.count:
            self._snapshot = _compacted(snap._replace(alive=alive))
            self._dead = 0
        else:
            self._snapshot = snap._replace(alive=alive)


def _grown(array: np.ndarray, capacity: int) -> np.ndarray:
    grown = np.zeros(capacity, dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def _compacted(snap: _Snapshot) -> _Snapshot:
    """New arrays holding only the live rows (old snapshots keep the old arrays)."""
    keep = np.flatnonzero(snap.alive[: snap.count])
    count = len(keep)
    capacity = max(_INITIAL_CAPACITY, count + count // 4)
    fps = np.zeros(capacity, dtype=np.uint64)
    ids = np.zeros(capacity, dtype=np.int64)
    alive = np.zeros(capacity, dtype=bool)
    fps[:count] = snap.fingerprints[keep]
    ids[:count] = snap.photo_ids[keep]
    alive[:count] = True
    return _Snapshot(fps, ids, alive, count)
