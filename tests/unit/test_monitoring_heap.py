"""A monitoring process moves its long-lived heap out of the collector's reach once, not on every start, and
collects its first generation only after many more objects than the default."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest

from services.monitoring import app as monitoring_app
from services.monitoring import heap

pytestmark = pytest.mark.unit


async def test_the_heap_is_collected_frozen_and_tuned_on_the_first_start_only(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(heap.gc, "collect", lambda: calls.append("collect") or 0)
    monkeypatch.setattr(heap.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(heap.gc, "set_threshold", lambda *thresholds: calls.append(thresholds))
    heap.freeze_heap.cache_clear()  # as in a new process
    nothing: Any = None
    for _ in range(3):
        async with monitoring_app.freeze_startup_heap(nothing, nothing):
            pass
    assert calls == ["collect", "freeze", heap.THRESHOLDS]
    assert heap.GEN0_THRESHOLD > 700  # the default's


def test_a_first_generation_collection_still_frees_cycles() -> None:
    """The raised threshold delays collections, it does not stop them: a cycle is freed once the first generation
    has grown past it."""
    before = gc.get_threshold()
    gc.set_threshold(*heap.THRESHOLDS)
    gc.collect()  # the first generation's count starts at nothing: the cycle below is made in it
    try:

        class Node:
            partner: Any = None

        freed: list[bool] = []
        first, second = Node(), Node()
        first.partner, second.partner = second, first
        watch = weakref.ref(first, lambda _ref: freed.append(True))
        del first, second
        assert not freed  # a cycle: not freed by reference counting
        keep: list[list[int]] = [[] for _ in range(heap.GEN0_THRESHOLD + 1000)]  # past the threshold: a collection runs
        assert freed
        assert watch() is None
        del keep
    finally:
        gc.set_threshold(*before)
