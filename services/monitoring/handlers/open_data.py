"""Read models of the open monitoring API (公开监测数据, ``/public/v1/monitoring``): ambient stations, their newest
values, and reviewed data only — series, daily AQI and monthly water class.

Reviewed (审核通过) means the station-day's review status is ``confirmed``: a pending day is not yet published and
an invalidated one never is. A month's water class is published once no day of it with data is still pending.
Pollution sources are not part of the open API: their data and emission limits are the enterprises' own disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, exists
from sqlmodel import col, select

from services.monitoring.domain.readings import local_day
from services.monitoring.domain.standards import Standards
from services.monitoring.domain.validity import CONFIRMED, NO_AUTOMATIC_FLAG, PENDING, VALID_INSTRUMENT_FLAG
from services.monitoring.handlers.queries import (
    day_statuses,
    dialect_of,
    latest_values,
    local_day_of,
    series_page,
    stored_parameters,
)
from services.monitoring.handlers.statistics import DailyAir, MonthlyWater, air_series, daily_air, monthly_water_many
from services.monitoring.tables import DayReview, LatestReading, Reading, Station
from shared.errors import Invalid, NotFound
from shared.keyset import Key, keyset
from shared.messaging import UnitOfWork

OPEN_KINDS = ("air_station", "water_section", "noise_point")


async def open_stations(
    uow: UnitOfWork, *, kind: str | None, town: str | None, after: str | None, limit: int
) -> list[Station]:
    """Ambient stations by code, a page and one more row; ``after`` is the last code seen."""
    query = select(Station).where(col(Station.kind).in_(OPEN_KINDS))
    if kind:
        query = query.where(Station.kind == kind)
    if town:
        query = query.where(Station.town == town)
    position = None if after is None else (after,)
    return list((await uow.session.execute(keyset(query, (Key(col(Station.code)),), position, limit))).scalars())


async def open_station(uow: UnitOfWork, code: str) -> Station:
    """An ambient station; a pollution source is answered as unknown, like a code that names nothing."""
    found: Station | None = (
        await uow.session.execute(select(Station).where(Station.code == code, col(Station.kind).in_(OPEN_KINDS)))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"站点不存在 Station {code} not found", slug="station-not-found")
    return found


@dataclass(frozen=True)
class OpenLatest:
    reading: LatestReading
    valid: bool
    reviewed: bool


async def open_latest(uow: UnitOfWork, station: Station) -> list[OpenLatest]:
    """The newest value of each parameter as it arrived (实时数据, not yet reviewed unless its day is confirmed)."""
    rows = await latest_values(uow, station=station.code, limit=1000)
    days = {(r.station_code, local_day(r.time)) for r, _ in rows}
    statuses = await day_statuses(uow, days) if days else {}
    return [OpenLatest(r, valid, statuses.get((r.station_code, local_day(r.time))) == CONFIRMED) for r, valid in rows]


def day_confirmed(dialect: str) -> ColumnElement[bool]:
    """The reading's station-day is reviewed and confirmed (a primary-key lookup per row)."""
    return exists().where(
        col(DayReview.station_code) == col(Reading.station_code),
        col(DayReview.day) == local_day_of(dialect, col(Reading.time)),
        col(DayReview.status) == CONFIRMED,
    )


# The columns the open series shows, read as plain rows (no ORM objects: a page is up to 1,000 values).
SERIES_COLUMNS = (
    col(Reading.parameter),
    col(Reading.interval),
    col(Reading.time),
    col(Reading.value),
    col(Reading.unit),
    col(Reading.instrument_flag),
    col(Reading.auto_flags),
)


async def reviewed_series(
    uow: UnitOfWork,
    *,
    station: Station,
    parameter: str | None,
    interval: str,
    start: datetime,
    end: datetime,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Row[Any]]:
    """Values of confirmed days in [start, end), by time then parameter, a page and one more row."""
    conditions = [
        col(Reading.station_code) == station.code,
        col(Reading.interval) == interval,
        col(Reading.time) >= start,
        col(Reading.time) < end,
        day_confirmed(dialect_of(uow)),
    ]
    parameters = [parameter] if parameter else await stored_parameters(uow, [station.code])
    return await series_page(uow, SERIES_COLUMNS, conditions, parameters, after, limit)


def reading_row(row: Row[Any]) -> dict[str, Any]:
    """A reviewed value as the open API shows it (JSON and CSV alike); on a confirmed day a value counts when its
    own flags are clean (``domain.validity``)."""
    return {
        "parameter": row.parameter,
        "interval": row.interval,
        "time": row.time.isoformat(),
        "value": row.value,
        "unit": row.unit,
        "instrument_flag": row.instrument_flag,
        "auto_flags": row.auto_flags,
        "valid": row.instrument_flag == VALID_INSTRUMENT_FLAG and row.auto_flags == NO_AUTOMATIC_FLAG,
    }


async def _statuses(uow: UnitOfWork, station: Station, first: date, last: date) -> dict[date, str]:
    query = select(col(DayReview.day), col(DayReview.status)).where(
        DayReview.station_code == station.code, col(DayReview.day) >= first, col(DayReview.day) <= last
    )
    return {row[0]: row[1] for row in (await uow.session.execute(query)).all()}


async def reviewed_daily_aqi(
    uow: UnitOfWork, standards: Standards, station: Station, first: date, last: date
) -> list[DailyAir]:
    """Daily AQI (HJ 633, 24h) of the station's confirmed days in [first, last], oldest first."""
    if station.kind != "air_station":
        raise Invalid(f"{station.code} 不是空气自动站 is not an air station", slug="not-an-air-station")
    statuses = await _statuses(uow, station, first, last)
    confirmed = sorted(day for day, status in statuses.items() if status == CONFIRMED)
    if not confirmed:
        return []
    series = await air_series(uow, [station.code], confirmed[0], confirmed[-1])
    out: list[DailyAir] = []
    for day in confirmed:
        out += await daily_air(uow, standards, [station.code], day, series=series.get(day, {}), hourly=False)
    return out


async def reviewed_water_months(
    uow: UnitOfWork, standards: Standards, station: Station, year: int
) -> list[tuple[int, MonthlyWater]]:
    """The class (GB 3838) of each month of ``year`` with confirmed data and no day still pending."""
    if station.kind != "water_section":
        raise Invalid(f"{station.code} 不是水质断面 is not a water section", slug="not-a-water-section")
    statuses = await _statuses(uow, station, date(year, 1, 1), date(year, 12, 31))
    months: dict[int, set[str]] = {}
    for day, status in statuses.items():
        months.setdefault(day.month, set()).add(status)
    ready = [m for m, found in sorted(months.items()) if CONFIRMED in found and PENDING not in found]
    out = []
    for month in ready:
        [monthly] = await monthly_water_many(uow, standards, [station], year, month)
        out.append((month, monthly))
    return out
