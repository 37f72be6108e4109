"""Copies to the procuratorate (抄送检察院): a delivery ledger row written with the step, sent by
``shared.delivery`` (retries with exponential backoff, ``Idempotency-Key: <delivery id>``).

The ledger row is staged in the step's own transaction, so a copy is never lost to a crash between the step and
the send.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.referral.access import OWNERSHIP
from services.referral.settings import ReferralSettings
from services.referral.tables import ProcuratorateDelivery, Referral
from shared.auth import Principal
from shared.delivery import Endpoint, Ledger, Sender, delivering
from shared.http import MAX_LIMIT
from shared.messaging import UnitOfWork
from shared.service import ServiceRuntime

log = structlog.get_logger()
DELIVERY = OWNERSHIP["procuratorate_delivery"]


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


def sender(client: httpx.AsyncClient, settings: ReferralSettings) -> Sender:
    """The configured endpoint only: a copy's content never changes where it goes."""
    url, attempts = settings.procuratorate_url, settings.procuratorate_attempts
    assert url is not None
    backoff = (settings.procuratorate_backoff_seconds, settings.procuratorate_backoff_max_seconds)
    return Sender(Endpoint(url, attempts, *backoff), client)


def ledger(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, settings: ReferralSettings
) -> Ledger[ProcuratorateDelivery]:
    def body_of(row: ProcuratorateDelivery) -> dict[str, Any]:
        return {"delivery_id": row.id, "sender": settings.authority, **row.payload}

    return Ledger(ProcuratorateDelivery, sessions, sender(client, settings), name="procuratorate", body_of=body_of)


def deliverer_hook(transport: httpx.AsyncBaseTransport | None = None) -> Any:
    """A ``ServiceSpec`` hook running the deliverer while the service is up: woken after a step commits, and
    polling so nothing stays stranded after a crash. Off while no endpoint is configured."""

    @contextlib.asynccontextmanager
    async def hook(app: FastAPI, runtime: ServiceRuntime) -> AsyncIterator[None]:
        settings: ReferralSettings = app.state.settings
        async with delivering(
            "procuratorate",
            lambda client: ledger(runtime.sessions, client, settings),
            enabled=bool(settings.procuratorate_url),
            request_timeout=settings.procuratorate_timeout,
            interval=settings.procuratorate_poll_interval,
            transport=transport,
        ) as deliverer:
            runtime.extras["deliverer"] = deliverer
            yield

    return hook
