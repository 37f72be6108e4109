"""Copies to the procuratorate (抄送检察院): a delivery ledger written with the step, and a deliverer that sends
pending copies over HTTP with retries and exponential backoff.

The ledger row is staged in the step's own transaction, so a copy is never lost to a crash between the step and
the send; the deliverer sends ``Idempotency-Key: <delivery id>`` so a repeat after a lost answer is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from tenacity import AsyncRetrying, RetryError, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.referral.access import OWNERSHIP
from services.referral.tables import ProcuratorateDelivery, Referral
from shared.auth import Principal
from shared.http import MAX_LIMIT
from shared.messaging import UnitOfWork
from shared.service import ServiceRuntime
from shared.tasks import running

log = structlog.get_logger()
DELIVERY = OWNERSHIP["procuratorate_delivery"]


class RetryableStatus(Exception):
    """The receiver answered with a status worth retrying (5xx, 408, 429)."""


async def stage_copy(uow: UnitOfWork, referral: Referral, *, kind: str, at: datetime, note: dict[str, Any]) -> None:
    payload = {
        "kind": kind,
        "referral_id": referral.id,
        "case_number": referral.case_number,
        "party_name": referral.party_name,
        "credit_code": referral.credit_code,
        "offence": referral.offence,
        "medium": referral.medium,
        "police_unit": referral.police_unit,
        "summary": referral.summary,
        "at": at.isoformat(),
        **note,
    }
    uow.session.add(ProcuratorateDelivery(id=str(uuid.uuid4()), referral_id=referral.id, kind=kind, payload=payload))


class Deliverer:
    """Sends pending copies; woken after a step commits, and polling so nothing stays stranded after a crash."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        url: str | None,
        authority: str,
        timeout: float,
        attempts: int,
        backoff: float,
        backoff_max: float,
        poll_interval: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._sessions = sessions
        self._url = url
        self._authority = authority
        self._attempts = attempts
        self._backoff, self._backoff_max = backoff, backoff_max
        self._poll_interval = poll_interval
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                await self.deliver_pending()
            except Exception as exc:  # a database hiccup must not end the loop
                log.warning("procuratorate_delivery_pass_failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval)
            self._wake.clear()

    async def close(self) -> None:
        await self._client.aclose()

    async def deliver_pending(self) -> int:
        """One pass over pending copies, oldest first; returns how many were delivered."""
        if self._url is None:
            return 0
        async with self._sessions() as session:
            query = select(ProcuratorateDelivery.id).where(col(ProcuratorateDelivery.status) == "pending")
            ids = list((await session.execute(query.order_by(col(ProcuratorateDelivery.created_at)))).scalars())
        delivered = 0
        for delivery_id in ids:
            delivered += await self._deliver(delivery_id)
        return delivered

    async def _deliver(self, delivery_id: str) -> int:
        async with self._sessions() as session:
            # PostgreSQL: replicas skip a copy another one is sending. SQLite (one replica per file): the read
            # snapshot is released before the slow send, or the later write would fail on a stale snapshot.
            row = await session.get(ProcuratorateDelivery, delivery_id, with_for_update={"skip_locked": True})
            if row is None or row.status != "pending":
                return 0
            body = {"delivery_id": row.id, "sender": self._authority, **row.payload}
            if session.get_bind().dialect.name != "postgresql":
                await session.rollback()
            status_code, error, attempts = await self._send(delivery_id, body)
            row = await session.get(ProcuratorateDelivery, delivery_id)
            assert row is not None
            row.attempts += attempts
            row.last_attempt_at = datetime.now(UTC)
            row.last_status_code, row.last_error = status_code, error
            row.status = "delivered" if error is None else "failed"
            row.delivered_at = row.last_attempt_at if error is None else None
            session.add(row)
            await session.commit()
        return int(error is None)

    async def _send(self, delivery_id: str, body: dict[str, Any]) -> tuple[int | None, str | None, int]:
        """(last HTTP status, error or None, attempts made)."""
        assert self._url is not None
        attempts, status_code = 0, None
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._backoff, max=self._backoff_max),
            retry=retry_if_exception_type((httpx.TransportError, RetryableStatus)),
        )
        headers = {"Idempotency-Key": delivery_id}
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    answer = await self._client.post(self._url, json=body, headers=headers)
                    status_code = answer.status_code
                    if status_code >= 500 or status_code in (408, 429):
                        raise RetryableStatus(f"HTTP {status_code}")
                    if not answer.is_success:  # a redirect is neither followed nor a delivery
                        return status_code, f"HTTP {status_code}: {answer.text[:300]}", attempts
        except RetryError as exc:
            return status_code, f"gave up after {attempts} attempts: {exc.last_attempt.exception()}", attempts
        except Exception as exc:  # not worth retrying (e.g. an invalid URL): recorded in the ledger, not looped on
            return status_code, f"{type(exc).__name__}: {exc}", attempts
        return status_code, None, attempts


async def list_deliveries(
    session: AsyncSession, caller: Principal, *, referral_id: str | None, status: str | None
) -> list[ProcuratorateDelivery]:
    """The ledger, oldest first; a scoped caller sees the copies of the referrals it reaches."""
    query = select(ProcuratorateDelivery).order_by(col(ProcuratorateDelivery.created_at)).limit(MAX_LIMIT)
    if not DELIVERY.reaches_all(caller):
        reached = DELIVERY.where(select(Referral.id), caller, Referral)
        query = query.where(col(ProcuratorateDelivery.referral_id).in_(reached))
    if referral_id:
        query = query.where(col(ProcuratorateDelivery.referral_id) == referral_id)
    if status:
        query = query.where(col(ProcuratorateDelivery.status) == status)
    return list((await session.execute(query)).scalars())


async def retry_delivery(session: AsyncSession, caller: Principal, delivery_id: str) -> ProcuratorateDelivery:
    """Put a failed copy back in the queue (staff action after the receiver was fixed); 404 unless the caller
    reaches the copy's referral."""
    row = await session.get(ProcuratorateDelivery, delivery_id)
    referral = await session.get(Referral, row.referral_id) if row is not None else None
    row = DELIVERY.check(caller, row, delivery_id, parent=referral)
    if row.status == "failed":
        row.status = "pending"
        session.add(row)
    return row


def deliverer_hook(transport: httpx.AsyncBaseTransport | None = None) -> Any:
    """A ``ServiceSpec`` hook running the deliverer while the service is up."""

    @contextlib.asynccontextmanager
    async def hook(app: FastAPI, runtime: ServiceRuntime) -> AsyncIterator[None]:
        settings = app.state.settings
        deliverer = Deliverer(
            runtime.sessions,
            url=settings.procuratorate_url,
            authority=settings.authority,
            timeout=settings.procuratorate_timeout,
            attempts=settings.procuratorate_attempts,
            backoff=settings.procuratorate_backoff_seconds,
            backoff_max=settings.procuratorate_backoff_max_seconds,
            poll_interval=settings.procuratorate_poll_interval,
            transport=transport,
        )
        runtime.extras["deliverer"] = deliverer
        try:
            async with running(deliverer.run(), name="referral:procuratorate"):
                yield
        finally:
            await deliverer.close()

    return hook
