"""声环境监测: record noise measurements (batch, reviewed per station-day like readings), list them, and the year's
summary (regional, traffic, functional zones) from valid measurements, or from reviewed ones only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.monitoring.domain.noise import NoiseTable, Period
from services.monitoring.domain.noise_survey import (
    Compliance,
    Graded,
    NoiseInputError,
    day_and_night,
    energy_mean,
    regional_mean,
    sample_indicators,
    traffic_mean,
    zone_compliance,
)
from services.monitoring.domain.readings import LOCAL, local_day
from services.monitoring.domain.standards import Standards
from services.monitoring.domain.validity import CONFIRMED, INVALIDATED, PENDING
from services.monitoring.handlers.bulk import Bulk
from services.monitoring.handlers.ingest import REVIEW_COLUMNS
from services.monitoring.handlers.stations import stations_by_code
from services.monitoring.schemas import NoiseMeasurementCreate, NoiseMeasurementPublic, NoiseSummaryPublic
from services.monitoring.tables import DayReview, NoiseMeasurement, Station
from shared.audit import append_audit
from shared.auth import Principal
from shared.errors import Conflict, Invalid
from shared.keyset import Key, keyset
from shared.messaging import UnitOfWork

SECONDS_PER_DAY = 86_400


def _refused(index: int, reason: str) -> Invalid:
    return Invalid(f"第 {index} 条测量无效 Measurement {index}: {reason}", slug="invalid-noise-measurement")


def _measured(table: NoiseTable, station: Station, body: NoiseMeasurementCreate, index: int) -> dict[str, Any]:
    """The indicators of one measurement, by the method its point's kind uses."""
    local_hour = body.started_at.astimezone(LOCAL).hour
    try:
        if station.noise_kind == "functional_zone":
            if body.hourly_leq is None:
                raise _refused(index, "功能区监测点报送 24 小时 hourly_leq a functional-zone point sends hourly_leq")
            ld, ln = day_and_night(table, local_hour, body.hourly_leq)
            return {"period": "full", "duration_seconds": SECONDS_PER_DAY, "hourly_leq": body.hourly_leq,
                    "leq": round(energy_mean(body.hourly_leq), 1), "ld": ld, "ln": ln}  # fmt: skip
        if body.samples is None or body.sample_interval_seconds is None:
            raise _refused(index, "区域、道路交通监测点报送 samples a regional or traffic point sends samples")
        found = sample_indicators(body.samples)
    except NoiseInputError as exc:
        raise _refused(index, str(exc)) from exc
    period: Period = "day" if table.is_daytime(local_hour) else "night"
    return {
        "period": period,
        "duration_seconds": round(len(body.samples) * body.sample_interval_seconds),
        "samples": body.samples,
        "sample_interval_seconds": body.sample_interval_seconds,
        **asdict(found),
        ("ld" if period == "day" else "ln"): found.leq,
    }


async def record_measurements(
    uow: UnitOfWork, standards: Standards, rows: Sequence[NoiseMeasurementCreate], *, actor: Principal
) -> list[NoiseMeasurement]:
    """All or nothing: a row naming no active noise point, or whose values cannot be a measurement, refuses the
    batch (422 naming the row). The same point and start time again replaces the earlier measurement."""
    stations = await stations_by_code(uow, (r.station for r in rows))
    try:
        stored = await _store(uow, standards, stations, rows, actor)
    except IntegrityError as exc:  # another batch stored the same point and start meanwhile
        raise Conflict("同一监测点同一开始时间的测量正在写入 A measurement with that start is being stored; send again",
                       slug="noise-measurement-conflict") from exc  # fmt: skip
    await _awaiting_review(uow, sorted({(m.station_code, m.day) for m in stored}))
    await append_audit(
        uow.session, actor=actor.subject, entity_type="noise_measurement", entity_id=stored[0].id if stored else "",
        action="recorded", data={"count": len(stored), "stations": sorted({m.station_code for m in stored})},
    )  # fmt: skip
    return stored


async def _store(
    uow: UnitOfWork,
    standards: Standards,
    stations: dict[str, Station],
    rows: Sequence[NoiseMeasurementCreate],
    actor: Principal,
) -> list[NoiseMeasurement]:
    stored: list[NoiseMeasurement] = []
    for index, body in enumerate(rows):
        station = stations.get(body.station)
        if station is None or station.kind != "noise_point" or not station.active:
            raise _refused(index, f"{body.station} 不是在用的噪声监测点 is not an active noise point")
        fields = _measured(standards.noise.in_force(local_day(body.started_at)), station, body, index)
        query = select(NoiseMeasurement).where(
            NoiseMeasurement.station_code == station.code, NoiseMeasurement.started_at == body.started_at
        )
        found = (await uow.session.execute(query)).scalar_one_or_none()
        measurement = NoiseMeasurement(
            id=found.id if found else str(uuid.uuid4()), station_code=station.code, started_at=body.started_at,
            day=local_day(body.started_at), vehicles_per_hour=body.vehicles_per_hour, recorded_by=actor.subject,
            version=found.version + 1 if found else 1, **fields,
        )  # fmt: skip
        stored.append(await uow.session.merge(measurement))
    await uow.session.flush()
    return stored


async def _awaiting_review(uow: UnitOfWork, days: Sequence[tuple[str, date]]) -> None:
    """As for readings: a new day is pending; new data on a confirmed day needs another look."""
    bulk = Bulk(uow.session)
    await bulk.upsert(
        "day_review", REVIEW_COLUMNS, [(code, bulk.day(day), PENDING, "", 1) for code, day in days],
        keys=("station_code", "day"), update=("status",), where="\"day_review\".\"status\" = 'confirmed'",
    )  # fmt: skip


@dataclass(frozen=True)
class Measured:
    measurement: NoiseMeasurement
    station: Station
    review_status: str


def _year(year: int) -> tuple[date, date]:
    if not 1950 <= year <= 2199:
        raise Invalid(f"年份超出范围 Year {year} out of range", slug="invalid-year")
    return date(year, 1, 1), date(year, 12, 31)


async def measurements(
    uow: UnitOfWork,
    *,
    year: int,
    station: str | None = None,
    reviewed_only: bool,
    after: tuple[datetime, str] | None = None,
    limit: int | None = None,
) -> list[Measured]:
    """The year's measurements (by start) with their point and review status: every one but those of invalidated
    days, or only those of confirmed days. ``limit``: a page and one more row."""
    first, last = _year(year)
    query = (
        select(NoiseMeasurement, Station, DayReview.status)
        .join(Station, col(Station.code) == col(NoiseMeasurement.station_code))
        .outerjoin(
            DayReview,
            and_(
                col(DayReview.station_code) == col(NoiseMeasurement.station_code),
                col(DayReview.day) == col(NoiseMeasurement.day),
            ),
        )
        .where(col(NoiseMeasurement.day) >= first, col(NoiseMeasurement.day) <= last)
    )
    if station:
        query = query.where(NoiseMeasurement.station_code == station)
    query = query.where(col(DayReview.status) == CONFIRMED if reviewed_only else col(DayReview.status) != INVALIDATED)
    keys = (Key(col(NoiseMeasurement.started_at)), Key(col(NoiseMeasurement.id)))
    statement = keyset(query, keys, after, limit) if limit else query.order_by(*(k.ordering() for k in keys))
    rows = (await uow.session.execute(statement)).all()
    return [Measured(m, s, status) for m, s, status in rows]


@dataclass(frozen=True)
class NoiseSummary:
    year: int
    standard: str
    zone_standard: str
    reviewed_only: bool
    regional: dict[str, object]
    traffic: dict[str, object]
    functional_zones: list[Compliance]


def _point_levels(found: Sequence[Measured], kind: str, period: str) -> dict[str, float]:
    """Per point of ``kind``: the energy mean of its measurements of the period in the year (usually one)."""
    by_point: dict[str, list[float]] = {}
    for m in found:
        if m.station.noise_kind == kind and m.measurement.period == period:
            by_point.setdefault(m.station.code, []).append(m.measurement.leq)
    return {code: energy_mean(levels) for code, levels in by_point.items()}


def _graded(g: Graded) -> dict[str, object]:
    return {"mean": g.mean, "grade": g.grade, "grade_name": g.grade_name, "count": g.count}


def _regional(table: NoiseTable, found: Sequence[Measured]) -> dict[str, object]:
    day, night = _point_levels(found, "regional", "day"), _point_levels(found, "regional", "night")
    by_grade = dict.fromkeys(table.grades, 0)
    for level in day.values():
        by_grade[regional_mean(table, "day", [level]).grade_name or ""] += 1
    return {
        "points": len(set(day) | set(night)),
        "day": _graded(regional_mean(table, "day", list(day.values()))),
        "night": _graded(regional_mean(table, "night", list(night.values()))),
        "day_points_by_grade": by_grade,
    }


def _traffic(table: NoiseTable, found: Sequence[Measured]) -> dict[str, object]:
    lengths = {m.station.code: m.station.road_length_m for m in found if m.station.noise_kind == "road_traffic"}
    weighted: dict[Period, list[tuple[float, float]]] = {"day": [], "night": []}
    for period in weighted:
        for code, level in sorted(_point_levels(found, "road_traffic", period).items()):
            length = lengths.get(code)
            if length:
                weighted[period].append((length, level))
    measured = {code for code, length in lengths.items() if length}
    return {
        "sections": len(measured),
        "length_km": round(sum(lengths[c] or 0 for c in measured) / 1000, 3),
        "day": _graded(traffic_mean(table, "day", weighted["day"])),
        "night": _graded(traffic_mean(table, "night", weighted["night"])),
        "left_out": sorted(code for code, length in lengths.items() if not length),
    }


async def noise_summary(uow: UnitOfWork, standards: Standards, *, year: int, reviewed_only: bool) -> NoiseSummary:
    """The year's 声环境质量, graded on the tables in force on 1 January of the year."""
    found = await measurements(uow, year=year, reviewed_only=reviewed_only)
    table = standards.noise.in_force(date(year, 1, 1))
    zones = standards.noise_zones.in_force(date(year, 1, 1))
    measured: list[tuple[str, Period, float]] = []
    for m in found:
        zone_class, row = m.station.noise_zone_class, m.measurement
        if m.station.noise_kind != "functional_zone" or zone_class not in zones.limits:
            continue
        if zone_class is not None and row.ld is not None and row.ln is not None:
            measured += [(zone_class, "day", row.ld), (zone_class, "night", row.ln)]
    return NoiseSummary(
        year, table.name, zones.name, reviewed_only,
        _regional(table, found), _traffic(table, found), zone_compliance(zones, measured),
    )  # fmt: skip


def measurement_public(found: Measured) -> NoiseMeasurementPublic:
    m = found.measurement
    count = len(m.samples) if m.samples else len(m.hourly_leq)
    fields = m.model_dump(exclude={"samples", "hourly_leq", "recorded_by", "version", "created_at", "station_code"})
    return NoiseMeasurementPublic.model_validate(
        fields | {"station": m.station_code, "sample_count": count, "review_status": found.review_status}
    )


def summary_public(summary: NoiseSummary) -> NoiseSummaryPublic:
    return NoiseSummaryPublic.model_validate(
        asdict(summary) | {"functional_zones": [asdict(c) | {"rate": c.rate} for c in summary.functional_zones]}
    )


async def measurements_per_day(uow: UnitOfWork, days: Sequence[DayReview]) -> dict[tuple[str, date], int]:
    """Noise measurements per listed station-day (what the reviewer sees of a noise point's day)."""
    if not days:
        return {}
    query = (
        sa_select(col(NoiseMeasurement.station_code), col(NoiseMeasurement.day), func.count())
        .where(col(NoiseMeasurement.station_code).in_({d.station_code for d in days}))
        .where(col(NoiseMeasurement.day) >= min(d.day for d in days))
        .where(col(NoiseMeasurement.day) <= max(d.day for d in days))
        .group_by(col(NoiseMeasurement.station_code), col(NoiseMeasurement.day))
    )
    return {(code, day): int(n) for code, day, n in (await uow.session.execute(query)).all()}
