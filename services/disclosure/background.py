"""What the disclosure service runs while it is up: the deadline watch, the Credit China sender and the re-check of
published redactions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import structlog
from fastapi import FastAPI

from services.disclosure.handlers import credit_china, publications, recheck
from services.disclosure.settings import DisclosureSettings
from shared.delivery import delivering
from shared.messaging import UnitOfWork
from shared.periodic import Periodic
from shared.service import ServiceRuntime
from shared.tasks import running
from shared.workdays import Calendar

log = structlog.get_logger()


async def check_deadlines(runtime: ServiceRuntime, settings: DisclosureSettings) -> int:
    """One round of the deadline watch: 公示逾期 events for publications that became overdue."""
    async with runtime.uow() as uow:
        overdue = await publications.mark_overdue(uow, today=publications.local_today(settings.timezone))
        await uow.commit()
    return len(overdue)


@contextlib.asynccontextmanager
async def deadline_watch(app: FastAPI, runtime: ServiceRuntime) -> AsyncIterator[None]:
    settings: DisclosureSettings = app.state.settings
    watch = Periodic("deadline-watch", lambda: check_deadlines(runtime, settings), settings.watch_interval_seconds)
    async with running(watch.run(), name="disclosure:deadline-watch"):
        yield


@contextlib.asynccontextmanager
async def credit_china_sender(app: FastAPI, runtime: ServiceRuntime) -> AsyncIterator[None]:
    """Delivers the pending ledger to Credit China; off while no endpoint is configured."""
    settings: DisclosureSettings = app.state.settings
    async with delivering(
        "credit_china",
        lambda client: credit_china.ledger(runtime.sessions, client, settings),
        enabled=bool(settings.credit_china_url),
        request_timeout=settings.credit_china_timeout_seconds,
        interval=settings.credit_china_interval_seconds,
    ):
        yield


async def recheck_redactions(
    units: Callable[[], UnitOfWork], settings: DisclosureSettings, calendar: Calendar, *, page: int = 200
) -> list[str]:
    """复核: the current detectors over every published decision, a page per transaction; the corrected ids."""
    corrected: list[str] = []
    after: str | None = None
    while True:
        async with units() as uow:
            today = publications.local_today(settings.timezone)
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

    rounds = Periodic(
        "redaction-recheck",
        lambda: recheck_redactions(runtime.uow, settings, app.state.calendar),
        interval,
        first_delay=interval,
    )
    async with running(rounds.run(), name="disclosure:redaction-recheck"):
        yield
