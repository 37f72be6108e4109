"""What the disclosure service runs while it is up: the deadline watch and the Credit China sender."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import structlog
from fastapi import FastAPI

from services.disclosure import credit_china, handlers
from services.disclosure.settings import DisclosureSettings
from shared.service import ServiceRuntime
from shared.tasks import running

log = structlog.get_logger()


async def _every(seconds: float, name: str, work: Callable[[], Awaitable[object]]) -> None:
    """Run ``work`` now and then every ``seconds``; a failed round is logged and the next one still runs."""
    while True:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("background_round_failed", task=name, error=str(exc))
        await asyncio.sleep(seconds)


async def check_deadlines(runtime: ServiceRuntime, settings: DisclosureSettings) -> int:
    """One round of the deadline watch: 公示逾期 events for publications that became overdue."""
    async with runtime.uow() as uow:
        overdue = await handlers.mark_overdue(uow, today=handlers.local_today(settings.timezone))
        await uow.commit()
    return len(overdue)


@contextlib.asynccontextmanager
async def deadline_watch(app: FastAPI, runtime: ServiceRuntime) -> AsyncIterator[None]:
    settings: DisclosureSettings = app.state.settings
    work = _every(settings.watch_interval_seconds, "deadline-watch", lambda: check_deadlines(runtime, settings))
    async with running(work, name="disclosure:deadline-watch"):
        yield


@contextlib.asynccontextmanager
async def credit_china_sender(app: FastAPI, runtime: ServiceRuntime) -> AsyncIterator[None]:
    """Delivers the pending ledger to Credit China; off while no endpoint is configured."""
    settings: DisclosureSettings = app.state.settings
    if not settings.credit_china_url:
        yield
        return
    async with httpx.AsyncClient(timeout=settings.credit_china_timeout_seconds) as client:

        async def deliver() -> int:
            return await credit_china.deliver_pending(runtime.sessions, client, settings)

        work = _every(settings.credit_china_interval_seconds, "credit-china", deliver)
        async with running(work, name="disclosure:credit-china"):
            yield
