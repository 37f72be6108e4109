"""Outbound delivery (对外推送): a ledger of records to send, and one sender with bounded retries and backoff.

A service keeps its ledger in its own table built on :class:`DeliveryRow`; the row is staged in the transaction of
the change it reports, so nothing is lost to a crash between the change and the send. The receiver gets the row
id as ``Idempotency-Key``, so a retry after a lost answer lands once. Answers are checked, not trusted: only a 2xx
is a delivery; a redirect is neither followed nor a delivery; another 4xx is refused at once; a 5xx, 408, 429 or a
transport error is retried a bounded number of times; what is kept of an answer is bounded.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import httpx
import structlog
from sqlalchemy import Text, text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from tenacity import AsyncRetrying, RetryError, retry_if_exception_type, stop_after_attempt, wait_exponential

from shared.db import UTCDateTime
from shared.messaging.tables import utcnow
from shared.outbound import tls_context
from shared.periodic import Periodic
from shared.tasks import running

log = structlog.get_logger()
ANSWER_KEPT = 300  # characters of a refusing answer kept in the ledger
RETRIED_STATUSES = frozenset({408, 429})


class DeliveryRow(SQLModel):
    """One record sent once, with its attempts: pending → delivered, or failed until staff redeliver it."""

    id: str = Field(primary_key=True, max_length=36)
    status: str = Field(default="pending", max_length=20, index=True, description="pending | delivered | failed")
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


Row = TypeVar("Row", bound=DeliveryRow)


@dataclass(frozen=True)
class Endpoint:
    """Where a service delivers, from its settings alone (never from a caller or a record)."""

    url: str
    attempts: int
    backoff_seconds: float
    backoff_max_seconds: float = 30.0
    token: str | None = None


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    attempts: int
    status_code: int | None
    error: str | None


class _Answer(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code


class _Retryable(_Answer):
    """The receiver could not take the record now: try again."""


class _Refused(_Answer):
    """The receiver refused the record itself (or redirected): the same bytes again would not help."""


class Sender:
    def __init__(self, endpoint: Endpoint, client: httpx.AsyncClient) -> None:
        self.endpoint = endpoint
        self._client = client

    async def send(self, key: str, body: dict[str, Any]) -> Outcome:
        """POST ``body`` with ``Idempotency-Key: key``; bounded retries with exponential backoff."""
        attempts = 0
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.endpoint.attempts),
            wait=wait_exponential(multiplier=self.endpoint.backoff_seconds, max=self.endpoint.backoff_max_seconds),
            retry=retry_if_exception_type((_Retryable, httpx.TransportError)),
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    status = await self._post_once(key, body)
        except RetryError as exc:
            last = exc.last_attempt.exception()
            return Outcome(False, attempts, _status_of(last), _bounded(f"gave up after {attempts} attempts: {last}"))
        except Exception as exc:  # refused, or not worth retrying (an invalid URL): kept in the ledger, not looped on
            return Outcome(False, attempts, _status_of(exc), _bounded(f"{type(exc).__name__}: {exc}"))
        return Outcome(True, attempts, status, None)

    async def _post_once(self, key: str, body: dict[str, Any]) -> int:
        headers = {"Idempotency-Key": key}
        if self.endpoint.token:
            headers["Authorization"] = f"Bearer {self.endpoint.token}"
        answer = await self._client.post(self.endpoint.url, json=body, headers=headers, follow_redirects=False)
        code = answer.status_code
        if code >= 500 or code in RETRIED_STATUSES:
            raise _Retryable(code, f"HTTP {code}: {answer.text[:ANSWER_KEPT]}")
        if not answer.is_success:
            raise _Refused(code, f"HTTP {code}: {answer.text[:ANSWER_KEPT]}")
        return code


def _status_of(exc: BaseException | None) -> int | None:
    return exc.status_code if isinstance(exc, _Answer) else None


def _bounded(error: str) -> str:
    return error[: ANSWER_KEPT + 100]


class Ledger(Generic[Row]):
    """Delivers a service's pending rows, oldest first, one replica at a time.

    ``group_of`` keeps one group's rows in order: a failed row holds back the later ones of its group until it is
    redelivered (an update never overtakes the deletion that followed it)."""

    def __init__(
        self,
        table: type[Row],
        sessions: async_sessionmaker[AsyncSession],
        sender: Sender,
        *,
        name: str,
        body_of: Callable[[Row], dict[str, Any]],
        group_of: Callable[[Row], str] | None = None,
    ) -> None:
        self._table, self._sessions, self._sender = table, sessions, sender
        self._name, self._body_of, self._group_of = name, body_of, group_of
        # pg_try_advisory_lock key: one sender per ledger across replicas (SQLite means a single process).
        self._lock = {"key": zlib.crc32(str(table.__tablename__).encode())}

    async def deliver_pending(self) -> int:
        """One pass; returns how many rows were delivered."""
        async with self._sessions() as holder:
            postgres = holder.get_bind().dialect.name == "postgresql"
            if postgres and not (await holder.execute(text("SELECT pg_try_advisory_lock(:key)"), self._lock)).scalar():
                return 0
            try:
                return await self._pass()
            finally:
                if postgres:
                    await holder.execute(text("SELECT pg_advisory_unlock(:key)"), self._lock)
                    await holder.commit()

    async def _pass(self) -> int:
        table = self._table
        async with self._sessions() as session:
            pending = select(table).where(col(table.status) == "pending").order_by(col(table.created_at))
            rows = list((await session.execute(pending)).scalars())
            failed = select(table).where(col(table.status) == "failed")
            held = {self._group_of(r) for r in (await session.execute(failed)).scalars()} if self._group_of else set()
        delivered = 0
        for row in rows:
            group = self._group_of(row) if self._group_of else None
            if group is not None and group in held:
                continue
            outcome = await self._sender.send(row.id, self._body_of(row))
            await self._record(row.id, outcome)
            delivered += outcome.delivered
            if not outcome.delivered:
                if group is not None:
                    held.add(group)
                log.warning(f"{self._name}_delivery_failed", record_id=row.id, error=outcome.error)
        return delivered

    async def _record(self, row_id: str, outcome: Outcome) -> None:
        async with self._sessions() as session:
            row = await session.get(self._table, row_id)
            assert row is not None
            row.attempts += outcome.attempts
            row.last_attempt_at = datetime.now(UTC)
            row.last_status_code, row.last_error = outcome.status_code, outcome.error
            row.status = "delivered" if outcome.delivered else "failed"
            row.delivered_at = row.last_attempt_at if outcome.delivered else None
            await session.commit()


@contextlib.asynccontextmanager
async def delivering(
    name: str,
    make: Callable[[httpx.AsyncClient], Ledger[Any]],
    *,
    enabled: bool,
    request_timeout: float,
    interval: float,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Periodic | None]:
    """Run a ledger's sender for the block: now, every ``interval`` and when woken; None while it is off (no
    endpoint configured, the rows wait in the ledger)."""
    if not enabled:
        yield None
        return
    async with httpx.AsyncClient(timeout=request_timeout, transport=transport, verify=tls_context()) as client:
        loop = Periodic(name, make(client).deliver_pending, interval, failure_event=f"{name}_delivery_pass_failed")
        async with running(loop.run(), name=f"delivery:{name}"):
            yield loop
