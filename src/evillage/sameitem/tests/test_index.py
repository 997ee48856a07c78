"""The in-memory fingerprint index: adds, removals, exclusions, concurrent use."""

import threading

import numpy as np

from evillage.sameitem.fingerprint import MATCH_DISTANCE
from evillage.sameitem.index import FingerprintIndex

A = 0x0123_4567_89AB_CDEF
B = -0x7000_0000_0000_0001  # negative: the signed form stored in a BigIntegerField


def flip(value: int, bits: int) -> int:
    """value with its ``bits`` lowest bits inverted, kept as a signed 64-bit int."""
    flipped = (value ^ ((1 << bits) - 1)) & (2**64 - 1)
    return flipped - 2**64 if flipped >= 2**63 else flipped


def test_query_finds_near_fingerprints_sorted_by_distance():
    """Photos within the distance come back, closest first, ties by photo id."""
    index = FingerprintIndex()
    index.add(3, [flip(A, 2)])
    index.add(1, [flip(A, 5), flip(A, 1)])  # the best of its fingerprints counts
    index.add(2, [flip(A, 2)])
    index.add(4, [flip(A, MATCH_DISTANCE + 1)])
    index.add(5, [B])
    assert index.query([A]) == [(1, 1), (2, 2), (3, 2)]
    assert index.query([A], max_distance=MATCH_DISTANCE + 1)[-1] == (4, MATCH_DISTANCE + 1)
    assert len(index) == 5


def test_best_distance_over_several_query_fingerprints():
    index = FingerprintIndex()
    index.add(1, [A])
    index.add(2, [B])
    assert index.query([flip(B, 3), flip(A, 4)]) == [(2, 3), (1, 4)]


def test_negative_and_unsigned_forms_are_the_same_fingerprint():
    """A fingerprint read back from the database as a signed int finds the stored one."""
    index = FingerprintIndex.build([(7, B)])
    assert index.query([B + 2**64]) == [(7, 0)]
    assert index.query([B]) == [(7, 0)]
    assert index.query([flip(B, 64)], max_distance=64) == [(7, 64)]
    # a mix of unsigned values >= 2**63 and negative ones, bit for bit
    index.add(8, [2**64 - 1, -2])
    assert index.query([-1], max_distance=0) == [(8, 0)]
    assert index.query([2**64 - 2], max_distance=0) == [(8, 0)]


def test_remove_and_exclude():
    """Removed photos are no longer found; excluded ones are skipped."""
    index = FingerprintIndex.build([(1, A), (1, B), (2, A), (3, flip(A, 3))])
    assert len(index) == 3
    assert index.query([A], exclude={1}) == [(2, 0), (3, 3)]
    index.remove(2)
    index.remove(99)  # unknown: nothing happens
    assert index.query([A]) == [(1, 0), (3, 3)]
    assert len(index) == 2
    index.remove(1)
    index.remove(3)
    assert index.query([A]) == []
    assert len(index) == 0
    index.add(2, [A])
    assert index.query([A]) == [(2, 0)]


def test_adding_a_photo_again_replaces_its_fingerprints():
    index = FingerprintIndex()
    index.add(1, [A])
    index.add(1, [B])
    assert index.query([A]) == []
    assert index.query([B]) == [(1, 0)]
    assert len(index) == 1
    assert index.fingerprint_count == 1


def test_empty_index_and_empty_query():
    index = FingerprintIndex.build([])
    assert index.query([A]) == []
    index.add(1, [A])
    assert index.query([]) == []


def test_many_rows_growth_and_compaction_keep_answers():
    """Growing past the initial capacity and compacting after removals loses nothing."""
    rng = np.random.default_rng(1)
    values = rng.integers(-(2**63), 2**63 - 1, size=5000, dtype=np.int64).tolist()
    index = FingerprintIndex()
    for photo_id in range(1000):
        index.add(photo_id, values[photo_id * 5 : photo_id * 5 + 5])
    for photo_id in range(0, 1000, 2):
        index.remove(photo_id)
    assert len(index) == 500
    assert index.fingerprint_count == 2500
    for photo_id in (1, 501, 999):
        assert index.query([values[photo_id * 5 + 4]])[0] == (photo_id, 0)
    assert index.query([values[0]], max_distance=0) == []


def test_concurrent_writers_and_readers():
    """Threads adding, removing and querying at once: no errors, and every reader sees
    each photo either with all its fingerprints or not at all."""
    index = FingerprintIndex()
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(offset: int) -> None:
        try:
            for i in range(300):
                photo_id = offset + i
                index.add(photo_id, [A, B])
                if i % 3 == 0:
                    index.remove(photo_id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader() -> None:
        try:
            while not stop.is_set():
                with_a = {pid for pid, _ in index.query([A], max_distance=0)}
                with_b = {pid for pid, _ in index.query([B], max_distance=0)}
                assert all(isinstance(pid, int) for pid in with_a | with_b)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    writers = [threading.Thread(target=writer, args=(n * 1000,)) for n in range(3)]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    for thread in readers:
        thread.join()
    assert errors == []
    assert len(index) == 3 * 200
    assert len(index.query([A], max_distance=0)) == 600
