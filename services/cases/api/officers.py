"""HTTP entry points of the register of officers (执法人员)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Registrar, Staff, answer, changed, created, settings_of
from services.cases.handlers import officers as handlers
from services.cases.schemas import OfficerCreate, OfficerPublic, OfficerUpdate
from services.cases.tables import Officer
from shared import header_docs
from shared.header_docs import IF_MATCH, versioned
from shared.messaging import UnitOfWork
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/cases", tags=["registers"])


def _officer(officer_id: str) -> Callable[[UnitOfWork], Awaitable[Officer]]:
    async def load(uow: UnitOfWork) -> Officer:
        return await handlers.get_officer(uow, officer_id)

    return load


@router.post(
    "/officers",
    status_code=201,
    operation_id="register_officer",
    response_model=OfficerPublic,
    responses=header_docs.created("get_officer", "officer_id"),
)
async def register_officer(body: OfficerCreate, request: Request, caller: Registrar) -> JSONResponse:
    """登记执法人员 with the enforcement credential number (执法证号)."""

    async def make(uow: UnitOfWork) -> Officer:
        return await handlers.create_officer(
            uow, body, settings=settings_of(request), correlation_id=correlation_id(request), actor=caller.subject
        )

    return await created(request, caller, body, make, public=OfficerPublic, location="/api/v1/cases/officers/{id}")


@router.get("/officers", operation_id="list_officers", response_model=list[OfficerPublic])
async def list_officers(
    request: Request, _caller: Staff, team_id: str | None = None, active: bool | None = None
) -> list[OfficerPublic]:
    async with runtime_of(request).uow() as uow:
        rows = await handlers.list_officers(uow, team_id=team_id, active=active)
    return [OfficerPublic.model_validate(r, from_attributes=True) for r in rows]


@router.get(
    "/officers/{officer_id}",
    operation_id="get_officer",
    response_model=OfficerPublic,
    responses=versioned(),
)
async def get_officer(officer_id: str, request: Request, _caller: Staff) -> JSONResponse:
    """One officer of the register, with the ETag its changes need (If-Match)."""
    async with runtime_of(request).uow() as uow:
        officer = await handlers.get_officer(uow, officer_id)
    return answer(officer, OfficerPublic)


@router.patch(
    "/officers/{officer_id}",
    operation_id="update_officer",
    response_model=OfficerPublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def update_officer(officer_id: str, body: OfficerUpdate, request: Request, caller: Registrar) -> JSONResponse:
    """法律职业资格 obtained, 初次从事法制审核 date recorded (an earlier start keeps an unqualified reviewer
    reviewing, 行政处罚法 §58 ¶2), or a renewed credential's valid period (执法证有效期自、至; the first day may
    not follow the last). Needs If-Match."""

    async def change(uow: UnitOfWork, officer: Officer) -> None:
        await handlers.update_officer(
            uow,
            officer,
            body,
            settings=settings_of(request),
            correlation_id=correlation_id(request),
            actor=caller.subject,
        )

    return await changed(request, _officer(officer_id), change, public=OfficerPublic)


@router.post(
    "/officers/{officer_id}/deactivation",
    operation_id="deactivate_officer",
    response_model=OfficerPublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def deactivate_officer(officer_id: str, request: Request, caller: Registrar) -> JSONResponse:
    """停用 (history kept; the officer leaves the public list, 事前公开). Needs If-Match."""

    async def change(uow: UnitOfWork, officer: Officer) -> None:
        await handlers.deactivate_officer(
            uow, officer, settings=settings_of(request), correlation_id=correlation_id(request), actor=caller.subject
        )

    return await changed(request, _officer(officer_id), change, public=OfficerPublic)
