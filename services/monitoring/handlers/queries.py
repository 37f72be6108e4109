"""Readings by station, parameter and time range (raw or aggregated by hour, day, month), latest values,
exceedances, and the one SQL condition for a valid value (:func:`valid_reading`) that every computing read uses.

Every query names a station, parameter and interval and a time range, so it is a range scan of the reading
table's primary key (station_code, parameter, interval, time) — on PostgreSQL as on SQLite. The reading table has
no other index (each one costs every stored reading an insertion): a read across a station's parameters names the
parameters the station has stored (:func:`stored_parameters`) and the intervals, and pages of several series are
merged from one page per series (:func:`series_page`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Row, Select, String, and_, column, exists, func, true, union_all, values
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from services.monitoring.domain.readings import INTERVALS
from services.monitoring.domain.validity import INVALIDATED, NO_AUTOMATIC_FLAG, VALID_INSTRUMENT_FLAG
from services.monitoring.tables import DayReview, Exceedance, LatestReading, Reading
from shared.keyset import Key, keyset
from shared.messaging import UnitOfWork

T = TypeVar("T")

Aggregation = Literal["hour", "day", "month"]
# Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so a fixed offset buckets local periods.
_SQLITE_FORMATS = {"hour": "%Y-%m-%dT%H:00", "day": "%Y-%m-%d", "month": "%Y-%m"}
_PG_FORMATS = {"hour": 'YYYY-MM-DD"T"HH24:00', "day": "YYYY-MM-DD", "month": "YYYY-MM"}


def local_period(dialect: str, aggregation: Aggregation) -> ColumnElement[str]:
    """The local (Asia/Shanghai) hour, day or month of a reading's time, as text."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", col(Reading.time)), _PG_FORMATS[aggregation])
    return func.strftime(_SQLITE_FORMATS[aggregation], col(Reading.time), "+8 hours")


def dialect_of(uow: UnitOfWork) -> str:
    return uow.session.bind.dialect.name if uow.session.bind is not None else "sqlite"


def local_day_of(dialect: str, moment: Any) -> ColumnElement[Any]:
    """The local (Asia/Shanghai) date of a UTC time column, comparable with a DATE column on either database."""
    if dialect == "postgresql":
        return func.date(func.timezone("Asia/Shanghai", moment))
    return func.date(moment, "+8 hours")


def value_is_clean(instrument_flag: Any = None, auto_flags: Any = None) -> ColumnElement[bool]:
    """The value's own part of the rule: instrument flag N and no automatic flag."""
    flag = col(Reading.instrument_flag) if instrument_flag is None else instrument_flag
    auto = col(Reading.auto_flags) if auto_flags is None else auto_flags
    return and_(flag == VALID_INSTRUMENT_FLAG, auto == NO_AUTOMATIC_FLAG)


def day_invalidated(dialect: str, station_code: Any, moment: Any) -> ColumnElement[bool]:
    """Whether a reviewer invalidated the station-day of ``moment`` (a primary-key lookup per row)."""
    return exists().where(
        col(DayReview.station_code) == station_code,
        col(DayReview.day) == local_day_of(dialect, moment),
        col(DayReview.status) == INVALIDATED,
    )


def valid_reading(dialect: str) -> ColumnElement[bool]:
    """有效数据 as SQL: ``domain.validity.counts_as_valid`` of a row of the reading table."""
    return and_(value_is_clean(), ~day_invalidated(dialect, col(Reading.station_code), col(Reading.time)))


async def day_statuses(uow: UnitOfWork, days: set[tuple[str, date]]) -> dict[tuple[str, date], str]:
    """The review status of each (station, local day) asked for that has one."""
    found: dict[tuple[str, date], str] = {}
    codes = sorted({code for code, _ in days})
    for start in range(0, len(codes), 500):  # bounded IN lists
        query = select(col(DayReview.station_code), col(DayReview.day), col(DayReview.status)).where(
            col(DayReview.station_code).in_(codes[start : start + 500]),
            col(DayReview.day) >= min(day for _, day in days),
            col(DayReview.day) <= max(day for _, day in days),
        )
        for code, day, status in (await uow.session.execute(query)).all():
            if (code, day) in days:
                found[(code, day)] = status
    return found


async def stored_parameters(uow: UnitOfWork, stations: Collection[str]) -> list[str]:
    """The parameters these stations have readings of. Every writer of readings (``ingest.store_columns``) keeps
    ``latest_reading`` for each station and parameter it stores, and no row of it is ever deleted, so it lists
    them all (a primary-key range per station)."""
    if not stations:
        return []
    query = sa_select(col(LatestReading.parameter)).where(col(LatestReading.station_code).in_(sorted(stations)))
    return sorted((await uow.session.execute(query.distinct())).scalars())


def any_series(parameters: Sequence[str]) -> ColumnElement[bool]:
    """Readings of these parameters at any interval: with the station and a time range, a few ranges of the primary
    key instead of every reading of the station."""
    return and_(col(Reading.parameter).in_(parameters), col(Reading.interval).in_(INTERVALS))


def each_series(
    dialect: str,
    stations: Sequence[str],
    parameters: Sequence[str],
    columns: Sequence[Any],
    conditions: Sequence[ColumnElement[bool]],
) -> Select[Any]:
    """Rows ``(station_code, parameter, *columns)`` of readings of each of these stations and parameters that meet
    ``conditions`` (which name the interval and the time range), ordered by station, parameter, then time. On
    PostgreSQL a lateral join over the (station, parameter) pairs reads each as one range of the primary key with
    every column of it bound: with IN lists instead, a planner without statistics for a table just loaded (or the
    newest hours, always beyond them) may bind the station alone and read its whole history. SQLite looks up each
    combination of IN lists along the key."""
    if dialect != "postgresql" or not stations or not parameters:  # (no pairs: an empty IN list, no rows)
        return (
            sa_select(col(Reading.station_code), col(Reading.parameter), *columns)
            .where(col(Reading.station_code).in_(stations), col(Reading.parameter).in_(parameters), *conditions)
            .order_by(col(Reading.station_code), col(Reading.parameter), col(Reading.time))
        )
    codes = values(column("station_code", String), name="codes").data([(code,) for code in stations])
    names = values(column("parameter", String), name="names").data([(name,) for name in parameters])
    pairs = sa_select(codes.c.station_code, names.c.parameter).select_from(codes.join(names, true())).subquery("pairs")
    rows = (
        sa_select(*columns)
        .where(col(Reading.station_code) == pairs.c.station_code, col(Reading.parameter) == pairs.c.parameter)
        .where(*conditions)
        .order_by(col(Reading.time))
        .offset(0)  # never merged into the outer query: each pair stays a range of the key
        .lateral("rows")
    )
    return (
        sa_select(pairs.c.station_code, pairs.c.parameter, *rows.c)
        .select_from(pairs.join(rows, true()))
        .order_by(pairs.c.station_code, pairs.c.parameter, rows.c.time)
    )


async def series_page(
    uow: UnitOfWork,
    columns: Sequence[Any],
    conditions: Sequence[ColumnElement[bool]],
    parameters: Sequence[str],
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Row[Any]]:
    """A page (and one more row) by time, then parameter, of readings that meet ``conditions`` (which name the
    station, the interval and the time range), of these parameters: one page per parameter read in time order
    along the primary key, merged. Each reads at most a page, however long the range and however deep the page
    (one index ordered by time would cost every stored reading an insertion)."""
    pages = []
    for parameter in parameters:
        page = sa_select(*columns).where(*conditions, col(Reading.parameter) == parameter)
        if after is not None:  # (time, parameter) after the cursor's: within one parameter, a bound on the time
            moment, last = after
            page = page.where(col(Reading.time) >= moment if parameter > last else col(Reading.time) > moment)
        pages.append(page.order_by(col(Reading.time)).limit(limit + 1))
    if not pages:
        return []
    if len(pages) == 1:
        return list((await uow.session.execute(pages[0])).all())
    # SQLite takes no ORDER BY or LIMIT in a member of a compound select: each page is a subquery.
    merged = union_all(*(sa_select(*page.subquery().c) for page in pages)).subquery()
    query = sa_select(*merged.c).order_by(merged.c.time, merged.c.parameter).limit(limit + 1)
    return list((await uow.session.execute(query)).all())


def _range(station: str, parameter: str, interval: str, start: datetime, end: datetime) -> list[Any]:
    return [
        Reading.station_code == station,
        Reading.parameter == parameter,
        Reading.interval == interval,
        col(Reading.time) >= start,
        col(Reading.time) < end,
    ]


async def raw_readings(
    uow: UnitOfWork, *, station: str, parameter: str, interval: str, start: datetime, end: datetime, limit: int
) -> list[Reading]:
    query = select(Reading).where(*_range(station, parameter, interval, start, end)).order_by(col(Reading.time))
    return list((await uow.session.execute(query.limit(limit))).scalars())


def aggregation_query(
    dialect: str, station: str, parameter: str, interval: str, start: datetime, end: datetime, aggregation: Aggregation
) -> Select[Any]:
    bucket = local_period(dialect, aggregation).label("bucket")
    return (
        sa_select(bucket, func.avg(Reading.value), func.min(Reading.value), func.max(Reading.value), func.count())
        .where(*_range(station, parameter, interval, start, end))
        .where(valid_reading(dialect))
        .group_by(bucket)
        .order_by(bucket)
    )


async def aggregated_readings(
    uow: UnitOfWork,
    *,
    station: str,
    parameter: str,
    interval: str,
    start: datetime,
    end: datetime,
    aggregation: Aggregation,
) -> list[dict[str, Any]]:
    """Mean, minimum, maximum and count of valid values per local hour, day or month."""
    query = aggregation_query(dialect_of(uow), station, parameter, interval, start, end, aggregation)
    rows = (await uow.session.execute(query)).all()
    return [{"period": p, "mean": round(float(m), 4), "min": lo, "max": hi, "count": n} for p, m, lo, hi, n in rows]


async def latest_values(uow: UnitOfWork, *, station: str | None, limit: int) -> list[tuple[LatestReading, bool]]:
    """The newest value per station and parameter, and whether it is valid (its stored row's automatic flags and
    its day's review, by the one rule)."""
    latest = LatestReading
    stored = and_(
        col(Reading.station_code) == col(latest.station_code),
        col(Reading.parameter) == col(latest.parameter),
        col(Reading.interval) == col(latest.interval),
        col(Reading.time) == col(latest.time),
    )
    valid = and_(
        value_is_clean(col(latest.instrument_flag), func.coalesce(col(Reading.auto_flags), NO_AUTOMATIC_FLAG)),
        ~day_invalidated(dialect_of(uow), col(latest.station_code), col(latest.time)),
    )
    query = (
        sa_select(latest, valid.label("valid"))
        .outerjoin(Reading, stored)
        .order_by(col(latest.station_code), col(latest.parameter))
    )
    if station:
        query = query.where(col(latest.station_code) == station)
    return [(row, bool(is_valid)) for row, is_valid in (await uow.session.execute(query.limit(limit))).all()]


async def list_exceedances(
    uow: UnitOfWork, *, station: str | None, since: datetime | None, after: tuple[datetime, str] | None, limit: int
) -> list[Exceedance]:
    """Oldest period first, a page and one more row; ``after`` is the (period_start, id) of the last row seen."""
    query = select(Exceedance)
    if station:
        query = query.where(Exceedance.station_code == station)
    if since:
        query = query.where(col(Exceedance.period_start) >= since)
    keys = (Key(col(Exceedance.period_start)), Key(col(Exceedance.id)))
    return list((await uow.session.execute(keyset(query, keys, after, limit))).scalars())
