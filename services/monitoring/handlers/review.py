"""数据审核: a reviewer confirms or invalidates one station's data of one day, with a reason (audited)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import String, case, column, func, true, update, values
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from services.monitoring.domain.readings import INTERVALS, day_bounds
from services.monitoring.domain.standards import Standards
from services.monitoring.handlers.exceedances import detect_air_day
from services.monitoring.handlers.noise import measurements_per_day
from services.monitoring.handlers.queries import any_series, dialect_of, local_period, stored_parameters, value_is_clean
from services.monitoring.handlers.stations import get_station, stations_by_code
from services.monitoring.schemas import ReviewItemPublic
from services.monitoring.tables import DayReview, LatestReading, Reading
from shared.audit import append_audit
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.keyset import Key, keyset, split
from shared.messaging import UnitOfWork
from shared.messaging.tables import utcnow


async def review_day(
    uow: UnitOfWork,
    standards: Standards,
    *,
    station_code: str,
    day: date,
    decision: str,
    reason: str,
    reviewer: Principal,
    correlation_id: str | None,
) -> DayReview:
    """Confirming an air station's day also checks it for exceedances (the day's data is now final)."""
    station = await get_station(uow, station_code)
    review = await uow.session.get(DayReview, (station_code, day))
    if review is None:
        raise Conflict(f"{station_code} 在 {day} 没有数据 No data to review for that day", slug="nothing-to-review")
    review.status = "confirmed" if decision == "confirm" else "invalidated"
    review.reason = reason
    review.reviewer = reviewer.subject
    review.reviewed_at = utcnow()
    review.version += 1
    uow.session.add(review)
    await append_audit(
        uow.session, actor=reviewer.subject, entity_type="day_review", entity_id=f"{station_code}/{day.isoformat()}",
        action=review.status, data={"reason": reason},
    )  # fmt: skip
    if review.status == "confirmed" and station.kind == "air_station":
        await uow.session.flush()
        await detect_air_day(uow, standards, [station], day, actor=reviewer.subject, correlation_id=correlation_id)
    return review


async def review_queue(
    uow: UnitOfWork, *, status: str, station: str | None, after: tuple[date, str] | None, limit: int
) -> list[DayReview]:
    """Days awaiting review (or in another status), oldest first, a page and one more row."""
    query = select(DayReview).where(DayReview.status == status)
    if station:
        query = query.where(DayReview.station_code == station)
    keys = (Key(col(DayReview.day)), Key(col(DayReview.station_code)))
    return list((await uow.session.execute(keyset(query, keys, after, limit))).scalars())


async def day_counts(uow: UnitOfWork, days: Sequence[DayReview]) -> dict[tuple[str, date], tuple[int, int]]:
    """Values stored and values flagged per listed station-day, in one grouped query (what the reviewer sees): the
    series the stations have stored (``latest_reading``) at every interval, each a range of the primary key."""
    if not days:
        return {}
    stations = sorted({d.station_code for d in days})
    dialect = dialect_of(uow)
    start, end = day_bounds(min(d.day for d in days))[0], day_bounds(max(d.day for d in days))[1]
    in_range = (col(Reading.time) >= start, col(Reading.time) < end)
    day = local_period(dialect, "day").label("day")
    flagged = func.sum(case((~value_is_clean(), 1), else_=0))
    if dialect == "postgresql":
        # A lateral join, a series at a time with every column of the key bound (as handlers/neighbours): no plan
        # the statistics could choose reads a station's other series or its whole history.
        intervals = values(column("interval", String), name="intervals").data([(i,) for i in INTERVALS])
        series = (
            sa_select(col(LatestReading.station_code), col(LatestReading.parameter), intervals.c.interval)
            .select_from(LatestReading)
            .join(intervals, true())
            .where(col(LatestReading.station_code).in_(stations))
            .subquery("series")
        )
        per_day = (
            sa_select(day, func.count().label("readings"), flagged.label("flagged"))
            .where(
                col(Reading.station_code) == series.c.station_code,
                col(Reading.parameter) == series.c.parameter,
                col(Reading.interval) == series.c.interval,
                *in_range,
            )
            .group_by(day)
            .lateral("per_day")
        )
        query = (
            sa_select(series.c.station_code, per_day.c.day, func.sum(per_day.c.readings), func.sum(per_day.c.flagged))
            .select_from(series.join(per_day, true()))
            .group_by(series.c.station_code, per_day.c.day)
        )
    else:  # SQLite looks up each combination of the IN lists along the key
        parameters = await stored_parameters(uow, stations)
        if not parameters:
            return {}
        query = (
            sa_select(col(Reading.station_code), day, func.count(), flagged)
            .where(col(Reading.station_code).in_(stations), any_series(parameters), *in_range)
            .group_by(col(Reading.station_code), day)
        )
    rows = (await uow.session.execute(query)).all()
    return {(code, date.fromisoformat(d)): (int(n), int(f or 0)) for code, d, n, f in rows}


async def review_page(
    uow: UnitOfWork, *, status: str, station: str | None, after: tuple[date, str] | None, limit: int
) -> tuple[list[ReviewItemPublic], DayReview | None]:
    """待审核 queue read model: a page of days with what the reviewer sees (values stored, values flagged), and the
    last row when there are more."""
    rows, last = split(await review_queue(uow, status=status, station=station, after=after, limit=limit), limit)
    counts = await day_counts(uow, rows)
    for key, measured in (await measurements_per_day(uow, rows)).items():  # a noise point's day: its measurements
        counts[key] = (counts.get(key, (0, 0))[0] + measured, counts.get(key, (0, 0))[1])
    items = [
        ReviewItemPublic.model_validate(
            r.model_dump()
            | dict(zip(("readings", "flagged"), counts.get((r.station_code, r.day), (0, 0)), strict=True))
        )
        for r in rows
    ]
    return items, last


MAX_RANGE_DAYS = 366


async def review_pending_days(
    uow: UnitOfWork,
    standards: Standards,
    *,
    station_codes: Sequence[str],
    first: date,
    last: date,
    decision: str,
    reason: str,
    reviewer: Principal,
    correlation_id: str | None,
) -> dict[str, list[date]]:
    """The same decision on every pending day of the stations in [first, last] (a month of manual results at once),
    per station; days already confirmed or invalidated keep their decision. An unknown station refuses it all. The
    confirmed days of an air station are checked for exceedances as one confirmed day is."""
    if not first <= last <= first + timedelta(days=MAX_RANGE_DAYS - 1):
        raise Invalid(f"日期范围需 first ≤ last 且不超过 {MAX_RANGE_DAYS} 天 Bad day range", slug="bad-range")
    stations = await stations_by_code(uow, station_codes)
    missing = sorted(set(station_codes) - set(stations))
    if missing:
        raise NotFound(f"站点不存在 Station {missing[0]} not found", slug="station-not-found")
    status = "confirmed" if decision == "confirm" else "invalidated"
    # One statement for the range (a year of a station is 365 rows), not a row object each.
    changed = (
        update(DayReview)
        .where(
            col(DayReview.station_code).in_(list(stations)), col(DayReview.day) >= first, col(DayReview.day) <= last,
            col(DayReview.status) == "pending",
        )
        .values(status=status, reason=reason, reviewer=reviewer.subject, reviewed_at=utcnow(),
                version=col(DayReview.version) + 1)
        .returning(col(DayReview.station_code), col(DayReview.day))
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    days: dict[str, list[date]] = {code: [] for code in stations}
    for code, day in (await uow.session.execute(changed)).all():
        days[code].append(day)
    for code in sorted(days):
        days[code].sort()
        await append_audit(
            uow.session, actor=reviewer.subject, entity_type="day_review",
            entity_id=f"{code}/{first.isoformat()}..{last.isoformat()}", action=status,
            data={"reason": reason, "days": len(days[code])},
        )  # fmt: skip
        if status == "confirmed" and stations[code].kind == "air_station":
            for day in days[code]:
                await detect_air_day(
                    uow, standards, [stations[code]], day, actor=reviewer.subject, correlation_id=correlation_id
                )
    return days
