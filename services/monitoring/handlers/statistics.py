"""Air quality, water class and noise from stored data: only valid values (no automatic flag, instrument flag N,
the day not invalidated by review) count."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select

from services.monitoring.domain.aqi import AqiResult, compute_aqi
from services.monitoring.domain.noise import NoiseKind, noise_grade
from services.monitoring.domain.readings import LOCAL, day_bounds
from services.monitoring.domain.statistics import (
    AIR_PARAMETERS,
    daily_air_concentrations,
    energetic_mean,
    hourly_air_concentrations,
    mean_of_stations,
)
from services.monitoring.domain.validity import month_is_valid
from services.monitoring.domain.water import WaterBody, WaterResult, classify
from services.monitoring.standards import Standards
from services.monitoring.tables import DayReview, Reading, Station
from shared.messaging import UnitOfWork

Series = dict[tuple[str, str], list[tuple[datetime, float]]]


def valid_series_query(
    codes: Sequence[str], parameters: Sequence[str], start: datetime, end: datetime, interval: str
) -> Any:
    """Naming the parameters keeps the whole primary key (station, parameter, interval, time) usable, so a station
    with years of data is read only for the range asked."""
    return (
        select(Reading.station_code, Reading.parameter, Reading.time, Reading.value)
        .where(col(Reading.station_code).in_(codes), col(Reading.parameter).in_(parameters))
        .where(Reading.interval == interval)
        .where(Reading.time >= start, Reading.time < end, Reading.instrument_flag == "N", Reading.auto_flags == "")
        .order_by(col(Reading.station_code), col(Reading.parameter), col(Reading.time))
    )


async def valid_series(
    uow: UnitOfWork,
    codes: Sequence[str],
    parameters: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    interval: str = "hour",
) -> Series:
    """Valid values per (station, parameter) in [start, end), in time order (invalidated days left out)."""
    query = valid_series_query(codes, parameters, start, end, interval)
    invalid_days = set(
        (
            await uow.session.execute(
                select(col(DayReview.station_code), col(DayReview.day)).where(
                    col(DayReview.station_code).in_(codes),
                    DayReview.status == "invalidated",
                    col(DayReview.day) >= start.astimezone(LOCAL).date(),
                    col(DayReview.day) <= end.astimezone(LOCAL).date(),
                )
            )
        ).all()
    )
    series: Series = defaultdict(list)
    for code, parameter, moment, value in (await uow.session.execute(query)).all():
        if (code, moment.astimezone(LOCAL).date()) not in invalid_days:
            series[(code, parameter)].append((moment, value))
    return series


@dataclass(frozen=True)
class DailyAir:
    station: str
    day: date
    concentrations: dict[str, float]
    result: AqiResult
    hourly: list[tuple[datetime, AqiResult]]
    values_by_hour: dict[datetime, dict[str, float]]


async def daily_air(uow: UnitOfWork, standards: Standards, codes: Sequence[str], day: date) -> list[DailyAir]:
    """Daily AQI (24h) and hourly AQI (1h) per station for one local day."""
    start, end = day_bounds(day)
    series = await valid_series(uow, codes, AIR_PARAMETERS, start, end)
    rules, table = standards.validity.in_force(day), standards.aqi.in_force(day)
    out = []
    for code in codes:
        by_hour: dict[str, dict[int, float]] = defaultdict(dict)
        hours: dict[datetime, dict[str, float]] = defaultdict(dict)
        for (station, parameter), points in series.items():
            if station == code:
                for moment, value in points:
                    by_hour[parameter][moment.astimezone(LOCAL).hour] = value
                    hours[moment][parameter] = value
        concentrations = daily_air_concentrations(rules, by_hour)
        hourly = [(m, compute_aqi(table, "1h", hourly_air_concentrations(v))) for m, v in sorted(hours.items())]
        daily = compute_aqi(table, "24h", concentrations)
        out.append(DailyAir(code, day, concentrations, daily, hourly, dict(hours)))
    return out


@dataclass(frozen=True)
class TownAir:
    result: AqiResult
    pm25: float | None
    hourly: list[tuple[datetime, AqiResult]]


async def town_daily_air(uow: UnitOfWork, standards: Standards, stations: Sequence[Station], day: date) -> TownAir:
    """A town's daily and hourly AQI from the means of its stations' concentrations (镇街均值)."""
    per_station = await daily_air(uow, standards, [s.code for s in stations], day)
    table = standards.aqi.in_force(day)
    town = mean_of_stations([d.concentrations for d in per_station if d.concentrations])
    hours: dict[datetime, list[dict[str, float]]] = defaultdict(list)
    for daily in per_station:
        for moment, values in daily.values_by_hour.items():
            hours[moment].append(values)
    hourly = [
        (m, compute_aqi(table, "1h", hourly_air_concentrations(mean_of_stations(v)))) for m, v in sorted(hours.items())
    ]
    return TownAir(compute_aqi(table, "24h", town), town.get("pm25"), hourly)


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start, _ = day_bounds(date(year, month, 1))
    _, end = day_bounds(date(year, month, calendar.monthrange(year, month)[1]))
    return start, end


@dataclass(frozen=True)
class MonthlyWater:
    station: Station
    means: dict[str, float]
    valid_days: int
    result: WaterResult


async def monthly_water(uow: UnitOfWork, standards: Standards, station: Station, year: int, month: int) -> MonthlyWater:
    """月度水质类别: the class of each parameter's monthly mean of valid values (hourly and daily data)."""
    start, end = month_bounds(year, month)
    table = standards.water.in_force(date(year, month, 1))
    values: dict[str, list[float]] = defaultdict(list)
    days: set[date] = set()
    for interval in ("hour", "day"):
        for (_code, parameter), points in (
            await valid_series(uow, [station.code], list(table.parameters), start, end, interval=interval)
        ).items():
            values[parameter].extend(v for _, v in points)
            days.update(m.astimezone(LOCAL).date() for m, _ in points)
    means = {p: round(sum(v) / len(v), 4) for p, v in values.items() if p in table.parameters}
    water_body: WaterBody = "lake" if station.water_body == "lake" else "river"
    return MonthlyWater(station, means, len(days), classify(table, water_body, means))


def month_complete(standards: Standards, year: int, month: int, valid_days: int) -> bool:
    return month_is_valid(standards.validity.in_force(date(year, month, 1)), year, month, valid_days)


async def daily_noise(uow: UnitOfWork, standards: Standards, station: Station, day: date) -> tuple[float | None, str]:
    """昼间 Leq (the daytime hours of the noise table) of a noise point, and its grade."""
    start, end = day_bounds(day)
    series = await valid_series(uow, [station.code], ["leq"], start, end)
    table = standards.noise.in_force(day)
    points = series.get((station.code, "leq"), [])
    leq = energetic_mean([v for m, v in points if table.is_daytime(m.astimezone(LOCAL).hour)])
    if leq is None:
        return None, ""
    kind: NoiseKind = "road_traffic" if station.noise_kind == "road_traffic" else "regional"
    return leq, noise_grade(table, kind, leq)[1]
