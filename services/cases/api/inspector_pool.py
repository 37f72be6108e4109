"""HTTP entry points of the inspector pool (执法人员库) and its exclusions (回避、休假)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Registrar, Staff, created
from services.cases.domain.local_time import today
from services.cases.handlers import inspector_pool as handlers
from services.cases.schemas import InspectorExclusionCreate, InspectorExclusionPublic, InspectorPoolPublic
from services.cases.tables import InspectorExclusion
from shared import header_docs
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["random inspections"])


@router.post(
    "/inspector-exclusions",
    status_code=201,
    operation_id="record_inspector_exclusion",
    response_model=InspectorExclusionPublic,
    responses=header_docs.created("get_inspector_exclusion", "exclusion_id", etag=False),
)
async def record_inspector_exclusion(
    body: InspectorExclusionCreate, request: Request, caller: Registrar
) -> JSONResponse:
    """回避 (declared conflict of interest with one entity) or 休假 (out of every draw of the days given), with the
    reason; draws whose period overlaps the days respect it."""

    async def make(uow: UnitOfWork) -> InspectorExclusion:
        return await handlers.create_exclusion(uow, body, actor=caller.subject)

    return await created(
        request,
        caller,
        body,
        make,
        public=InspectorExclusionPublic,
        location="/api/v1/cases/inspector-exclusions/{id}",
    )


@router.get(
    "/inspector-exclusions", operation_id="list_inspector_exclusions", response_model=list[InspectorExclusionPublic]
)
async def list_inspector_exclusions(
    request: Request,
    _caller: Staff,
    start: date,
    end: date,
    officer_id: Annotated[str | None, Query(max_length=36)] = None,
) -> list[InspectorExclusionPublic]:
    """Exclusions in force on any day from ``start`` to ``end``."""
    async with runtime_of(request).uow() as uow:
        rows = await handlers.exclusions_between(uow, start, end, officer_id=officer_id)
    return [InspectorExclusionPublic.model_validate(r, from_attributes=True) for r in rows]


@router.get(
    "/inspector-exclusions/{exclusion_id}",
    operation_id="get_inspector_exclusion",
    response_model=InspectorExclusionPublic,
)
async def get_inspector_exclusion(exclusion_id: str, request: Request, _caller: Staff) -> InspectorExclusionPublic:
    async with runtime_of(request).uow() as uow:
        row = await handlers.get_exclusion(uow, exclusion_id)
    return InspectorExclusionPublic.model_validate(row, from_attributes=True)


@router.get("/inspector-pool", operation_id="get_inspector_pool", response_model=InspectorPoolPublic)
async def get_inspector_pool(request: Request, _caller: Staff, on: date | None = None) -> InspectorPoolPublic:
    """执法人员库 on a day (default today): active officers with valid credentials, by team, with exclusions."""
    async with runtime_of(request).uow() as uow:
        return await handlers.inspector_pool(uow, on=on or today())
