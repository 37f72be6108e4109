"""The one loop behind the background tasks: a failed round does not end it, more work goes on at once, a wake
cuts the wait short."""

from __future__ import annotations

import asyncio

from shared.periodic import Periodic
from shared.tasks import running


async def test_a_failed_round_is_logged_and_the_loop_goes_on() -> None:
    rounds: list[int] = []
    third = asyncio.Event()

    async def work() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("database away")
        if len(rounds) == 3:
            third.set()

    loop = Periodic("test", work, 0.01, backoff_max=0.01)
    async with running(loop.run(), name="test"), asyncio.timeout(5):
        await third.wait()


async def test_more_work_is_done_at_once_and_a_wake_cuts_the_wait_short() -> None:
    batches = [5, 5, 0, 0]
    done: list[int] = []
    rounds = asyncio.Queue[int]()

    async def work() -> int:
        done.append(batches[len(done)])
        rounds.put_nowait(len(done))
        return done[-1]

    loop = Periodic("test", work, 60.0, again=lambda published: published > 0)
    async with running(loop.run(), name="test"):
        async with asyncio.timeout(5):
            while await rounds.get() < 3:
                pass
        await asyncio.sleep(0.05)
        assert done == [5, 5, 0]  # waiting the minute now
        loop.wake()
        async with asyncio.timeout(5):
            assert await rounds.get() == 4


async def test_the_first_round_can_wait_an_interval() -> None:
    done: list[bool] = []

    async def work() -> None:
        done.append(True)

    async with running(Periodic("test", work, 60.0, first_delay=60.0).run(), name="test"):
        await asyncio.sleep(0.05)
    assert done == []
