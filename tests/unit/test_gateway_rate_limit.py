"""The gateway's rate limiter (GCRA) against a clock the test moves: bursts, refill, Retry-After, keys, sweeping."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.gateway.domain.rate_limits import RateLimiter
from shared.errors import TooMany

pytestmark = [pytest.mark.unit, pytest.mark.asyncio]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(clock: Clock, public: str = "6/minute") -> RateLimiter:
    return RateLimiter(public=public, authenticated="100/second", token="2/minute", clock=clock)


async def allowed(limit: RateLimiter, key: str = "ip:1", kind: str = "public") -> bool:
    try:
        await limit.check(kind, key)  # type: ignore[arg-type]
    except TooMany as problem:
        refused_status = problem.status
    else:
        return True
    assert refused_status == 429
    return False


async def test_a_burst_of_the_whole_allowance_then_one_per_interval() -> None:
    clock = Clock()
    limit = limiter(clock)
    assert [await allowed(limit) for _ in range(7)] == [True] * 6 + [False]
    clock.now += 9.9  # 6/minute: one request comes back every 10 s
    assert not await allowed(limit)
    clock.now += 0.1
    assert await allowed(limit)
    assert not await allowed(limit)
    clock.now += 60
    assert [await allowed(limit) for _ in range(7)] == [True] * 6 + [False]


async def test_retry_after_says_when_the_next_request_passes() -> None:
    clock = Clock()
    limit = limiter(clock, public="2/minute")
    for _ in range(2):
        await limit.check("public", "ip:1")
    with pytest.raises(TooMany) as refused:
        await limit.check("public", "ip:1")
    retry_after = int(refused.value.headers["Retry-After"])
    assert retry_after == 30
    clock.now += retry_after - 1
    assert not await allowed(limit)
    clock.now += 1
    assert await allowed(limit)


async def test_keys_and_kinds_are_counted_apart() -> None:
    clock = Clock()
    limit = limiter(clock)
    for _ in range(6):
        assert await allowed(limit, "ip:1")
    assert not await allowed(limit, "ip:1")
    assert await allowed(limit, "ip:2")
    assert await allowed(limit, "ip:1", kind="authenticated")


async def test_idle_keys_are_swept_and_live_ones_kept() -> None:
    clock = Clock()
    limit = limiter(clock)
    limit.SWEEP_ABOVE = 10
    limit._sweep_at = 10
    for _ in range(6):
        await limit.check("public", "ip:busy")  # used up until 1060
    for n in range(20):  # each single request's allowance is back 10 s later
        await limit.check("public", f"ip:{n}")
        clock.now += 2.5
    assert len(limit._used_until) < 10
    # At 1050 five of busy's six requests have come back: its state was kept, not swept with the idle ones.
    assert [await allowed(limit, "ip:busy") for _ in range(6)] == [True] * 5 + [False]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=200))
async def test_never_more_than_the_allowance_in_any_period(gaps: list[float]) -> None:
    """Whatever the arrival pattern, a window of one period holds at most N + the requests that came back."""
    clock = Clock()
    limit = limiter(clock, public="5/minute")
    passed: list[float] = []
    for gap in gaps:
        clock.now += gap
        if await allowed(limit):
            passed.append(clock.now)
    for start in passed:
        in_window = [t for t in passed if start <= t < start + 60]
        # N at once, plus one more for each 12 s interval that elapsed inside the window.
        assert len(in_window) <= 5 + int((in_window[-1] - start) // 12)
