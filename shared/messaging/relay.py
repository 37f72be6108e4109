"""The outbox relay: publishes unpublished outbox rows in order, then marks them published.

Woken right after a commit for low latency, and polling so nothing is stranded after a crash. On PostgreSQL several
replicas share the work with ``FOR UPDATE SKIP LOCKED``; a replica sends a key's rows only up to the first earlier
or interleaved row of that key it does not hold, so per-key order is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import structlog
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.messaging.tables import OutboxRecord
from shared.messaging.transport import OutgoingMessage, Publisher
from shared.periodic import Periodic

log = structlog.get_logger()

MAX_BACKOFF_SECONDS = 5.0


class OutboxRelay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        *,
        service: str,
        batch_size: int = 200,
        poll_interval: float = 1.0,
    ) -> None:
        self._sessions = sessions
        self._publisher = publisher
        self._service = service
        self._batch_size = batch_size
        self.published_count = 0
        self._loop = Periodic(
            f"relay:{service}",
            self.publish_batch,
            poll_interval,
            failure_event="relay_publish_failed",
            again=lambda published: published > 0,  # a full or partial batch: look again at once
            backoff_max=MAX_BACKOFF_SECONDS,
        )

    def wake(self) -> None:
        self._loop.wake()

    async def run(self) -> None:
        await self._loop.run()

    async def publish_batch(self) -> int:
        """Publish one batch; returns how many rows were published."""
        async with self._sessions() as session:
            rows = await self._claim(session)
            if not rows:
                await session.rollback()
                return 0
            messages = [self._message(row) for row in rows]
            ids = [row.id for row in rows if row.id is not None]
            if session.get_bind().dialect.name != "postgresql":
                # One relay per SQLite file: release the read snapshot now, or the later write would fail with
                # SQLITE_BUSY_SNAPSHOT whenever a request committed meanwhile.
                await session.rollback()
            await self._publisher.publish(messages)
            await self._mark_published(session, ids)
            await session.commit()
        self.published_count += len(ids)
        return len(ids)

    async def _claim(self, session: AsyncSession) -> list[OutboxRecord]:
        query = (
            select(OutboxRecord)
            .where(OutboxRecord.published_at.is_(None))  # type: ignore[union-attr]
            .order_by(col(OutboxRecord.id))
            .limit(self._batch_size)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list((await session.execute(query)).scalars())
        if rows and session.get_bind().dialect.name == "postgresql":
            rows = await self._keep_key_order(session, rows)
        return rows

    async def _keep_key_order(self, session: AsyncSession, rows: list[OutboxRecord]) -> list[OutboxRecord]:
        """Keep, per key, only the rows before the first unpublished row of that key that another replica holds
        (or that this batch did not reach), so a key's events leave in id order whichever replica sends them."""
        mine = [row.id for row in rows if row.id is not None]
        others = dict(
            (
                await session.execute(
                    select(OutboxRecord.key, func.min(OutboxRecord.id))
                    .where(
                        col(OutboxRecord.published_at).is_(None),
                        col(OutboxRecord.key).in_({row.key for row in rows}),
                        col(OutboxRecord.id).not_in(mine),
                    )
                    .group_by(OutboxRecord.key)
                )
            ).all()
        )
        return [row for row in rows if row.id is not None and (row.key not in others or row.id < others[row.key])]

    @staticmethod
    def _message(row: OutboxRecord) -> OutgoingMessage:
        return OutgoingMessage(topic=row.topic, key=row.key, value=row.payload.encode(), event_id=row.event_id)

    async def _mark_published(self, session: AsyncSession, ids: Sequence[int]) -> None:
        await session.execute(
            update(OutboxRecord).where(col(OutboxRecord.id).in_(ids)).values(published_at=datetime.now(UTC))
        )
