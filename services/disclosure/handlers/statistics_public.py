"""Enforcement statistics on the portal (执法统计季报、年报): a quarter's or a year's figures read from cases over
HTTP, published by the editor once the period is over (republishing stores corrected figures as a new version)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import httpx
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.disclosure.domain.before_enforcement import (
    PERIODS,
    Period,
    check_release,
    quarter_number,
    release_title,
)
from services.disclosure.handlers.annual_reports import fetch_statistics
from services.disclosure.handlers.publications import local_today
from services.disclosure.schemas import StatisticsReleasePublic
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import StatisticsRelease
from shared.audit import append_audit
from shared.errors import NotFound
from shared.messaging import UnitOfWork


async def _store(
    uow: UnitOfWork, year: int, period: Period, data: dict[str, object], *, day: date, actor: str
) -> StatisticsRelease:
    release = await uow.session.get(StatisticsRelease, (year, period))
    if release is None:
        release = StatisticsRelease(year=year, period=period, published_on=day, published_by=actor)
        uow.session.add(release)
    else:
        # Incremented in SQL: two editors republishing at once make versions n+1 and n+2.
        release.version = StatisticsRelease.version + 1
    release.data, release.published_by, release.updated_at = data, actor, datetime.now(UTC)
    await uow.session.flush()
    await uow.session.refresh(release, attribute_names=["version"])
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="statistics_release",
        entity_id=f"{year}-{period}",
        action="published",
        data={"version": release.version},
    )
    return release


async def publish_release(
    units: Callable[[], UnitOfWork],
    settings: DisclosureSettings,
    year: int,
    period: Period,
    *,
    published_on: date | None,
    actor: str,
    cases_transport: httpx.AsyncBaseTransport | None,
) -> StatisticsRelease:
    """发布执法统计: the period's figures as cases counts them now, stored with the title (one transaction)."""
    today = local_today(settings.timezone)
    day = published_on or today
    check_release(year, period, day, today=today)
    statistics = await fetch_statistics(settings, year, transport=cases_transport, quarter=quarter_number(period))
    data: dict[str, object] = {"title": release_title(year, period), "statistics": statistics.model_dump(mode="json")}

    async def store() -> StatisticsRelease:
        async with units() as uow:
            release = await _store(uow, year, period, data, day=day, actor=actor)
            await uow.commit()
        return release

    try:
        return await store()
    except IntegrityError:  # a concurrent first release of the same period: this one is the next version
        return await store()


async def releases(uow: UnitOfWork) -> list[StatisticsRelease]:
    """Every release, newest period first (the year's report after its fourth quarter)."""
    rows = (await uow.session.exec(select(StatisticsRelease).order_by(col(StatisticsRelease.year).desc()))).all()
    return sorted(rows, key=lambda r: (r.year, PERIODS.index(r.period)), reverse=True)


async def release(uow: UnitOfWork, year: int, period: Period) -> StatisticsRelease:
    found = await uow.session.get(StatisticsRelease, (year, period))
    if found is None:
        raise NotFound(f"{release_title(year, period)}尚未发布 Not published")
    return found


def public_release(row: StatisticsRelease) -> StatisticsReleasePublic:
    return StatisticsReleasePublic.model_validate(
        {
            "year": row.year,
            "period": row.period,
            "title": row.data["title"],
            "statistics": row.data["statistics"],
            "published_on": row.published_on,
            "version": row.version,
        }
    )
