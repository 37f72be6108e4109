"""Readings by station, parameter and time range (raw or aggregated by hour, day, month), and latest values.

Every query names a station, parameter and interval and a time range, so it is a range scan of the reading
table's primary key (station_code, parameter, interval, time) — on PostgreSQL as on SQLite.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from services.monitoring.tables import Bulletin, Exceedance, LatestReading, Reading
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
        .where(col(Reading.instrument_flag) == "N", col(Reading.auto_flags) == "")
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
    dialect = uow.session.bind.dialect.name if uow.session.bind is not None else "sqlite"
    query = aggregation_query(dialect, station, parameter, interval, start, end, aggregation)
    rows = (await uow.session.execute(query)).all()
    return [{"period": p, "mean": round(float(m), 4), "min": lo, "max": hi, "count": n} for p, m, lo, hi, n in rows]


async def latest_values(uow: UnitOfWork, *, station: str | None, limit: int) -> list[LatestReading]:
    query = select(LatestReading).order_by(col(LatestReading.station_code), col(LatestReading.parameter))
    if station:
        query = query.where(LatestReading.station_code == station)
    return list((await uow.session.execute(query.limit(limit))).scalars())


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


async def list_bulletins(
    uow: UnitOfWork, *, kind: str | None, after: tuple[date, str] | None, limit: int
) -> list[Bulletin]:
    """Newest period first, a page and one more row; ``after`` is the (period_start, id) of the last row seen."""
    query = select(Bulletin)
    if kind:
        query = query.where(Bulletin.kind == kind)
    keys = (Key(col(Bulletin.period_start), descending=True), Key(col(Bulletin.id)))
    return list((await uow.session.execute(keyset(query, keys, after, limit))).scalars())
