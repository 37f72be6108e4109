"""Consumers: each event is applied once, through the inbox, or set aside as a dead letter after bounded retries."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog
from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts.envelope import CloudEvent, EventPayload
from shared.messaging.tables import DeadLetter, InboxRecord, utcnow
from shared.messaging.uow import UnitOfWork

log = structlog.get_logger()

_INBOX: Table = InboxRecord.__table__  # type: ignore[attr-defined]

P = TypeVar("P", bound=EventPayload)
Handler = Callable[[UnitOfWork, CloudEvent, Any], Awaitable[None]]
DeadLetterSink = Callable[[str, bytes, str], Awaitable[None]]  # (consumer, raw event, error)


class PoisonEvent(Exception):
    """An event that can never be applied (unparseable envelope or payload); retrying would not help."""


@dataclass
class Subscription:
    """A named consumer (its inbox and Kafka consumer group) and the handler of each event type it takes."""

    consumer: str
    handlers: dict[str, tuple[type[EventPayload], Handler]] = field(default_factory=dict)

    def on(self, payload_type: type[P], handler: Callable[[UnitOfWork, CloudEvent, P], Awaitable[None]]) -> None:
        self.handlers[payload_type.event_type] = (payload_type, handler)

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(sorted({payload.topic() for payload, _ in self.handlers.values()}))


class EventConsumer:
    def __init__(
        self,
        subscription: Subscription,
        sessions: async_sessionmaker[AsyncSession],
        *,
        max_retries: int = 3,
        retry_delay: float = 0.05,
        dead_letter_sink: DeadLetterSink | None = None,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.subscription = subscription
        # Wakes this service's outbox relay when a handler's transaction emitted events (as a request's does).
        self._on_commit = on_commit
        self.name = subscription.consumer
        self._sessions = sessions
        self._max_retries = max_retries
        self._retry_delay = retry_delay
        self._dead_letter_sink = dead_letter_sink
        self.applied_count = 0
        self.dead_letter_count = 0

    async def deliver(self, raw: bytes, topic: str) -> None:
        """Apply one event; never raises for a bad event (it becomes a dead letter), only for infrastructure."""
        try:
            event, payload_type, handler = self._parse(raw)
        except PoisonEvent as exc:
            await self._dead_letter(raw, topic, _raw_id(raw), "unknown", str(exc), attempts=1)
            return
        if handler is None or payload_type is None:
            return  # an event type this consumer does not take
        structlog.contextvars.bind_contextvars(event_id=event.id, correlation_id=event.correlationid)
        log.debug("event_received", consumer=self.name, subject=event.subject)
        try:
            payload = payload_type.model_validate(event.data)
        except ValidationError as exc:
            await self._dead_letter(raw, topic, event.id, event.type, f"invalid payload: {exc}", attempts=1)
            return
        await self._apply_with_retries(raw, topic, event, payload, handler)

    def _parse(self, raw: bytes) -> tuple[CloudEvent, type[EventPayload] | None, Handler | None]:
        try:
            event = CloudEvent.from_bytes(raw)
        except ValidationError as exc:
            raise PoisonEvent(f"invalid CloudEvent envelope: {exc}") from exc
        payload_type, handler = self.subscription.handlers.get(event.type, (None, None))
        return event, payload_type, handler

    async def _apply_with_retries(
        self, raw: bytes, topic: str, event: CloudEvent, payload: EventPayload, handler: Handler
    ) -> None:
        error = ""
        for attempt in range(1, self._max_retries + 1):
            try:
                await self._apply(event, payload, handler)
                return
            except Exception as exc:
                if database_unreachable(exc):
                    # Not the event's fault: it must not become a dead letter. Raised, it is delivered again once
                    # the database is back (Kafka: its offset is not committed; in-process: the relay retries).
                    log.warning("event_apply_database_unreachable", consumer=self.name, error=repr(exc)[:500])
                    raise
                error = f"{type(exc).__name__}: {exc}"
                log.warning("event_apply_failed", consumer=self.name, attempt=attempt, error=error)
                await asyncio.sleep(self._retry_delay * 2 ** (attempt - 1))
        await self._dead_letter(raw, topic, event.id, event.type, error, attempts=self._max_retries)

    async def _apply(self, event: CloudEvent, payload: EventPayload, handler: Handler) -> None:
        async with UnitOfWork(self._sessions, on_commit=self._on_commit) as uow:
            if not await self._claim(uow.session, event):
                return  # applied (or set aside) before: a redelivery
            await handler(uow, event, payload)
            log.debug("event_handled", consumer=self.name, subject=event.subject)
            await uow.commit()
        log.debug("event_applied", consumer=self.name, subject=event.subject)
        self.applied_count += 1

    async def _claim(self, session: AsyncSession, event: CloudEvent) -> bool:
        """Write the event's inbox row first, in the handler's transaction; False if it is there already.

        One statement instead of a read and a write. A concurrent delivery of the same event waits on the key
        (PostgreSQL) or the write lock (SQLite) until this transaction ends, then finds the row (``DO NOTHING``),
        or, if this one rolled back, claims it itself; so the handler runs once per committed event.
        """
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(_INBOX)
            .values(
                consumer=self.name, event_id=event.id, event_type=event.type, outcome="applied", processed_at=utcnow()
            )
            .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        )
        connection = await session.connection()
        result = await connection.execute(statement)
        return bool(result.rowcount)

    async def _seen(self, session: AsyncSession, event_id: str) -> bool:
        found = await session.execute(
            select(InboxRecord.event_id).where(InboxRecord.consumer == self.name, InboxRecord.event_id == event_id)
        )
        return found.first() is not None

    async def _dead_letter(
        self, raw: bytes, topic: str, event_id: str, event_type: str, error: str, *, attempts: int
    ) -> None:
        log.error("event_dead_lettered", consumer=self.name, event_id=event_id, error=error[:500])
        if self._dead_letter_sink is not None:
            await self._dead_letter_sink(self.name, raw, error)
        async with UnitOfWork(self._sessions) as uow:
            if await self._seen(uow.session, event_id):
                return
            uow.session.add(
                InboxRecord(consumer=self.name, event_id=event_id, event_type=event_type, outcome="dead_letter")
            )
            uow.session.add(
                DeadLetter(
                    consumer=self.name,
                    event_id=event_id,
                    event_type=event_type,
                    topic=topic,
                    payload=raw.decode("utf-8", errors="replace"),
                    error=error,
                    attempts=attempts,
                )
            )
            await uow.commit()
        self.dead_letter_count += 1


# SQLSTATE classes of a lost or refused connection: 08 connection exception, 57 operator intervention (the server
# shutting down, restarting after a crash, or not accepting connections yet).
_UNREACHABLE_SQLSTATE_CLASSES = ("08", "57")


def database_unreachable(exc: BaseException) -> bool:
    """The database could not be reached (down, restarting, connection cut), as opposed to the event failing.

    Looks through the exception's causes: a socket error, a connection SQLAlchemy found dead, or a SQLSTATE of
    class 08 or 57 (``sqlstate`` on the driver's error)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):  # refused, reset, unreachable, timed out
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        sqlstate = getattr(current, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate[:2] in _UNREACHABLE_SQLSTATE_CLASSES:
            return True
        current = current.__cause__ or current.__context__
    return False


def _raw_id(raw: bytes) -> str:
    """A stable id for an event whose own id cannot be read, so a redelivery is recognised."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:56]
