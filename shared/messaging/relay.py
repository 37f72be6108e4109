"""The outbox relay: publishes unpublished outbox rows in order, then marks them published.

Woken right after a commit for low latency, and polling so nothing is stranded after a crash. On PostgreSQL several
replicas share the work with ``FOR UPDATE SKIP LOCKED``; a replica sends a key's rows only up to the first earlier
or interleaved row of that key it does not hold, so per-key order is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import Row, Table, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.messaging.tables import OutboxRecord
from shared.messaging.transport import OutgoingMessage, Publisher
from shared.periodic import Periodic

log = structlog.get_logger()

MAX_BACKOFF_SECONDS = 5.0
_OUTBOX: Table = OutboxRecord.__table__  # type: ignore[attr-defined]


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
        self._full = False
        self._shared = False  # PostgreSQL: several relays may share the outbox
        self._loop = Periodic(
            f"relay:{service}",
            self.publish_batch,
            poll_interval,
            failure_event="relay_publish_failed",
            # After a round that sent something, look again at once if the batch was full, or on PostgreSQL, where
            # other replicas' relays may have held rows back (key order, locked rows) that this one should now send.
            # With one relay (SQLite) a partial batch took every row there was: a row committed since woke the loop
            # or waits for the poll. A round that sent nothing (all held back) waits too, instead of spinning.
            again=lambda published: published > 0 and (self._full or self._shared),
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
            ids = [row.id for row in rows]
            # Stage timestamps for latency diagnosis (debug level; free otherwise).
            log.debug("relay_claimed", service=self._service, keys=[m.key for m in messages])
            await self._publisher.publish(messages)
            log.debug("relay_delivered", service=self._service, keys=[m.key for m in messages])
            if session.get_bind().dialect.name != "postgresql":
                # One relay per SQLite file: end the claim's read before writing, or the write would fail with
                # SQLITE_BUSY_SNAPSHOT whenever a request committed meanwhile. After the delivery, not before:
                # it is a trip to the database's thread, and the events should not wait for it.
                await session.rollback()
            await self._mark_published(session, ids)
            await session.commit()
        self.published_count += len(ids)
        return len(ids)

    async def _claim(self, session: AsyncSession) -> list[Row[Any]]:
        # Columns, not ORM objects: the relay only reads what it sends.
        query = (
            sa_select(_OUTBOX.c.id, _OUTBOX.c.topic, _OUTBOX.c.key, _OUTBOX.c.payload, _OUTBOX.c.event_id)
            .where(_OUTBOX.c.published_at.is_(None))
            .order_by(_OUTBOX.c.id)
            .limit(self._batch_size)
        )
        self._shared = session.get_bind().dialect.name == "postgresql"
        if self._shared:
            query = query.with_for_update(skip_locked=True)
        rows = list((await session.execute(query)).all())
        self._full = len(rows) >= self._batch_size
        if rows and session.get_bind().dialect.name == "postgresql":
            rows = await self._keep_key_order(session, rows)
        return rows

    async def _keep_key_order(self, session: AsyncSession, rows: list[Row[Any]]) -> list[Row[Any]]:
        """Keep, per key, only the rows before the first unpublished row of that key that another replica holds
        (or that this batch did not reach), so a key's events leave in id order whichever replica sends them."""
        mine = [row.id for row in rows]
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
        return [row for row in rows if row.key not in others or row.id < others[row.key]]

    @staticmethod
    def _message(row: Row[Any]) -> OutgoingMessage:
        return OutgoingMessage(topic=row.topic, key=row.key, value=row.payload.encode(), event_id=row.event_id)

    async def _mark_published(self, session: AsyncSession, ids: Sequence[int]) -> None:
        await session.execute(
            update(OutboxRecord).where(col(OutboxRecord.id).in_(ids)).values(published_at=datetime.now(UTC))
        )
