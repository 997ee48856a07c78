"""Settings for a benchmark server that logs its slow garbage collections.

The project's settings, plus one stderr line for every collection over 5 ms (generation,
duration, time, objects collected). Used to find the messenger's delivery stalls:

    PYTHONPATH=$PWD/benchmarks .venv/bin/python benchmarks/messaging.py \\
        --scenarios redis-pubsub/2 --settings settings_gc_log --keep
    grep GCPAUSE /tmp/bench-messaging-*/server-*.log
"""

import gc
import sys
import time

from evillage.settings import *  # noqa: F403

_started: dict[str, float] = {}


def _log_slow_collections(phase: str, info: dict) -> None:
    if phase == "start":
        _started["at"] = time.perf_counter()
    elif "at" in _started:
        took = (time.perf_counter() - _started.pop("at")) * 1000
        if took > 5:
            print(
                f"GCPAUSE gen{info['generation']} {took:.1f} ms at {time.time():.3f}"
                f" collected {info['collected']}",
                file=sys.stderr,
                flush=True,
            )


gc.callbacks.append(_log_slow_collections)
