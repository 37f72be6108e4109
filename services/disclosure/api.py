"""HTTP entry points of the disclosure service (``/api/v1/disclosure``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.disclosure import handlers
from services.disclosure.domain.deadlines import publication_due_date
from services.disclosure.schemas import DueDate, PublicationList, PublicationStaff
from services.disclosure.settings import DisclosureSettings
from shared.auth import Principal, Role
from shared.contracts.common import DecisionKind
from shared.service import requires, runtime_of

router = APIRouter(prefix="/api/v1/disclosure", tags=["disclosure"])

Staff = Annotated[
    Principal,
    Depends(requires(Role.DISCLOSURE_EDITOR, Role.HEAD, Role.OFFICER, Role.LEGAL_REVIEWER, Role.AUDITOR)),
]


@router.get("/due-date", operation_id="publication_due_date", response_model=DueDate)
async def due_date(
    request: Request,
    _caller: Staff,
    kind: Annotated[DecisionKind, Query(description="决定种类")],
    decided_on: Annotated[date, Query(description="决定日期 YYYY-MM-DD")],
) -> DueDate:
    """公示截止日期: the date by which a decision of this kind must be public."""
    settings: DisclosureSettings = request.app.state.settings
    due = publication_due_date(
        request.app.state.calendar,
        kind=kind,
        decided_on=decided_on,
        working_days=settings.publication_working_days,
    )
    return DueDate(due_on=due.due_on, working_days=due.working_days, provisional=due.provisional)


@router.get("/publications", operation_id="list_publications", response_model=PublicationList)
async def list_publications(
    request: Request,
    _caller: Staff,
    decision_id: str | None = None,
    status: str | None = None,
    cursor: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PublicationList:
    async with runtime_of(request).uow() as uow:
        rows = await handlers.list_publications(
            uow, decision_id=decision_id, status=status, after=cursor, limit=limit + 1
        )
    items = [PublicationStaff.model_validate(r, from_attributes=True) for r in rows[:limit]]
    return PublicationList(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


@router.get("/publications/{publication_id}", operation_id="get_publication", response_model=PublicationStaff)
async def get_publication(publication_id: str, request: Request, _caller: Staff) -> PublicationStaff:
    async with runtime_of(request).uow() as uow:
        publication = await handlers.get_publication(uow, publication_id)
    return PublicationStaff.model_validate(publication, from_attributes=True)
