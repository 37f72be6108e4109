"""Air quality, water class and noise from stored data: only valid values count (``domain.validity``: instrument
flag N, no automatic flag, the day not invalidated by review), read through ``queries.valid_reading``."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select

from services.monitoring.domain.aqi import AqiResult, AqiTable, compute_aqi
from services.monitoring.domain.noise import NoiseKind, noise_grade
from services.monitoring.domain.readings import LOCAL, day_bounds
from services.monitoring.domain.standards import Standards
from services.monitoring.domain.statistics import (
    AIR_PARAMETERS,
    daily_air_concentrations,
    energetic_mean,
    hourly_air_concentrations,
    mean_of_stations,
)
from services.monitoring.domain.validity import month_is_valid
from services.monitoring.domain.water import WaterBody, WaterResult, classify
from services.monitoring.handlers.queries import dialect_of, each_series, valid_reading
from services.monitoring.tables import Reading, Station
from shared.messaging import UnitOfWork

Series = dict[tuple[str, str], list[tuple[datetime, float]]]


def valid_series_query(
    dialect: str, codes: Sequence[str], parameters: Sequence[str], start: datetime, end: datetime, interval: str
) -> Any:
    """Naming the parameters keeps the whole primary key (station, parameter, interval, time) usable, so a station
    with years of data is read only for the range asked (:func:`each_series`)."""
    conditions = [
        col(Reading.interval) == interval, col(Reading.time) >= start, col(Reading.time) < end, valid_reading(dialect)
    ]  # fmt: skip
    return each_series(dialect, codes, parameters, (col(Reading.time), col(Reading.value)), conditions)


async def valid_series(
    uow: UnitOfWork,
    codes: Sequence[str],
    parameters: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    interval: str = "hour",
) -> Series:
    """Valid values per (station, parameter) in [start, end), in time order."""
    query = valid_series_query(dialect_of(uow), codes, parameters, start, end, interval)
    series: Series = defaultdict(list)
    for code, parameter, moment, value in (await uow.session.execute(query)).all():
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


def series_by_day(series: Series) -> dict[date, Series]:
    """One read of a longer period split into local days, for the per-day computations below."""
    days: dict[date, Series] = defaultdict(lambda: defaultdict(list))
    for key, points in series.items():
        for moment, value in points:
            days[moment.astimezone(LOCAL).date()][key].append((moment, value))
    return days


async def air_series(uow: UnitOfWork, codes: Sequence[str], first: date, last: date) -> dict[date, Series]:
    """The air stations' valid hourly values of the local days ``first``…``last``, read once, by day."""
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    return series_by_day(await valid_series(uow, codes, AIR_PARAMETERS, start, end))


async def daily_air(
    uow: UnitOfWork,
    standards: Standards,
    codes: Sequence[str],
    day: date,
    *,
    series: Series | None = None,
    hourly: bool = True,
) -> list[DailyAir]:
    """Daily AQI (24h) and hourly AQI (1h) per station for one local day (``series``: that day, already read;
    ``hourly=False`` leaves out the hourly AQI, the costly part, for callers that only need the day)."""
    if series is None:
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
        by_hour_aqi = hourly_aqi(table, hours, concentrations.get("so2")) if hourly else []
        daily = compute_aqi(table, "24h", concentrations)
        out.append(DailyAir(code, day, concentrations, daily, by_hour_aqi, dict(hours)))
    return out


def hourly_aqi(
    table: AqiTable, hours: Mapping[datetime, Mapping[str, float]], so2_24h: float | None
) -> list[tuple[datetime, AqiResult]]:
    """Hourly AQI (1h) of each hour; an SO2 hour above 800 takes the index of the day's SO2 24-hour average."""
    return [
        (m, compute_aqi(table, "1h", hourly_air_concentrations(v, so2_24h=so2_24h), omit_unindexable=True))
        for m, v in sorted(hours.items())
    ]


@dataclass(frozen=True)
class TownAir:
    result: AqiResult
    pm25: float | None
    hourly: list[tuple[datetime, AqiResult]]
    pm10: float | None = None


async def town_daily_air(
    uow: UnitOfWork,
    standards: Standards,
    stations: Sequence[Station],
    day: date,
    *,
    series: Series | None = None,
    hourly: bool = True,
) -> TownAir:
    """A town's daily and hourly AQI from the means of its stations' concentrations (镇街均值)."""
    codes = [s.code for s in stations]
    per_station = await daily_air(uow, standards, codes, day, series=series, hourly=False)
    table = standards.aqi.in_force(day)
    town = mean_of_stations([d.concentrations for d in per_station if d.concentrations])
    hours: dict[datetime, list[dict[str, float]]] = defaultdict(list)
    for daily in per_station:
        for moment, values in daily.values_by_hour.items():
            hours[moment].append(values)
    by_hour = {m: mean_of_stations(v) for m, v in hours.items()}
    by_hour_aqi = hourly_aqi(table, by_hour, town.get("so2")) if hourly else []
    return TownAir(compute_aqi(table, "24h", town), town.get("pm25"), by_hour_aqi, town.get("pm10"))


async def town_air_of(uow: UnitOfWork, standards: Standards, town: str, day: date) -> tuple[int, TownAir]:
    """The town's air stations (how many) and its daily AQI from them."""
    query = select(Station).where(Station.town == town, Station.kind == "air_station").order_by(col(Station.code))
    stations = list((await uow.session.execute(query)).scalars())
    return len(stations), await town_daily_air(uow, standards, stations, day)


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
    [monthly] = await monthly_water_many(uow, standards, [station], year, month)
    return monthly


async def monthly_water_many(
    uow: UnitOfWork, standards: Standards, stations: Sequence[Station], year: int, month: int
) -> list[MonthlyWater]:
    """``monthly_water`` of several sections, their month read in one query per interval."""
    start, end = month_bounds(year, month)
    table = standards.water.in_force(date(year, month, 1))
    values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    days: dict[str, set[date]] = defaultdict(set)
    codes = [station.code for station in stations]
    for interval in ("hour", "day"):
        for (code, parameter), points in (
            await valid_series(uow, codes, list(table.parameters), start, end, interval=interval)
        ).items():
            values[code][parameter].extend(v for _, v in points)
            days[code].update(m.astimezone(LOCAL).date() for m, _ in points)
    out = []
    for station in stations:
        own = values.get(station.code, {})
        means = {p: round(sum(v) / len(v), 4) for p, v in own.items() if p in table.parameters}
        water_body: WaterBody = "lake" if station.water_body == "lake" else "river"
        out.append(MonthlyWater(station, means, len(days.get(station.code, ())), classify(table, water_body, means)))
    return out


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
