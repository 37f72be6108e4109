"""HTTP entry points of case review meetings (案件审议会)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Head, Staff, created
from services.cases.handlers import review_meetings as handlers
from services.cases.schemas import ReviewMeetingCreate, ReviewMeetingPublic
from services.cases.tables import ReviewMeeting
from shared import header_docs
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["reports"])


@router.post(
    "/review-meetings",
    status_code=201,
    operation_id="record_review_meeting",
    response_model=ReviewMeetingPublic,
    responses=header_docs.created("get_review_meeting", "meeting_id", etag=False),
)
async def record_meeting(body: ReviewMeetingCreate, request: Request, caller: Head) -> JSONResponse:
    """案件审议会: attendees (legal counsel marked), each case's outcome, minutes."""

    async def make(uow: UnitOfWork) -> ReviewMeeting:
        return await handlers.record_meeting(uow, body, actor=caller.subject)

    return await created(
        request, caller, body, make, public=ReviewMeetingPublic, location="/api/v1/cases/review-meetings/{id}"
    )


@router.get("/review-meetings/{meeting_id}", operation_id="get_review_meeting", response_model=ReviewMeetingPublic)
async def get_meeting(meeting_id: str, request: Request, _caller: Staff) -> ReviewMeetingPublic:
    async with runtime_of(request).uow() as uow:
        meeting = await handlers.get_meeting(uow, meeting_id)
    return ReviewMeetingPublic.model_validate(meeting, from_attributes=True)
