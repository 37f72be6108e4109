"""Sending the copies to the procuratorate (抄送检察院): the ledger of ``handlers.deliveries`` delivered by
``shared.delivery`` (retries with exponential backoff, ``Idempotency-Key: <delivery id>``) while the service runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.referral.settings import ReferralSettings
from services.referral.tables import ProcuratorateDelivery
from shared.delivery import Endpoint, Ledger, Sender, delivering
from shared.service import ServiceRuntime


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
