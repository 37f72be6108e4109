"""The garbage collector of a monitoring process (the service's, and each HJ 212 worker's).

Once started, the long-lived heap (modules, mappers, schemas, standard tables) is frozen: a 10,000-row batch
allocates enough to trigger full collections, which otherwise scan it all each time (≈ a quarter of a batch's time,
measured). What is long-lived but made later (the HJ 212 writer's remembered hours, the stations' connections)
cannot be frozen, so the first generation is collected only after ``GEN0_THRESHOLD`` more objects than were freed
(700 by default), and the older ones as often as before relative to it. At the default an HJ 212 listener spent
≈ 13 % of its CPU in the collector (full collections of ≈ 36 ms each, one every ≈ 1,700 packets); at 10,000, ≈ 4 %
(one full collection in 40,000 packets). 50,000 saved a little more but let the process's memory under batch ingest
keep rising through the benchmark (cycles that outlive a first-generation collection wait longer for the next of
the older ones): ``bench/README.md``. Cycles still go at the next first-generation collection.
"""

from __future__ import annotations

import functools
import gc

GEN0_THRESHOLD = 10_000
THRESHOLDS = (GEN0_THRESHOLD, 10, 10)


@functools.cache
def freeze_heap() -> None:
    """Once per process: a process that starts the app again (the embedded mode's tests, the suite's stacks) has
    frozen its long-lived heap already, and a full collection of a large heap on every start costs more than the
    few objects a new app adds would save."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
