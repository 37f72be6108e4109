"""A database outage is not the event's fault: the consumer gives the event back instead of dead-lettering it.

On a PostgreSQL server of this test alone, stopped while an event arrives: ``deliver`` raises (so Kafka delivers it
again, its offset not committed), nothing goes to the dead-letter sink or table, and once the server is back the
same event is applied once. A handler that fails on its own still ends as a dead letter after its retries.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from shared.contracts import CloudEvent
from shared.contracts.events import DecisionRevokedV1
from shared.db import create_engine, session_factory
from shared.messaging import Subscription, UnitOfWork
from shared.messaging.consumer import EventConsumer, database_unreachable
from shared.messaging.tables import DeadLetter, InboxRecord
from tests.infra import PrivatePostgres, private_postgres

pytestmark = pytest.mark.integration


@pytest.fixture
async def private() -> AsyncIterator[PrivatePostgres]:
    async with private_postgres() as server:
        yield server


def revoked() -> bytes:
    payload = DecisionRevokedV1(decision_id="d-1", document_number="津西青环罚〔2025〕1号", revoked_on=date(2025, 3, 3),
                                reason="决定违法")  # fmt: skip
    return CloudEvent.wrap(payload, subject="d-1").to_bytes()


async def test_event_arriving_while_the_database_is_down_is_applied_once_it_is_back(private: PrivatePostgres) -> None:
    engine = create_engine(await private.server().create_database("outage"))
    async with engine.begin() as connection:
        await connection.run_sync(
            SQLModel.metadata.create_all,
            tables=[InboxRecord.__table__, DeadLetter.__table__],  # type: ignore[attr-defined]
        )
    sessions = session_factory(engine)
    applied: list[str] = []
    sunk: list[str] = []

    async def handler(uow: UnitOfWork, event: CloudEvent, payload: DecisionRevokedV1) -> None:
        await uow.session.execute(select(func.count()).select_from(InboxRecord))
        applied.append(payload.decision_id)

    async def sink(consumer: str, raw: bytes, error: str) -> None:
        sunk.append(error)

    subscription = Subscription("test.outage")
    subscription.on(DecisionRevokedV1, handler)
    consumer = EventConsumer(subscription, sessions, max_retries=3, retry_delay=0.01, dead_letter_sink=sink)
    raw = revoked()
    try:
        await consumer.deliver(revoked(), "cases.events")  # a warm pool: its connections die with the server
        await asyncio.to_thread(private.stop, "immediate")
        for _ in range(2):  # a dead pooled connection, then a refused new one
            with pytest.raises(Exception) as raised:
                await consumer.deliver(raw, "cases.events")
            assert database_unreachable(raised.value), repr(raised.value)
        assert sunk == []

        await asyncio.to_thread(private.start)
        await consumer.deliver(raw, "cases.events")
        await consumer.deliver(raw, "cases.events")  # a redelivery after the restart: the inbox absorbs it
        assert sunk == []
        assert len(applied) == 2  # the warm-up event and this one, each once
        async with sessions() as session:
            inbox = (await session.execute(select(InboxRecord.outcome))).scalars().all()
            dead = (await session.execute(select(func.count()).select_from(DeadLetter))).scalar_one()
        assert sorted(inbox) == ["applied", "applied"]
        assert dead == 0

        # A handler that fails by itself is still set aside after its retries.
        async def broken(uow: UnitOfWork, event: CloudEvent, payload: DecisionRevokedV1) -> None:
            raise ValueError("a bug in the handler")

        subscription.on(DecisionRevokedV1, broken)
        await consumer.deliver(revoked(), "cases.events")
        assert len(sunk) == 1
        assert "a bug in the handler" in sunk[0]
    finally:
        await engine.dispose()
