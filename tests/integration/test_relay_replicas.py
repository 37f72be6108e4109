"""Several relays on one PostgreSQL outbox: each event published once, and in order per key."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from services.cases.app import SPEC
from shared.db import create_engine, migrate, session_factory
from shared.messaging.relay import OutboxRelay
from shared.messaging.tables import OutboxRecord
from shared.messaging.transport import OutgoingMessage
from tests.infra import PostgresServer

pytestmark = pytest.mark.integration


class RecordingPublisher:
    def __init__(self, log: list[tuple[str, int]]) -> None:
        self.log = log

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        for message in messages:
            await asyncio.sleep(0.001)  # let the other replica interleave
            self.log.append((message.key, json.loads(message.value)["n"]))

    async def close(self) -> None:
        return None


async def test_two_relays_share_the_outbox_without_duplicates_or_reordering(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    engine = create_engine(await postgres.create_database("relay"))
    await migrate(engine, SPEC.migrations_dir)
    sessions = session_factory(engine)
    keys = [f"k{i}" for i in range(50)]
    async with sessions() as session:
        for n in range(400):
            key = keys[n % len(keys)] if n % 3 else keys[0]  # k0 is hot
            session.add(
                OutboxRecord(
                    event_id=str(uuid.uuid4()),
                    event_type="t",
                    topic="cases.events",
                    key=key,
                    payload=json.dumps({"n": n}),
                )
            )
        await session.commit()

    log: list[tuple[str, int]] = []
    relays = [OutboxRelay(sessions, RecordingPublisher(log), service="cases", batch_size=25) for _ in range(3)]

    async def drain(relay: OutboxRelay) -> None:
        for _ in range(500):  # bounded: a relay that only finds keys held by others yields and tries again
            if await relay.publish_batch() == 0:
                if len(log) == 400:
                    return
                await asyncio.sleep(0.01)

    await asyncio.gather(*(drain(r) for r in relays))
    try:
        assert sorted(n for _, n in log) == list(range(400))  # every event exactly once
        per_key: dict[str, list[int]] = defaultdict(list)
        for key, n in log:
            per_key[key].append(n)
        for key, numbers in per_key.items():
            assert numbers == sorted(numbers), f"key {key} published out of order"
        assert sum(1 for r in relays if r.published_count) >= 2  # the work was really shared
        async with sessions() as session:
            left = (await session.execute(select(OutboxRecord).where(OutboxRecord.published_at.is_(None)))).all()  # type: ignore[union-attr]
            assert left == []
    finally:
        await engine.dispose()


class SlowPublisher(RecordingPublisher):
    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        await asyncio.sleep(0.2)  # a slow broker: the other replica's rows of the same key wait behind these
        await super().publish(messages)


async def test_running_relays_send_what_the_other_held_back_without_waiting_for_the_poll_or_spinning(
    postgres: PostgresServer,
) -> None:
    """Two relays running side by side on one key: rows one held back (key order) are sent by the other as soon as
    its round ends, not at the next poll (30 s here), and a relay whose whole batch is held back waits instead of
    claiming again and again."""
    engine = create_engine(await postgres.create_database("relay"))
    await migrate(engine, SPEC.migrations_dir)
    sessions = session_factory(engine)
    log: list[tuple[str, int]] = []
    relays = [
        OutboxRelay(sessions, SlowPublisher(log), service="cases", batch_size=5, poll_interval=30) for _ in range(2)
    ]
    rounds = [0, 0]
    for index, relay in enumerate(relays):
        claim = relay._claim

        async def counted(session: object, claim: object = claim, index: int = index) -> object:
            rounds[index] += 1
            return await claim(session)  # type: ignore[operator]

        relay._claim = counted  # type: ignore[method-assign]
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        for commit in range(4):
            async with sessions() as session:
                for n in range(commit * 5, commit * 5 + 5):
                    session.add(
                        OutboxRecord(
                            event_id=str(uuid.uuid4()),
                            event_type="t",
                            topic="cases.events",
                            key="k",
                            payload=json.dumps({"n": n}),
                        )
                    )
                await session.commit()
            for relay in relays:
                relay.wake()
            await asyncio.sleep(0.05)
        for _ in range(500):  # 10 s at most
            if len(log) >= 20:
                break
            await asyncio.sleep(0.02)
        assert [n for _, n in log] == list(range(20))  # once each, in order
        assert sum(rounds) < 60, rounds  # no spinning on a held-back batch
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await engine.dispose()
