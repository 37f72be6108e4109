"""The garbage collector of a monitoring process (the service's, and each HJ 212 worker's).

Once started, the long-lived heap (modules, mappers, schemas, standard tables) is frozen: a 10,000-row batch
allocates enough to trigger full collections, which otherwise scan it all each time (≈ a quarter of a batch's time,
measured). What is long-lived but made later (the HJ 212 writer's remembered hours, the stations' connections)
cannot be frozen, so the first generation is collected only after ``GEN0_THRESHOLD`` more objects than were freed
(700 by default): at the default an HJ 212 listener spent ≈ 10 % of its CPU in the collector, with full collections
of ≈ 30 ms each, and under 1 % at this one (``bench/README.md``). Cycles still go at the next first-generation
collection, so what they hold stays bounded.
"""

from __future__ import annotations

import functools
import gc

GEN0_THRESHOLD = 50_000
THRESHOLDS = (GEN0_THRESHOLD, 20, 10)


@functools.cache
def freeze_heap() -> None:
    """Once per process: a process that starts the app again (the embedded mode's tests, the suite's stacks) has
    frozen its long-lived heap already, and a full collection of a large heap on every start costs more than the
    few objects a new app adds would save."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
