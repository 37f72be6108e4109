"""HTTP entry points of field work: inspections (现场检查) and leads (线索)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.cases import fieldwork
from services.cases.case_schemas import (
    InspectionCreate,
    InspectionPublic,
    LeadCreate,
    LeadDecline,
    LeadList,
    LeadPublic,
    LeadSource,
)
from services.cases.case_tables import Inspection, Lead
from services.cases.common import load
from services.cases.web import Head, Officer, Staff, calendar_of, created, settings_of
from shared.http import etag_of, require_if_match
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["field work"])


def _lead(lead: Lead) -> JSONResponse:
    body = LeadPublic.model_validate(lead, from_attributes=True).model_dump(mode="json")
    return JSONResponse(body, headers={"ETag": etag_of(lead.id, lead.version)})


@router.post("/inspections", status_code=201, operation_id="record_inspection", response_model=InspectionPublic)
async def record_inspection(body: InspectionCreate, request: Request, caller: Officer) -> JSONResponse:
    """现场检查 by ≥ 2 officers with valid credentials (422 citing the rule otherwise); may open a lead."""

    async def make(uow: UnitOfWork) -> Inspection:
        return await fieldwork.record_inspection(
            uow, body, settings=settings_of(request), calendar=calendar_of(request), actor=caller.subject
        )

    return await created(
        request, caller, body, make, public=InspectionPublic, location="/api/v1/cases/inspections/{id}"
    )


@router.get("/inspections/{inspection_id}", operation_id="get_inspection", response_model=InspectionPublic)
async def get_inspection(inspection_id: str, request: Request, _caller: Staff) -> InspectionPublic:
    async with runtime_of(request).uow() as uow:
        inspection = await load(uow.session, Inspection, inspection_id, "现场检查")
    return InspectionPublic.model_validate(inspection, from_attributes=True)


@router.post("/leads", status_code=201, operation_id="create_lead", response_model=LeadPublic)
async def create_lead(body: LeadCreate, request: Request, caller: Officer) -> JSONResponse:
    """线索 from a complaint (12369), another agency, the police…; due for the filing decision in 15 days."""

    async def make(uow: UnitOfWork) -> Lead:
        return await fieldwork.create_lead(
            uow, body, settings=settings_of(request), calendar=calendar_of(request), actor=caller.subject
        )

    return await created(request, caller, body, make, public=LeadPublic, location="/api/v1/cases/leads/{id}")


@router.get("/leads", operation_id="list_leads", response_model=LeadList)
async def list_leads(
    request: Request,
    _caller: Staff,
    status: Annotated[str | None, Query(pattern="^(open|filed|declined)$")] = None,
    source: LeadSource | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> LeadList:
    async with runtime_of(request).uow() as uow:
        rows, next_cursor = await fieldwork.list_leads(
            uow, status=status, source=source.value if source else None, cursor=cursor, limit=limit
        )
    return LeadList(items=[LeadPublic.model_validate(r, from_attributes=True) for r in rows], next_cursor=next_cursor)


@router.get("/leads/{lead_id}", operation_id="get_lead", response_model=LeadPublic)
async def get_lead(lead_id: str, request: Request, _caller: Staff) -> JSONResponse:
    async with runtime_of(request).uow() as uow:
        return _lead(await load(uow.session, Lead, lead_id, "线索"))


@router.post("/leads/{lead_id}/extension", operation_id="extend_lead", response_model=LeadPublic)
async def extend_lead(lead_id: str, request: Request, caller: Head) -> JSONResponse:
    """+15 days for the filing decision, with the head's approval. Needs If-Match."""
    async with runtime_of(request).uow() as uow:
        current = await load(uow.session, Lead, lead_id, "线索")
        require_if_match(request, etag_of(current.id, current.version))
        lead = await fieldwork.extend_lead(
            uow, lead_id, settings=settings_of(request), calendar=calendar_of(request), actor=caller.subject
        )
        await uow.commit()
    return _lead(lead)


@router.post("/leads/{lead_id}/declination", operation_id="decline_lead", response_model=LeadPublic)
async def decline_lead(lead_id: str, body: LeadDecline, request: Request, caller: Head) -> JSONResponse:
    """不予立案, the head's decision. Needs If-Match."""
    async with runtime_of(request).uow() as uow:
        current = await load(uow.session, Lead, lead_id, "线索")
        require_if_match(request, etag_of(current.id, current.version))
        lead = await fieldwork.decline_lead(uow, lead_id, body, actor=caller.subject)
        await uow.commit()
    return _lead(lead)
