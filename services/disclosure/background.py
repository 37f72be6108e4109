"""What the disclosure service runs while it is up: the deadline watch, the Credit China sender and the re-check of
published redactions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import structlog
from fastapi import FastAPI

from services.disclosure import credit_china, handlers, recheck
from services.disclosure.domain.deadlines import WorkingDayCalendar
from services.disclosure.settings import DisclosureSettings
from shared.messaging import UnitOfWork
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


async def recheck_redactions(
    units: Callable[[], UnitOfWork], settings: DisclosureSettings, calendar: WorkingDayCalendar, *, page: int = 200
) -> list[str]:
    """复核: the current detectors over every published decision, a page per transaction; the corrected ids."""
    corrected: list[str] = []
    after: str | None = None
    while True:
        async with units() as uow:
            today = handlers.local_today(settings.timezone)
            done = await recheck.recheck_page(
                uow, after=after, limit=page, today=today, calendar=calendar, settings=settings
            )
            await uow.commit()
        corrected += done.corrected
        if done.last_id is None:
            break
        after = done.last_id
        await asyncio.sleep(0)  # let requests through between pages
    if corrected:
        log.warning("redaction_corrected", publications=corrected)
    return corrected


@contextlib.asynccontextmanager
async def redaction_recheck(app: FastAPI, runtime: ServiceRuntime) -> AsyncIterator[None]:
    """The scheduled re-check; the first round one interval after start (a start is no time for a full pass)."""
    settings: DisclosureSettings = app.state.settings
    interval = settings.redaction_recheck_interval_seconds
    if interval <= 0:
        yield
        return

    async def later() -> None:
        await asyncio.sleep(interval)
        await _every(
            interval, "redaction-recheck", lambda: recheck_redactions(runtime.uow, settings, app.state.calendar)
        )

    async with running(later(), name="disclosure:redaction-recheck"):
        yield
