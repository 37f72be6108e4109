"""Data review (数据审核) and exceedances (超标): review a day, the review queue, detect and list exceedances."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from services.monitoring.api.deps import Reader, Reviewer, standards_of
from services.monitoring.domain.readings import day_bounds
from services.monitoring.handlers.exceedances import detect_exceedances
from services.monitoring.handlers.queries import list_exceedances
from services.monitoring.handlers.review import review_day, review_page, review_pending_days
from services.monitoring.schemas import (
    DetectionPublic,
    ExceedanceDetect,
    ExceedanceList,
    ExceedancePosition,
    ExceedancePublic,
    ReviewList,
    ReviewPosition,
    ReviewPublic,
    ReviewRangePublic,
    ReviewRangeRequest,
    ReviewRequest,
)
from shared.bounds import LegalDate
from shared.http import decode_position, encode_cursor
from shared.keyset import split
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/monitoring", tags=["review"])


@router.post("/reviews", operation_id="review_day", response_model=ReviewPublic)
async def review(body: ReviewRequest, request: Request, caller: Reviewer) -> ReviewPublic:
    """Confirm or invalidate one station's data of one day, with a reason. An invalidated day's values no longer
    count anywhere (aggregations, AQI, water class, noise, exceedances, bulletins)."""
    async with runtime_of(request).uow() as uow:
        result = await review_day(
            uow, standards_of(request), station_code=body.station, day=body.day, decision=body.decision,
            reason=body.reason, reviewer=caller, correlation_id=correlation_id(request),
        )  # fmt: skip
        await uow.commit()
    return ReviewPublic.model_validate(result, from_attributes=True)


@router.post("/reviews:range", operation_id="review_days", response_model=ReviewRangePublic)
async def review_range(body: ReviewRangeRequest, request: Request, caller: Reviewer) -> ReviewRangePublic:
    """The same decision, with one reason, on every pending day of each station in a range (e.g. a month of
    enterprises' manual results); days already decided keep their decision. All or nothing: an unknown station
    refuses the whole request (404)."""
    async with runtime_of(request).uow() as uow:
        days = await review_pending_days(
            uow, standards_of(request), station_codes=body.stations, first=body.first_day, last=body.last_day,
            decision=body.decision, reason=body.reason, reviewer=caller, correlation_id=correlation_id(request),
        )  # fmt: skip
        await uow.commit()
    return ReviewRangePublic(decision=body.decision, days={code: len(found) for code, found in days.items()})


@router.get("/reviews", operation_id="review_queue", response_model=ReviewList)
async def queue(
    request: Request,
    _caller: Reader,
    status: Literal["pending", "confirmed", "invalidated"] = "pending",
    station: str | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> ReviewList:
    """待审核: days whose data awaits review, oldest first."""
    position = decode_position(cursor, ReviewPosition)
    after = (position.day, position.station) if position else None
    async with runtime_of(request).uow() as uow:
        items, last = await review_page(uow, status=status, station=station, after=after, limit=limit)
    return ReviewList(
        items=items, next_cursor=encode_cursor({"day": last.day, "station": last.station_code}) if last else None
    )


@router.post("/exceedances:detect", operation_id="detect_exceedances", response_model=DetectionPublic)
async def detect(body: ExceedanceDetect, request: Request, caller: Reviewer) -> DetectionPublic:
    """Air stations for a day (IAQI > 100) or water sections for a month (worse than target); each exceedance
    is recorded and announced once, however often this runs."""
    async with runtime_of(request).uow() as uow:
        found = await detect_exceedances(
            uow, standards_of(request), period=body.period, on=body.on, actor=caller.subject,
            correlation_id=correlation_id(request),
        )  # fmt: skip
        await uow.commit()
    return DetectionPublic(detected=found)


@router.get("/exceedances", operation_id="list_exceedances", response_model=ExceedanceList)
async def exceedances(
    request: Request,
    _caller: Reader,
    station: str | None = None,
    since: LegalDate | None = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> ExceedanceList:
    """Recorded exceedances (超标记录), oldest period first; ``since`` is a local date."""
    start = day_bounds(since)[0] if since else None
    position = decode_position(cursor, ExceedancePosition)
    after = (position.period_start, position.id) if position else None
    async with runtime_of(request).uow() as uow:
        rows, last = split(await list_exceedances(uow, station=station, since=start, after=after, limit=limit), limit)
    return ExceedanceList(
        items=[ExceedancePublic.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=encode_cursor({"period_start": last.period_start, "id": last.id}) if last else None,
    )
