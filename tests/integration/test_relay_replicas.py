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
