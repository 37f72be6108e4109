"""The inbox claim: a consumer writes the event's inbox row first, in the handler's transaction, and skips the
event when the row is there. On SQLite and PostgreSQL: a redelivery is not applied again, a handler that fails
leaves no claim behind (the event is applied on the next delivery), and concurrent deliveries apply it once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts import CloudEvent
from shared.contracts.events import DecisionRevokedV1
from shared.db import create_engine, session_factory
from shared.messaging import Subscription, UnitOfWork
from shared.messaging.consumer import EventConsumer
from shared.messaging.tables import DeadLetter, InboxRecord, OutboxRecord
from tests.infra import PostgresServer

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
async def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'inbox.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        url = await server.create_database("inbox")
    engine = create_engine(url)
    async with engine.begin() as connection:
        tables = [InboxRecord.__table__, DeadLetter.__table__, OutboxRecord.__table__]  # type: ignore[attr-defined]
        await connection.run_sync(SQLModel.metadata.create_all, tables=tables)
    yield session_factory(engine)
    await engine.dispose()


def revoked(decision_id: str) -> bytes:
    payload = DecisionRevokedV1(decision_id=decision_id, document_number="津西青环罚〔2025〕1号",
                                revoked_on=date(2025, 3, 3), reason="决定违法")  # fmt: skip
    return CloudEvent.wrap(payload, subject=decision_id).to_bytes()


async def inbox(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.execute(select(InboxRecord.event_id, InboxRecord.outcome).order_by(InboxRecord.event_id))
        return [(row.event_id, row.outcome) for row in rows]


async def test_a_redelivered_event_is_applied_once_and_a_failed_attempt_leaves_no_claim(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    applied: list[str] = []
    failures = [RuntimeError("first attempt fails")]

    async def handler(uow: UnitOfWork, event: CloudEvent, payload: DecisionRevokedV1) -> None:
        uow.emit(CloudEvent.wrap(payload, subject=payload.decision_id))  # written with the claim, or not at all
        if failures:
            raise failures.pop()
        applied.append(payload.decision_id)

    subscription = Subscription("test.inbox")
    subscription.on(DecisionRevokedV1, handler)
    consumer = EventConsumer(subscription, sessions, max_retries=3, retry_delay=0.01)
    raw = revoked("d-1")
    event_id = CloudEvent.from_bytes(raw).id
    await consumer.deliver(raw, "cases.events")  # fails once (rolled back, claim and all), then applies
    await consumer.deliver(raw, "cases.events")
    assert applied == ["d-1"]
    assert (consumer.applied_count, consumer.dead_letter_count) == (1, 0)
    assert await inbox(sessions) == [(event_id, "applied")]
    async with sessions() as session:
        assert (await session.execute(select(func.count()).select_from(OutboxRecord))).scalar_one() == 1


async def test_concurrent_deliveries_of_one_event_apply_it_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    applied: list[str] = []

    async def handler(uow: UnitOfWork, event: CloudEvent, payload: DecisionRevokedV1) -> None:
        await asyncio.sleep(0.02)  # the other delivery arrives while this one holds its claim
        applied.append(payload.decision_id)

    subscription = Subscription("test.inbox")
    subscription.on(DecisionRevokedV1, handler)
    consumers = [EventConsumer(subscription, sessions, max_retries=3, retry_delay=0.01) for _ in range(2)]
    raws = [revoked("d-1"), revoked("d-2")]
    await asyncio.gather(*(c.deliver(raw, "cases.events") for c in consumers for raw in raws))
    assert sorted(applied) == ["d-1", "d-2"]
    assert sum(c.dead_letter_count for c in consumers) == 0
    assert [outcome for _, outcome in await inbox(sessions)] == ["applied", "applied"]
