"""Enforcement statistics on the portal (执法统计季报、年报): a quarter's or a year's figures read from cases over
HTTP, published by the editor once the period is over. Publishing again stores the figures as cases counts them
then as the next version; the earlier versions stay readable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

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


async def _latest(uow: UnitOfWork, year: int, period: str) -> StatisticsRelease | None:
    statement = (
        select(StatisticsRelease)
        .where(StatisticsRelease.year == year, StatisticsRelease.period == period)
        .order_by(col(StatisticsRelease.version).desc())
        .limit(1)
    )
    return (await uow.session.exec(statement)).first()


async def _store(
    uow: UnitOfWork, year: int, period: Period, data: dict[str, object], *, day: date, actor: str
) -> StatisticsRelease:
    """The next version; the first version's date stays the release's publication date. The same figures again (a
    second click, a republication before anything changed) are no new version: the latest stands."""
    latest = await _latest(uow, year, period)
    if latest is not None and latest.data == data:
        return latest
    release = StatisticsRelease(
        year=year,
        period=period,
        version=latest.version + 1 if latest else 1,
        data=data,
        published_on=latest.published_on if latest else day,
        revised_on=day,
        published_by=actor,
    )
    uow.session.add(release)
    await uow.session.flush()
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
    except IntegrityError:  # a concurrent release of the same period took the version: this one is the next
        return await store()


async def releases(uow: UnitOfWork) -> list[StatisticsRelease]:
    """Each period's newest version, newest period first (the year's report before its fourth quarter)."""
    newest: dict[tuple[int, str], StatisticsRelease] = {}
    for row in (await uow.session.exec(select(StatisticsRelease))).all():
        held = newest.get((row.year, row.period))
        if held is None or row.version > held.version:
            newest[(row.year, row.period)] = row
    return sorted(newest.values(), key=lambda r: (r.year, PERIODS.index(r.period)), reverse=True)


async def release(uow: UnitOfWork, year: int, period: Period, version: int | None = None) -> StatisticsRelease:
    """The newest version of the period's release, or the one asked for; 404 if none."""
    if version is None:
        found = await _latest(uow, year, period)
    else:
        found = await uow.session.get(StatisticsRelease, (year, period, version))
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
            "revised_on": row.revised_on,
            "version": row.version,
        }
    )
