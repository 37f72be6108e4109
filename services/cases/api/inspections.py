"""HTTP entry points of inspections (现场检查)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Officer, Staff, calendar_of, created, settings_of
from services.cases.handlers import inspections as handlers
from services.cases.schemas import InspectionCreate, InspectionPublic
from services.cases.tables import Inspection
from shared import header_docs
from shared.messaging import UnitOfWork
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/cases", tags=["field work"])


@router.post(
    "/inspections",
    status_code=201,
    operation_id="record_inspection",
    response_model=InspectionPublic,
    responses=header_docs.created("get_inspection", "inspection_id", etag=False),
)
async def record_inspection(body: InspectionCreate, request: Request, caller: Officer) -> JSONResponse:
    """现场检查 by ≥ 2 officers with valid credentials (422 citing the rule otherwise); may open a lead."""
    settings, calendar = settings_of(request), calendar_of(request)

    async def make(uow: UnitOfWork) -> Inspection:
        return await handlers.record_inspection(
            uow,
            body,
            settings=settings,
            calendar=calendar,
            actor=caller.subject,
            correlation_id=correlation_id(request),
        )

    return await created(
        request, caller, body, make, public=InspectionPublic, location="/api/v1/cases/inspections/{id}"
    )


@router.get("/inspections/{inspection_id}", operation_id="get_inspection", response_model=InspectionPublic)
async def get_inspection(inspection_id: str, request: Request, _caller: Staff) -> InspectionPublic:
    async with runtime_of(request).uow() as uow:
        inspection = await handlers.get_inspection(uow, inspection_id)
    return InspectionPublic.model_validate(inspection, from_attributes=True)
