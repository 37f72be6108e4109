"""Data review (数据审核) and exceedance detection."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from sqlmodel import select

from services.monitoring.api.deps import Reader, Reviewer, standards_of
from services.monitoring.domain.readings import day_bounds
from services.monitoring.handlers.exceedances import detect_air_day, detect_water_month
from services.monitoring.handlers.queries import list_exceedances
from services.monitoring.handlers.review import day_counts, review_day, review_queue
from services.monitoring.schemas import (
    DetectRequest,
    ExceedancePosition,
    ReviewOut,
    ReviewPosition,
    ReviewQueue,
    ReviewQueueItem,
    ReviewRequest,
)
from services.monitoring.tables import Station
from shared.bounds import LegalDate
from shared.http import decode_position, encode_cursor
from shared.keyset import split
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/monitoring", tags=["review"])


@router.post("/reviews", operation_id="review_day", response_model=ReviewOut)
async def review(body: ReviewRequest, request: Request, caller: Reviewer) -> ReviewOut:
    """Confirm or invalidate one station's data of one day, with a reason."""
    async with runtime_of(request).uow() as uow:
        result = await review_day(
            uow, standards_of(request), station_code=body.station, day=body.day, decision=body.decision,
            reason=body.reason, reviewer=caller, correlation_id=correlation_id(request),
        )  # fmt: skip
        await uow.commit()
    return ReviewOut.model_validate(result, from_attributes=True)


@router.get("/reviews", operation_id="review_queue", response_model=ReviewQueue)
async def queue(
    request: Request,
    _caller: Reader,
    status: Literal["pending", "confirmed", "invalidated"] = "pending",
    station: str | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> ReviewQueue:
    """待审核: days whose data awaits review, oldest first."""
    position = decode_position(cursor, ReviewPosition)
    after = (position.day, position.station) if position else None
    async with runtime_of(request).uow() as uow:
        rows, last = split(await review_queue(uow, status=status, station=station, after=after, limit=limit), limit)
        counts = await day_counts(uow, rows)
    items = [
        ReviewQueueItem.model_validate(
            r.model_dump()
            | dict(zip(("readings", "flagged"), counts.get((r.station_code, r.day), (0, 0)), strict=True))
        )
        for r in rows
    ]
    return ReviewQueue(
        items=items, next_cursor=encode_cursor({"day": last.day, "station": last.station_code}) if last else None
    )


@router.post("/exceedances:detect", operation_id="detect_exceedances")
async def detect(body: DetectRequest, request: Request, caller: Reviewer) -> dict[str, int]:
    """Air stations for a day (IAQI > 100) or water sections for a month (worse than target); each exceedance
    is recorded and announced once, however often this runs."""
    standards = standards_of(request)
    async with runtime_of(request).uow() as uow:
        kind = "air_station" if body.period == "day" else "water_section"
        stations = list((await uow.session.execute(select(Station).where(Station.kind == kind))).scalars())
        if body.period == "day":
            found = await detect_air_day(uow, standards, stations, body.on, actor=caller.subject,
                                         correlation_id=correlation_id(request))  # fmt: skip
        else:
            found = await detect_water_month(uow, standards, stations, body.on.year, body.on.month,
                                             actor=caller.subject, correlation_id=correlation_id(request))  # fmt: skip
        await uow.commit()
    return {"detected": found}


@router.get("/exceedances", operation_id="list_exceedances")
async def exceedances(
    request: Request,
    _caller: Reader,
    station: str | None = None,
    since: LegalDate | None = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    """Recorded exceedances (超标记录), oldest period first; ``since`` is a local date."""
    start = day_bounds(since)[0] if since else None
    position = decode_position(cursor, ExceedancePosition)
    after = (position.period_start, position.id) if position else None
    async with runtime_of(request).uow() as uow:
        rows, last = split(await list_exceedances(uow, station=station, since=start, after=after, limit=limit), limit)
    items = [r.model_dump(mode="json") for r in rows]
    return {
        "items": items,
        "next_cursor": encode_cursor({"period_start": last.period_start, "id": last.id}) if last else None,
    }
