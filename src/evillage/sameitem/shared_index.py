"""The process's fingerprint index, kept in step with the database.

Each server process (several uvicorn workers, the task worker) holds one
FingerprintIndex in memory, loaded from the PhotoFingerprint table on first use. Before
every lookup it reads the one IndexState row (a primary-key read) and compares its
counters with the ones it loaded:

- nothing changed: the index is current;
- only `added` grew: load the fingerprint rows past the highest id it has. Writers lock
  the IndexState row before they insert, so ids are committed in increasing order and no
  row can appear below an id already seen;
- `removed` or `epoch` changed (a photo was deleted, or the database was emptied): load
  everything again. Photos are deleted far less often than looked up, and a full load
  of a few hundred thousand rows takes well under a second.

The process that made a change applies it directly after commit (`apply_added`,
`apply_removed`), so its own next lookup needs no load. Matches are always resolved
against the database afterwards (the photo, its product and shop must still be there
and visible), so an index a moment behind shows nothing wrong, only maybe less.
"""

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from evillage.sameitem.fingerprint import MATCH_DISTANCE
from evillage.sameitem.index import FingerprintIndex
from evillage.sameitem.models import IndexState, PhotoFingerprint

STATE_PK = 1
_LOAD_BATCH = 20_000


@dataclass
class _Loaded:
    index: FingerprintIndex
    epoch: str
    added: int
    removed: int
    max_id: int


def state_row() -> IndexState:
    """The IndexState row, created on first use (a race between two creators is fine)."""
    row = IndexState.objects.filter(pk=STATE_PK).first()
    if row is None:
        IndexState.objects.bulk_create([IndexState(pk=STATE_PK)], ignore_conflicts=True)
        row = IndexState.objects.get(pk=STATE_PK)
    return row


def lock_state() -> IndexState:
    """Lock the IndexState row for the current transaction: the writers' queue."""
    state_row()
    return IndexState.objects.select_for_update().get(pk=STATE_PK)


def _rows(after_id: int = 0) -> Iterable[tuple[int, int, int]]:
    """(id, photo_id, value) of the indexed fingerprints past `after_id`, in id order."""
    last = after_id
    while True:
        batch = list(
            PhotoFingerprint.objects.filter(indexed=True, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "photo_id", "value")[:_LOAD_BATCH]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1][0]


def _full_load(state: IndexState) -> _Loaded:
    rows = list(_rows())
    index = FingerprintIndex.build((photo_id, value) for _pk, photo_id, value in rows)
    max_id = rows[-1][0] if rows else 0
    return _Loaded(index, state.epoch, state.added, state.removed, max_id)


def _catch_up(loaded: _Loaded, state: IndexState) -> None:
    by_photo: dict[int, list[int]] = defaultdict(list)
    for pk, photo_id, value in _rows(loaded.max_id):
        by_photo[photo_id].append(value)
        loaded.max_id = pk
    for photo_id, values in by_photo.items():
        # A photo's fingerprints are written in one transaction, so they arrive together.
        loaded.index.add(photo_id, values)
    loaded.added = state.added


class SharedIndex:
    """One process's index and the counters it was loaded at. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._loaded: _Loaded | None = None

    def sync(self, state: IndexState | None = None) -> FingerprintIndex:
        """The index, brought up to `state` (read now when not given)."""
        state = state or state_row()
        with self._lock:
            loaded = self._loaded
            if (
                loaded is None
                or loaded.epoch != state.epoch
                or loaded.removed != state.removed
                or loaded.added > state.added
            ):
                self._loaded = loaded = _full_load(state)
            elif loaded.added != state.added:
                _catch_up(loaded, state)
            return loaded.index

    def query(
        self,
        values: Sequence[int],
        *,
        max_distance: int = MATCH_DISTANCE,
        exclude: Iterable[int] = (),
        state: IndexState | None = None,
    ) -> list[tuple[int, int]]:
        """(photo id, distance) of the photos matching any of `values`, closest first."""
        if not values:
            return []
        # The index's reads work on a snapshot: only the sync needs the lock.
        index = self.sync(state)
        return index.query(list(values), max_distance=max_distance, exclude=tuple(exclude))

    def apply_added(self, *, photo_id: int, values: list[int], added: int, max_id: int) -> None:
        """After the commit that stored a photo's fingerprints (counter now `added`): put
        them in the index, unless something else moved it meanwhile (then the next sync
        loads them)."""
        with self._lock:
            loaded = self._loaded
            if loaded is None or loaded.added != added - len(values) or loaded.max_id >= max_id:
                return
            loaded.index.add(photo_id, values)
            loaded.added, loaded.max_id = added, max_id

    def apply_removed(self, *, photo_id: int, removed: int) -> None:
        """After the commit that counted a photo's removal (counter now `removed`)."""
        with self._lock:
            loaded = self._loaded
            if loaded is None or loaded.removed != removed - 1:
                return
            loaded.index.remove(photo_id)
            loaded.removed = removed

    def reset(self) -> None:
        """Forget the loaded index (tests; a process that wants a fresh load)."""
        with self._lock:
            self._loaded = None

    def size(self) -> int:
        """Photos in the index (0 before the first load)."""
        with self._lock:
            return len(self._loaded.index) if self._loaded is not None else 0


# This process's index; the functions below are what the rest of the app calls.
_process = SharedIndex()
sync = _process.sync
query = _process.query
apply_added = _process.apply_added
apply_removed = _process.apply_removed
reset = _process.reset
size = _process.size
