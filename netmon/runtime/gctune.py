"""The cyclic garbage collector's pace for the polling daemon (``netmon run`` and its workers).

A 48-interface poll allocates ~1,500 short-lived tuples (decoded varbinds) and a few hundred
dicts (points), none of them in reference cycles; with CPython's default threshold (700
allocations) the young generation is collected several times per poll, and each older
collection walks the daemon's long-lived state (rate baselines, series caches). Measured with
bench/bench_hotpath.py: 0.6-0.9 ms of CPU per device-poll (15-20 % of the hot path). A higher
first threshold makes collections rarer and each one barely larger; ``gc.freeze()`` after
start-up keeps the config, inventory and imported modules out of every later collection.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 20, 20)


def tune_gc() -> None:
    """Call once, after start-up and before polling."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
