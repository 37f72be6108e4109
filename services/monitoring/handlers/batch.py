"""Batch ingest (批量上报): valid rows are stored, invalid ones reported by index with the reason."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from itertools import repeat

from services.monitoring.access import READINGS_PUSH
from services.monitoring.domain.readings import Columns, ReadingIn, local_day, parse_columns, parse_rows
from services.monitoring.domain.standards import Standards
from services.monitoring.handlers.exceedances import detect_source_exceedances
from services.monitoring.handlers.ingest import store_columns, store_readings
from services.monitoring.handlers.stations import stations_by_code
from services.monitoring.schemas import ReadingBatchPublic, RejectedReadingPublic
from services.monitoring.tables import Station
from shared.errors import Invalid
from shared.messaging import UnitOfWork
from shared.ownership import Caller


def _station_problem(station_code: str, parameter: str, station: Station | None, caller: Station | None) -> str | None:
    if station is None:
        return f"unknown station {station_code}"
    if not station.active:
        return f"station {station_code} is deactivated"
    if caller is not None and not READINGS_PUSH.allows(Caller.station(caller.code), station):
        return f"station {station_code} is not the authenticated station"
    if station.parameters and parameter not in station.parameters:
        return f"station {station.code} does not measure {parameter}"
    return None


def _all_accepted(
    standards: Standards, columns: Columns, stations: Mapping[str, Station], caller: Station | None
) -> bool:
    """Every distinct day has validity rules and every distinct (station, parameter) may send."""
    days = set(map(local_day, set(columns.time)))
    if not all(map(standards.validity.covers, days)):
        return False
    codes = set(columns.station)
    if len(codes) == 1:  # a station's own batch: its pairs are its parameters
        pairs = set(zip(repeat(codes.pop()), set(columns.parameter)))
    else:
        pairs = set(zip(columns.station, columns.parameter, strict=True))
    return all(_station_problem(code, parameter, stations.get(code), caller) is None for code, parameter in pairs)


async def ingest_batch(
    uow: UnitOfWork,
    standards: Standards,
    batch: Sequence[object] | Callable[[], Sequence[object]],
    *,
    columns: Columns | None = None,
    caller_station: Station | None,
    actor: str,
    correlation_id: str | None,
) -> ReadingBatchPublic:
    """Valid rows are stored, the others reported by index; a batch with no valid row is refused (422, nothing
    stored). ``batch``: the rows, or what parses them (called only if ``columns``, the batch already read as
    columns, is not given or the batch must be judged row by row)."""
    if columns is None:
        batch = batch() if callable(batch) else batch
        columns = parse_columns(batch) if isinstance(batch, list) and batch else None
    stations = await stations_by_code(uow, set(columns.station)) if columns is not None else {}
    if columns is not None and _all_accepted(standards, columns, stations, caller_station):
        # The usual batch: every row well formed, of stations and days that take data. Rows checked and written
        # as columns; a batch with any bad row takes the row-by-row path below, which says which and why.
        ingested = await store_columns(uow, standards, columns, source="batch")
        sources = {code for code, station in stations.items() if station.kind == "pollution_source"}
        if sources:
            checked = ingested.checked(sources)
            await detect_source_exceedances(uow, stations, checked, actor=actor, correlation_id=correlation_id)
        return ReadingBatchPublic(stored=ingested.stored, rejected=[])
    good, bad = parse_rows(batch() if callable(batch) else batch)
    if columns is None:
        stations = await stations_by_code(uow, {r.station for _, r in good})
    accepted: list[ReadingIn] = []
    # A batch has few distinct times and (station, parameter) pairs: each is judged once.
    problem_at: dict[datetime, str | None] = {}
    problem_of: dict[tuple[str, str], str | None] = {}
    for index, reading in good:
        moment = reading.time
        if moment in problem_at:
            problem = problem_at[moment]
        else:
            day: date = local_day(moment)
            covered = standards.validity.covers(day)
            problem = problem_at[moment] = None if covered else f"no data-validity rules in force on {day.isoformat()}"
        if problem is None:
            pair = (reading.station, reading.parameter)
            if pair in problem_of:
                problem = problem_of[pair]
            else:
                station = stations.get(reading.station)
                problem = problem_of[pair] = _station_problem(*pair, station, caller_station)
        if problem:
            bad.append((index, problem))
        else:
            accepted.append(reading)
    if not accepted and bad:
        first = [{"index": i, "reason": r} for i, r in sorted(bad)[:1000]]
        raise Invalid("没有有效数据 No valid readings", slug="no-valid-readings", rejected=first)
    checked = await store_readings(uow, standards, accepted, source="batch")
    await detect_source_exceedances(uow, stations, checked, actor=actor, correlation_id=correlation_id)
    rejected = [RejectedReadingPublic(index=i, reason=r) for i, r in sorted(bad)]
    return ReadingBatchPublic(stored=len(checked), rejected=rejected)
