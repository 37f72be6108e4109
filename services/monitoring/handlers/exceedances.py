"""超标 detection: one exceedance (and one event) per station, parameter and period, guarded by a unique key."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Table
from sqlmodel import select

from services.monitoring.domain.aqi import ROWS
from services.monitoring.domain.enterprises import Limit, limit_in_force
from services.monitoring.domain.readings import day_bounds
from services.monitoring.domain.standards import Standards
from services.monitoring.domain.validity import counts_as_valid
from services.monitoring.domain.water import WaterTable, worse_than_target
from services.monitoring.handlers.bulk import dialect_insert
from services.monitoring.handlers.checks import Checked
from services.monitoring.handlers.enterprises import permit_limits
from services.monitoring.handlers.queries import day_statuses
from services.monitoring.handlers.statistics import daily_air, month_bounds, monthly_water
from services.monitoring.tables import Exceedance, Station
from shared.contracts import CloudEvent
from shared.contracts.events import ExceedanceDetectedV1
from shared.messaging import UnitOfWork
from shared.messaging.tables import utcnow

EXCEEDANCE: Table = Exceedance.__table__  # type: ignore[attr-defined]
PERIODS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "minute": timedelta(minutes=1)}


async def record_exceedance(
    uow: UnitOfWork,
    station: Station,
    parameter: str,
    period: tuple[datetime, datetime],
    value: float,
    limit: float,
    unit: str,
    *,
    actor: str,
    correlation_id: str | None,
) -> bool:
    """Insert the exceedance unless its (station, parameter, period) exists; emit the event only when inserted."""
    exceedance_id = str(uuid.uuid4())
    row = {
        "id": exceedance_id, "station_code": station.code, "parameter": parameter, "period_start": period[0],
        "period_end": period[1], "value": value, "limit": limit, "unit": unit, "detected_at": utcnow(),
    }  # fmt: skip
    stmt = (
        dialect_insert(uow.session, EXCEEDANCE)
        .values(row)
        .on_conflict_do_nothing(index_elements=["station_code", "parameter", "period_start"])
        .returning(EXCEEDANCE.c.id)
    )
    if (await uow.session.execute(stmt)).first() is None:
        return False
    payload = ExceedanceDetectedV1(
        exceedance_id=exceedance_id, station_code=station.code, station_name=station.name,
        station_kind=station.kind,
        town=station.town, parameter=parameter, value=value, limit=limit, unit=unit,
        period_start=period[0], period_end=period[1],
    )  # fmt: skip
    uow.emit(CloudEvent.wrap(payload, subject=exceedance_id, correlation_id=correlation_id, actor=actor))
    return True


async def detect_source_exceedances(
    uow: UnitOfWork,
    stations: Mapping[str, Station],
    checked: Sequence[Checked],
    *,
    actor: str,
    correlation_id: str | None,
) -> int:
    """A pollution source's valid hourly or daily value above its limit: the permit limit (排污许可限值) in force on
    the value's local day when the station measures an enterprise's outlet, else the station's emission limit."""
    sources = {code for code, station in stations.items() if station.kind == "pollution_source"}
    permits = await permit_limits(uow, {item.reading.station for item in checked if item.reading.station in sources})
    over: list[tuple[Checked, float, str]] = []
    for item in checked:
        r = item.reading
        if r.station in sources and r.interval in ("hour", "day"):
            in_force = _limit_of(stations[r.station], permits.get(r.station), r.parameter, r.local_day)
            if in_force is not None and r.value > in_force[0]:
                over.append((item, *in_force))
    if not over:
        return 0
    # New data on an invalidated day is stored but stays invalid: the day's review status is part of the rule.
    statuses = await day_statuses(uow, {(item.reading.station, item.reading.local_day) for item, _, _ in over})
    found = 0
    for item, limit, unit in over:
        r = item.reading
        if not counts_as_valid(r.flag, item.auto_flags, statuses.get((r.station, r.local_day))):
            continue
        period = (r.time, r.time + PERIODS[r.interval])
        found += await record_exceedance(
            uow, stations[r.station], r.parameter, period, r.value, limit, unit,
            actor=actor, correlation_id=correlation_id,
        )  # fmt: skip
    return found


def _limit_of(station: Station, permits: list[Limit] | None, parameter: str, day: date) -> tuple[float, str] | None:
    if permits is not None:
        permit = limit_in_force(permits, parameter, day)
        return None if permit is None else (permit.limit, permit.unit)
    limit = station.emission_limits.get(parameter)
    return None if limit is None else (float(str(limit["limit"])), str(limit["unit"]))


async def detect_air_day(
    uow: UnitOfWork,
    standards: Standards,
    stations: Sequence[Station],
    day: date,
    *,
    actor: str,
    correlation_id: str | None,
) -> int:
    """An air station's daily IAQI above 100 (超标污染物), one per pollutant and day."""
    table = standards.aqi.in_force(day)
    found = 0
    by_code = {s.code: s for s in stations}
    for daily in await daily_air(uow, standards, list(by_code), day):
        for pollutant in daily.result.over_standard:
            # The limit reported is the concentration at IAQI 100 on the pollutant's 24h row.
            limit = table.breakpoints[ROWS["24h"][pollutant]][table.iaqi_levels.index(table.exceedance_threshold)]
            unit = table.units.get(pollutant, "")
            found += await record_exceedance(
                uow, by_code[daily.station], pollutant, day_bounds(day), daily.concentrations[pollutant], limit, unit,
                actor=actor, correlation_id=correlation_id,
            )  # fmt: skip
    return found


def _target_limit(table: WaterTable, parameter: str, target: str, water_body: str) -> float:
    limit = table.parameters[parameter].limits_for("lake" if water_body == "lake" else "river")[
        table.classes.index(target)
    ]
    return limit[1] if isinstance(limit, tuple) else limit


async def detect_water_month(
    uow: UnitOfWork, standards: Standards, stations: Sequence[Station], year: int, month: int, *, actor: str,
    correlation_id: str | None,
) -> int:  # fmt: skip
    """A section whose monthly class is worse than its target: one per parameter worse than the target."""
    found = 0
    table = standards.water.in_force(date(year, month, 1))
    for station in stations:
        if not station.target_class:
            continue
        monthly = await monthly_water(uow, standards, station, year, month)
        # Sections sampled once a month count as much as automatic ones: any valid data gives a monthly class.
        if not monthly.means:
            continue
        for parameter, water_class in monthly.result.by_parameter.items():
            if worse_than_target(table, water_class, station.target_class):
                limit = _target_limit(table, parameter, station.target_class, station.water_body or "river")
                found += await record_exceedance(
                    uow, station, parameter, month_bounds(year, month), monthly.means[parameter], limit,
                    table.parameters[parameter].unit,
                    actor=actor, correlation_id=correlation_id,
                )  # fmt: skip
    return found


async def detect_exceedances(
    uow: UnitOfWork, standards: Standards, *, period: str, on: date, actor: str, correlation_id: str | None
) -> int:
    """Air stations for the day ``on`` (IAQI > 100), or water sections for its month (worse than target)."""
    kind = "air_station" if period == "day" else "water_section"
    stations = list((await uow.session.execute(select(Station).where(Station.kind == kind))).scalars())
    if period == "day":
        return await detect_air_day(uow, standards, stations, on, actor=actor, correlation_id=correlation_id)
    return await detect_water_month(
        uow, standards, stations, on.year, on.month, actor=actor, correlation_id=correlation_id
    )
