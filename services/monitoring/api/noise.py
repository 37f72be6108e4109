"""Noise monitoring (声环境监测): record measurements in batches, list them, and the year's summary."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request

from services.monitoring.api.deps import Reader, Reviewer, standards_of
from services.monitoring.handlers import noise as handlers
from services.monitoring.schemas import (
    NOISE_BATCH_MAX,
    NoiseBatchPublic,
    NoiseMeasurementCreate,
    NoiseMeasurementList,
    NoiseMeasurementPosition,
    NoiseSummaryPublic,
)
from shared.http import MAX_CURSOR_LENGTH, decode_position, encode_cursor
from shared.keyset import split
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/monitoring/noise", tags=["noise"])

Year = Annotated[int, Query(ge=1950, le=2199, description="calendar year")]


@router.post("/measurements:batch", operation_id="record_noise_measurements", response_model=NoiseBatchPublic)
async def record(
    body: Annotated[list[NoiseMeasurementCreate], Body(min_length=1, max_length=NOISE_BATCH_MAX)],
    request: Request,
    caller: Reviewer,
) -> NoiseBatchPublic:
    """Measurements of noise points, all or none (422 naming the first bad one); their days await review (数据审核)
    like readings, and count once confirmed publicly, at once internally."""
    async with runtime_of(request).uow() as uow:
        stored = await handlers.record_measurements(uow, standards_of(request), body, actor=caller)
        await uow.commit()
    return NoiseBatchPublic(stored=len(stored), ids=[m.id for m in stored])


@router.get("/measurements", operation_id="list_noise_measurements", response_model=NoiseMeasurementList)
async def list_measurements(
    request: Request,
    _caller: Reader,
    year: Year,
    station: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> NoiseMeasurementList:
    """The year's measurements with their indicators and review status (invalidated days left out), by start."""
    position = decode_position(cursor, NoiseMeasurementPosition)
    async with runtime_of(request).uow() as uow:
        found = await handlers.measurements(
            uow, year=year, station=station, reviewed_only=False,
            after=(position.started_at, position.id) if position else None, limit=limit,
        )  # fmt: skip
    rows, last = split(found, limit)
    next_cursor = (
        encode_cursor({"started_at": last.measurement.started_at.isoformat(), "id": last.measurement.id})
        if last
        else None
    )
    return NoiseMeasurementList(items=[handlers.measurement_public(m) for m in rows], next_cursor=next_cursor)


@router.get("/summary", operation_id="noise_summary", response_model=NoiseSummaryPublic)
async def summary(request: Request, _caller: Reader, year: Year) -> NoiseSummaryPublic:
    """声环境质量 of the year from valid measurements (pending days count, invalidated ones do not): regional grid
    mean and grade, the traffic mean weighted by length and its grade, functional-zone compliance by class."""
    async with runtime_of(request).uow() as uow:
        found = await handlers.noise_summary(uow, standards_of(request), year=year, reviewed_only=False)
    return handlers.summary_public(found)
