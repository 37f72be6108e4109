"""Periodic background work (定时任务): the outbox relay, the audit-chain check, the deliverers, the deadline watch and
the redaction re-check all run as one loop here.

A failed round is logged under the task's documented event name and the loop goes on: a database hiccup must never
end a background task. A round that reports more work (``again``) is followed at once; otherwise the loop waits
the interval, or less when woken (``Periodic.wake`` after a commit that left work behind).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog

log = structlog.get_logger()


def _never(_: Any) -> bool:
    return False


@dataclass
class Periodic:
    name: str
    work: Callable[[], Awaitable[Any]]
    interval: float
    failure_event: str = "background_round_failed"
    first_delay: float = 0.0
    again: Callable[[Any], bool] = _never
    # After a failure wait at most this long, doubling from ``backoff_start`` (None: the interval).
    backoff_max: float | None = None
    backoff_start: float = 0.1
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        await asyncio.sleep(self.first_delay)
        failures = 0
        while True:
            try:
                result = await self.work()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                log.warning(self.failure_event, task=self.name, error=repr(exc), exc_info=True)
                await self._pause(self._retry_after(failures))
                continue
            failures = 0
            if not self.again(result):
                await self._pause(self.interval)

    def _retry_after(self, failures: int) -> float:
        if self.backoff_max is None:
            return self.interval
        return min(self.backoff_start * 2.0 ** (failures - 1), self.backoff_max)

    async def _pause(self, seconds: float) -> None:
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that arrives as the wake event
        # fires (CPython gh-86296), and the loop would then never stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        self._wake.clear()
