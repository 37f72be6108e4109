"""The monitoring app moves its long-lived heap out of the collector's reach once per process, not on every start."""

from __future__ import annotations

from typing import Any

import pytest

from services.monitoring import app as monitoring_app

pytestmark = pytest.mark.unit


async def test_the_heap_is_collected_and_frozen_on_the_first_start_only(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(monitoring_app.gc, "collect", lambda: calls.append("collect") or 0)
    monkeypatch.setattr(monitoring_app.gc, "freeze", lambda: calls.append("freeze"))
    monitoring_app.freeze_heap.cache_clear()  # as in a new process
    nothing: Any = None
    for _ in range(3):
        async with monitoring_app.freeze_startup_heap(nothing, nothing):
            pass
    assert calls == ["collect", "freeze"]
