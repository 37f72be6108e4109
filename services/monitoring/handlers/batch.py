"""Batch ingest (批量上报): valid rows are stored, invalid ones reported by index with the reason."""

from __future__ import annotations

from collections.abc import Sequence

from services.monitoring.domain.readings import ReadingIn, parse_rows
from services.monitoring.handlers.exceedances import detect_source_exceedances
from services.monitoring.handlers.ingest import store_readings
from services.monitoring.handlers.stations import stations_by_code
from services.monitoring.schemas import BatchResult, RejectedRow
from services.monitoring.standards import Standards
from services.monitoring.tables import Station
from shared.messaging import UnitOfWork


def _station_problem(
    standards: Standards, reading: ReadingIn, station: Station | None, caller: Station | None
) -> str | None:
    if not standards.validity.covers(reading.local_day):
        return f"no data-validity rules in force on {reading.local_day.isoformat()}"
    if station is None:
        return f"unknown station {reading.station}"
    if not station.active:
        return f"station {reading.station} is deactivated"
    if caller is not None and caller.code != station.code:
        return f"station {reading.station} is not the authenticated station"
    if station.parameters and reading.parameter not in station.parameters:
        return f"station {station.code} does not measure {reading.parameter}"
    return None


async def ingest_batch(
    uow: UnitOfWork,
    standards: Standards,
    rows: Sequence[object],
    *,
    caller_station: Station | None,
    actor: str,
    correlation_id: str | None,
) -> BatchResult:
    good, bad = parse_rows(rows)
    stations = await stations_by_code(uow, {r.station for _, r in good})
    accepted: list[ReadingIn] = []
    for index, reading in good:
        problem = _station_problem(standards, reading, stations.get(reading.station), caller_station)
        if problem:
            bad.append((index, problem))
        else:
            accepted.append(reading)
    checked = await store_readings(uow, standards, accepted, source="batch")
    await detect_source_exceedances(uow, stations, checked, actor=actor, correlation_id=correlation_id)
    rejected = [RejectedRow(index=i, reason=r) for i, r in sorted(bad)]
    return BatchResult(stored=len(checked), rejected=rejected)
