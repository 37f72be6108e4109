"""HTTP entry points of random inspection draws (双随机抽查) and the planned inspections they make."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Head, Staff, answer, changed, created, settings_of
from services.cases.domain.draws import EntityCategory
from services.cases.handlers import draws as handlers
from services.cases.schemas import (
    DrawExecution,
    InspectionDrawCreate,
    InspectionDrawList,
    InspectionDrawPublic,
    PlannedInspectionList,
    PlannedInspectionPublic,
)
from services.cases.tables import InspectionDraw
from shared.header_docs import IF_MATCH, versioned
from shared.header_docs import created as created_answer
from shared.messaging import UnitOfWork
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/cases", tags=["random inspections"])


def _draw(draw_id: str) -> Callable[[UnitOfWork], Awaitable[InspectionDraw]]:
    async def load(uow: UnitOfWork) -> InspectionDraw:
        return await handlers.get_draw(uow, draw_id)

    return load


@router.post(
    "/inspection-draws",
    status_code=201,
    operation_id="create_inspection_draw",
    response_model=InspectionDrawPublic,
    responses=created_answer("get_inspection_draw", "draw_id"),
)
async def create_inspection_draw(body: InspectionDrawCreate, request: Request, caller: Head) -> JSONResponse:
    """抽查 created: the eligible entities, the pool, exclusions and the count are frozen and shown with the
    SHA-256 of a secret seed (commitment). Count by default from the category's proportion in force (data). A
    second draw for the same category and period is a redraw: ``redraw_of`` and ``reason`` (409 otherwise)."""
    settings = settings_of(request)

    async def make(uow: UnitOfWork) -> InspectionDraw:
        return await handlers.create_draw(
            uow, body, settings=settings, actor=caller.subject, correlation_id=correlation_id(request)
        )

    return await created(
        request, caller, body, make, public=InspectionDrawPublic, location="/api/v1/cases/inspection-draws/{id}"
    )


@router.post(
    "/inspection-draws/{draw_id}/execution",
    operation_id="execute_inspection_draw",
    response_model=InspectionDrawPublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def execute_inspection_draw(draw_id: str, body: DrawExecution, request: Request, caller: Head) -> JSONResponse:
    """抽取: the seed is revealed and the result computed from it and the frozen inputs (algorithm in the cases
    README); each drawn entity becomes a planned inspection by its two officers, due the period's last day. A redraw
    supersedes the draw it replaces and cancels that draw's open planned inspections. Needs If-Match."""

    async def change(uow: UnitOfWork, row: InspectionDraw) -> None:
        await handlers.execute_draw(uow, row, body, actor=caller.subject, correlation_id=correlation_id(request))

    return await changed(request, _draw(draw_id), change, public=InspectionDrawPublic)


@router.get("/inspection-draws", operation_id="list_inspection_draws", response_model=InspectionDrawList)
async def list_inspection_draws(
    request: Request,
    _caller: Staff,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    category: EntityCategory | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> InspectionDrawList:
    async with runtime_of(request).uow() as uow:
        rows, next_cursor = await handlers.list_draws(
            uow, year=year, category=category.value if category else None, cursor=cursor, limit=limit
        )
    items = [InspectionDrawPublic.model_validate(r, from_attributes=True) for r in rows]
    return InspectionDrawList(items=items, next_cursor=next_cursor)


@router.get(
    "/inspection-draws/{draw_id}",
    operation_id="get_inspection_draw",
    response_model=InspectionDrawPublic,
    responses=versioned(),
)
async def get_inspection_draw(draw_id: str, request: Request, _caller: Staff) -> JSONResponse:
    """One draw; the seed stays hidden until the execution."""
    async with runtime_of(request).uow() as uow:
        row = await handlers.get_draw(uow, draw_id)
    return answer(row, InspectionDrawPublic)


@router.get("/planned-inspections", operation_id="list_planned_inspections", response_model=PlannedInspectionList)
async def list_planned_inspections(
    request: Request,
    _caller: Staff,
    draw_id: Annotated[str | None, Query(max_length=36)] = None,
    status: Annotated[str | None, Query(pattern="^(planned|done|cancelled)$")] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PlannedInspectionList:
    """抽查计划: the drawn inspections, planned, done or cancelled (redrawn)."""
    async with runtime_of(request).uow() as uow:
        rows, next_cursor = await handlers.list_planned(uow, draw_id=draw_id, status=status, cursor=cursor, limit=limit)
    items = [PlannedInspectionPublic.model_validate(r, from_attributes=True) for r in rows]
    return PlannedInspectionList(items=items, next_cursor=next_cursor)
