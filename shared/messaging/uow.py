"""The unit of work: one database transaction holding a use case's state change and its outbox events."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts.envelope import CloudEvent
from shared.messaging.tables import OutboxRecord

log = structlog.get_logger()


class UnitOfWork:
    """Rolls back unless committed. ``emit`` writes an outbox row in the same transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], on_commit: Callable[[], None] | None = None) -> None:
        self._sessions = sessions
        self._on_commit = on_commit
        self._session: AsyncSession | None = None
        self.emitted: list[CloudEvent] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside 'async with'")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._sessions()
        self.emitted = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        try:
            # Detach first: objects read inside the unit stay usable after it ends, with what was loaded.
            session.expunge_all()
            await session.rollback()
        finally:
            await session.close()
            self._session = None

    def emit(self, event: CloudEvent) -> None:
        self.emitted.append(event)
        self.session.add(
            OutboxRecord(
                event_id=event.id,
                event_type=event.type,
                topic=event.topic,
                key=event.subject,
                payload=event.model_dump_json(),
            )
        )

    async def commit(self) -> None:
        await self.session.commit()
        if self.emitted:
            log.debug("outbox_committed", keys=[event.subject for event in self.emitted])
        if self.emitted and self._on_commit is not None:
            self._on_commit()  # wake the relay: low latency without waiting for its poll
