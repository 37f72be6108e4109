"""HTTP entry points of a case file (案件): filing (立案), reading, stages, the decision clock, execution."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import (
    Head,
    Officer,
    Reviewer,
    Staff,
    answer,
    calendar_of,
    changed,
    created,
    settings_of,
    the_case,
)
from services.cases.domain.stages import Stage
from services.cases.handlers import cases as handlers
from services.cases.handlers import transitions
from services.cases.schemas import (
    CaseCreate,
    CaseList,
    CasePublic,
    ClockStopEnd,
    ClockStopStart,
    ExecutionRecord,
    Extension,
    Transition,
)
from services.cases.tables import Case
from shared import header_docs
from shared.header_docs import IF_MATCH, versioned
from shared.messaging import UnitOfWork
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

_SURCHARGE = {
    "description": "加处罚款 owed today, in fen (3 %/day of the fine, capped at it)",
    "schema": {"type": "string"},
}
_EXECUTION_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"headers": {**versioned()[200]["headers"], "Late-Surcharge-Fen": _SURCHARGE}}
}


@router.post(
    "",
    status_code=201,
    operation_id="file_case",
    response_model=CasePublic,
    responses=header_docs.created("get_case", "case_id"),
)
async def file_case(body: CaseCreate, request: Request, caller: Head) -> JSONResponse:
    """立案: the head files an open lead; the case number is allocated gaplessly per year."""
    settings, calendar = settings_of(request), calendar_of(request)

    async def make(uow: UnitOfWork) -> Case:
        return await handlers.file_case(
            uow,
            body,
            settings=settings,
            calendar=calendar,
            actor=caller.subject,
            correlation_id=correlation_id(request),
        )

    return await created(request, caller, body, make, public=CasePublic, location="/api/v1/cases/{id}")


@router.get("", operation_id="list_cases", response_model=CaseList)
async def list_cases(
    request: Request,
    caller: Staff,
    stage: Stage | None = None,
    officer: Annotated[str | None, Query(pattern="^[0-9A-Za-z-]{1,36}$", description="执法人员 id")] = None,
    party: Annotated[str | None, Query(max_length=36)] = None,
    town: Annotated[str | None, Query(max_length=50)] = None,
    overdue: bool | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CaseList:
    """An officer sees its team's cases only."""
    async with runtime_of(request).uow() as uow:
        rows, next_cursor = await handlers.list_cases(
            uow,
            caller,
            stage=stage,
            officer=officer,
            party=party,
            town=town,
            overdue=overdue,
            cursor=cursor,
            limit=limit,
        )
    return CaseList(items=[CasePublic.model_validate(r, from_attributes=True) for r in rows], next_cursor=next_cursor)


@router.get("/{case_id}", operation_id="get_case", response_model=CasePublic, responses=versioned())
async def get_case(case_id: str, request: Request, caller: Staff) -> JSONResponse:
    async with runtime_of(request).uow() as uow:
        case = await handlers.get_case(uow, case_id, caller)
    return answer(case, CasePublic)


@router.post(
    "/{case_id}/transitions",
    operation_id="transition_case",
    response_model=CasePublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def transition_case(case_id: str, body: Transition, request: Request, caller: Reviewer) -> JSONResponse:
    """Next stage; 409 naming the missing step when the procedure does not allow it yet. Needs If-Match."""
    settings, calendar = settings_of(request), calendar_of(request)

    async def change(uow: UnitOfWork, case: Case) -> None:
        await transitions.transition(
            uow, case, body, settings=settings, calendar=calendar, caller=caller, correlation_id=correlation_id(request)
        )

    return await changed(request, the_case(case_id, caller), change, public=CasePublic)


@router.post(
    "/{case_id}/clock-stops",
    operation_id="stop_case_clock",
    response_model=CasePublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def stop_clock(case_id: str, body: ClockStopStart, request: Request, caller: Officer) -> JSONResponse:
    """检测、鉴定、公告、送达: days not counted in the decision limit. Needs If-Match."""
    settings, calendar = settings_of(request), calendar_of(request)

    async def change(uow: UnitOfWork, case: Case) -> None:
        await handlers.add_clock_stop(uow, case, body, settings=settings, calendar=calendar, actor=caller.subject)

    return await changed(request, the_case(case_id, caller), change, public=CasePublic)


@router.post(
    "/{case_id}/clock-stops/{stop_id}/end",
    operation_id="resume_case_clock",
    response_model=CasePublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def resume_clock(
    case_id: str, stop_id: str, body: ClockStopEnd, request: Request, caller: Officer
) -> JSONResponse:
    """The stop ends; the decision limit counts again from the next day. Needs If-Match."""
    settings, calendar = settings_of(request), calendar_of(request)

    async def change(uow: UnitOfWork, case: Case) -> None:
        await handlers.end_clock_stop(
            uow, case, stop_id, body, settings=settings, calendar=calendar, actor=caller.subject
        )

    return await changed(request, the_case(case_id, caller), change, public=CasePublic)


@router.post(
    "/{case_id}/extensions",
    operation_id="extend_case",
    response_model=CasePublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def extend_case(case_id: str, body: Extension, request: Request, caller: Head) -> JSONResponse:
    """延长办案期限: +30 by the head, +30 more by collective discussion. Needs If-Match."""
    settings, calendar = settings_of(request), calendar_of(request)

    async def change(uow: UnitOfWork, case: Case) -> None:
        await handlers.extend_case(uow, case, body, settings=settings, calendar=calendar, actor=caller.subject)

    return await changed(request, the_case(case_id, caller), change, public=CasePublic)


@router.post(
    "/{case_id}/execution",
    operation_id="record_execution",
    response_model=CasePublic,
    openapi_extra=IF_MATCH,
    responses=_EXECUTION_ANSWER,
)
async def record_execution(case_id: str, body: ExecutionRecord, request: Request, caller: Officer) -> JSONResponse:
    """缴款 / 催告; the answer's ``Late-Surcharge-Fen`` header is the 加处罚款: 3 %/day of the fine only, capped at
    the fine. Needs If-Match."""
    settings, calendar = settings_of(request), calendar_of(request)
    owed: list[int] = []

    async def change(uow: UnitOfWork, case: Case) -> None:
        owed.append(
            await transitions.record_execution(
                uow, case, body, settings=settings, calendar=calendar, actor=caller.subject
            )
        )

    response = await changed(request, the_case(case_id, caller), change, public=CasePublic)
    response.headers["Late-Surcharge-Fen"] = str(owed[0])
    return response
