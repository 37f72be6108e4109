"""Automatic bulletins: air (空气质量日报、周报、月报) once every day of the period is reviewed, and the annual noise
bulletin (声环境质量年报) once the year's noise measurements are.

An air period is ready when no air station-day in it is still ``pending`` and every day of it has at least one
reviewed (confirmed or invalidated) air station-day. A station that sent nothing on a day has nothing to review, so
an outage does not hold the bulletin back; a day nobody has reviewed does.

Noise is measured on a few days a quarter, not every day: the year that ended last (the one before today's) is
ready when none of its noise station-days is ``pending`` and at least one is confirmed. Earlier years are built by
hand, as are air periods past the look-back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

import structlog
from sqlalchemy import Select, func
from sqlalchemy import select as sa_select
from sqlmodel import col

from services.monitoring.domain.bulletins import AIR_KINDS, period_of
from services.monitoring.domain.readings import LOCAL
from services.monitoring.domain.standards import Standards
from services.monitoring.domain.validity import CONFIRMED, PENDING
from services.monitoring.handlers.bulletins import build_bulletin, publish_bulletin
from services.monitoring.tables import Bulletin, DayReview, Station
from shared.auth import Principal
from shared.messaging import UnitOfWork

log = structlog.get_logger()

SCHEDULE = Principal(subject="system:bulletin-schedule", roles=frozenset(), zone="staff")


def local_today() -> date:
    return datetime.now(LOCAL).date()


def ended_periods(today: date, lookback_days: int) -> Iterator[tuple[str, date, date]]:
    """Air bulletin periods that started within ``lookback_days`` before ``today`` and have ended."""
    day = today - timedelta(days=lookback_days)
    while day < today:
        for kind in AIR_KINDS:
            try:
                first, last = period_of(kind, day)
            except ValueError:  # not a Monday, not the first of a month
                continue
            if last < today:
                yield kind, first, last
        day += timedelta(days=1)


def _day_states(station_kind: str, since: date, until: date) -> Select[date, str, int]:
    """The (day, status, count) of one kind of station's station-days in the dates."""
    return (
        sa_select(col(DayReview.day), col(DayReview.status), func.count())
        .join(Station, col(Station.code) == col(DayReview.station_code))
        .where(col(Station.kind) == station_kind, col(DayReview.day) >= since, col(DayReview.day) <= until)
        .group_by(col(DayReview.day), col(DayReview.status))
    )


async def _review_state(uow: UnitOfWork, since: date, until: date) -> tuple[set[date], set[date]]:
    """The days with a pending air station-day, and the days with a reviewed one."""
    pending: set[date] = set()
    reviewed: set[date] = set()
    for day, status, _count in (await uow.session.execute(_day_states("air_station", since, until))).all():
        (pending if status == PENDING else reviewed).add(day)
    return pending, reviewed


def period_reviewed(first: date, last: date, pending: set[date], reviewed: set[date]) -> bool:
    days = {first + timedelta(days=n) for n in range((last - first).days + 1)}
    return not (days & pending) and days <= reviewed


async def ready_noise_year(uow: UnitOfWork, today: date) -> date | None:
    """1 January of the year before ``today`` if its noise bulletin is due: every noise station-day of the year
    reviewed, at least one confirmed, and no bulletin of the year published."""
    first, last = period_of("noise_annual", date(today.year - 1, 1, 1))
    statuses = {status for _day, status, _count in (await uow.session.execute(_day_states("noise_point", first, last)))}
    if PENDING in statuses or CONFIRMED not in statuses:
        return None
    query = sa_select(func.count()).where(
        col(Bulletin.kind) == "noise_annual", col(Bulletin.period_start) == first, col(Bulletin.status) == "published"
    )
    return None if (await uow.session.execute(query)).scalar_one() else first


async def ready_periods(uow: UnitOfWork, today: date, lookback_days: int) -> list[tuple[str, date]]:
    """Ended, fully reviewed and not yet published periods: the air kinds' oldest first, then the noise year."""
    noise_year = await ready_noise_year(uow, today)
    noise = [("noise_annual", noise_year)] if noise_year else []
    periods = list(ended_periods(today, lookback_days))
    if not periods:
        return noise
    since = min(first for _, first, _ in periods)
    pending, reviewed = await _review_state(uow, since, today)
    query = sa_select(col(Bulletin.kind), col(Bulletin.period_start)).where(
        col(Bulletin.status) == "published", col(Bulletin.period_start) >= since
    )
    published = {(kind, first) for kind, first in (await uow.session.execute(query)).all()}
    by_kind: dict[str, list[date]] = defaultdict(list)
    for kind, first, last in periods:
        if (kind, first) not in published and period_reviewed(first, last, pending, reviewed):
            by_kind[kind].append(first)
    return [(kind, first) for kind in AIR_KINDS for first in by_kind[kind]] + noise


async def publish_ready_bulletins(
    units: Callable[[], UnitOfWork], standards: Standards, *, today: date, lookback_days: int
) -> list[str]:
    """One round: build and publish each ready period, one transaction each; the published bulletin ids."""
    async with units() as uow:
        ready = await ready_periods(uow, today, lookback_days)
    published = []
    for kind, first in ready:
        async with units() as uow:
            bulletin = await build_bulletin(uow, standards, kind=kind, start=first, actor=SCHEDULE)
            await publish_bulletin(uow, bulletin, actor=SCHEDULE, correlation_id=None)
            await uow.commit()
        log.info("bulletin_published_automatically", kind=kind, period_start=first.isoformat(), id=bulletin.id)
        published.append(bulletin.id)
    return published
