"""HTTP entry point of the deadline watch list (期限预警)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.cases.api.deps import Staff, calendar_of, settings_of
from services.cases.domain.local_time import today
from services.cases.handlers import reports
from services.cases.schemas import DeadlineList
from shared.bounds import LegalDate
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["reports"])


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
