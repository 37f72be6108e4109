"""HTTP entry points of statistics (执法统计), the deadline watch list and case review meetings (案件审议会)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from services.cases import records, reports
from services.cases.case_tables import ReviewMeeting
from services.cases.common import load, today
from services.cases.domain.statistics import report_rows
from services.cases.record_schemas import DeadlineList, MeetingCreate, MeetingPublic
from services.cases.web import Head, Staff, StatsReader, calendar_of, created, settings_of
from shared.bounds import LegalDate
from shared.csv_export import csv_text
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["reports"])


@router.get(
    "/statistics",
    operation_id="case_statistics",
    responses={200: {"content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}}}},
)
async def statistics(
    request: Request,
    _caller: StatsReader,
    year: Annotated[int, Query(ge=2000, le=2100)],
    quarter: Annotated[int | None, Query(ge=1, le=4)] = None,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Response:
    """季度、年度执法统计 for the annual enforcement report; JSON, or CSV with ``format=csv`` / ``Accept: text/csv``."""
    async with runtime_of(request).uow() as uow:
        report: dict[str, Any] = await reports.statistics(uow, year=year, quarter=quarter)
    wants_csv = format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))
    if wants_csv:
        name = f"statistics-{year}" + (f"-q{quarter}" if quarter else "") + ".csv"
        return Response(
            csv_text(["metric", "value"], report_rows(report)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return JSONResponse(report)


@router.get("/deadlines", operation_id="deadline_watch", response_model=DeadlineList)
async def deadline_watch(
    request: Request,
    caller: Staff,
    within: Annotated[int, Query(ge=0, le=366, description="days ahead")] = 7,
    as_of: Annotated[LegalDate | None, Query(description="default: today in Asia/Shanghai")] = None,
) -> DeadlineList:
    """期限预警: every step due within ``within`` days or overdue, per case and step (and open leads)."""
    day = as_of or today()
    async with runtime_of(request).uow() as uow:
        items = await reports.deadline_watch(
            uow, caller, as_of=day, within=within, settings=settings_of(request), calendar=calendar_of(request)
        )
    return DeadlineList(as_of=day, within=within, items=items)


@router.post("/review-meetings", status_code=201, operation_id="record_review_meeting", response_model=MeetingPublic)
async def record_meeting(body: MeetingCreate, request: Request, caller: Head) -> JSONResponse:
    """案件审议会: attendees (legal counsel marked), each case's outcome, minutes."""

    async def make(uow: UnitOfWork) -> ReviewMeeting:
        return await records.record_meeting(uow, body, actor=caller.subject)

    return await created(
        request, caller, body, make, public=MeetingPublic, location="/api/v1/cases/review-meetings/{id}"
    )


@router.get("/review-meetings/{meeting_id}", operation_id="get_review_meeting", response_model=MeetingPublic)
async def get_meeting(meeting_id: str, request: Request, _caller: Staff) -> MeetingPublic:
    async with runtime_of(request).uow() as uow:
        meeting = await load(uow.session, ReviewMeeting, meeting_id, "案件审议会")
    return MeetingPublic.model_validate(meeting, from_attributes=True)
