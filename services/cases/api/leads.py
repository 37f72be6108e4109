"""HTTP entry points of leads (线索): received, listed, extended, declined (filing one is ``POST /cases``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Head, Officer, Staff, answer, calendar_of, changed, created, settings_of
from services.cases.handlers import leads as handlers
from services.cases.schemas import LeadCreate, LeadDecline, LeadList, LeadPublic, LeadSource
from services.cases.tables import Lead
from shared import header_docs
from shared.header_docs import IF_MATCH, versioned
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["field work"])


def _lead(lead_id: str) -> Callable[[UnitOfWork], Awaitable[Lead]]:
    async def load(uow: UnitOfWork) -> Lead:
        return await handlers.get_lead(uow, lead_id)

    return load


@router.post(
    "/leads",
    status_code=201,
    operation_id="create_lead",
    response_model=LeadPublic,
    responses=header_docs.created("get_lead", "lead_id"),
)
async def create_lead(body: LeadCreate, request: Request, caller: Officer) -> JSONResponse:
    """线索 from a complaint (12369), another agency, the police…; due for the filing decision in 15 days."""
    settings, calendar = settings_of(request), calendar_of(request)

    async def make(uow: UnitOfWork) -> Lead:
        return await handlers.create_lead(uow, body, settings=settings, calendar=calendar, actor=caller.subject)

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
        rows, next_cursor = await handlers.list_leads(
            uow, status=status, source=source.value if source else None, cursor=cursor, limit=limit
        )
    return LeadList(items=[LeadPublic.model_validate(r, from_attributes=True) for r in rows], next_cursor=next_cursor)


@router.get("/leads/{lead_id}", operation_id="get_lead", response_model=LeadPublic, responses=versioned())
async def get_lead(lead_id: str, request: Request, _caller: Staff) -> JSONResponse:
    async with runtime_of(request).uow() as uow:
        lead = await handlers.get_lead(uow, lead_id)
    return answer(lead, LeadPublic)


@router.post(
    "/leads/{lead_id}/extension",
    operation_id="extend_lead",
    response_model=LeadPublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def extend_lead(lead_id: str, request: Request, caller: Head) -> JSONResponse:
    """+15 days for the filing decision, with the head's approval. Needs If-Match."""
    settings, calendar = settings_of(request), calendar_of(request)

    async def change(uow: UnitOfWork, lead: Lead) -> None:
        await handlers.extend_lead(uow, lead, settings=settings, calendar=calendar, actor=caller.subject)

    return await changed(request, _lead(lead_id), change, public=LeadPublic)


@router.post(
    "/leads/{lead_id}/declination",
    operation_id="decline_lead",
    response_model=LeadPublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def decline_lead(lead_id: str, body: LeadDecline, request: Request, caller: Head) -> JSONResponse:
    """不予立案, the head's decision. Needs If-Match."""

    async def change(uow: UnitOfWork, lead: Lead) -> None:
        await handlers.decline_lead(uow, lead, body, actor=caller.subject)

    return await changed(request, _lead(lead_id), change, public=LeadPublic)
