"""HTTP entry points of the registers: parties (当事人), teams and officers (执法人员)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.cases import registry
from services.cases.case_schemas import OfficerCreate, OfficerPublic, OfficerUpdate, TeamCreate, TeamPublic
from services.cases.common import load
from services.cases.schemas import PartyInput, PartyList, PartyPublic
from services.cases.tables import Officer, Party, Team
from services.cases.web import Officer as OfficerRole
from services.cases.web import Registrar, Staff, created
from shared.http import etag_of, require_if_match
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["registers"])


@router.post("/parties", status_code=201, operation_id="register_party", response_model=PartyPublic)
async def register_party(body: PartyInput, request: Request, caller: OfficerRole) -> JSONResponse:
    """登记当事人; a credit code or ID number already registered is a 409 naming the existing party."""

    async def make(uow: UnitOfWork) -> Party:
        return await registry.create_party(uow, body, actor=caller.subject)

    return await created(request, caller, body, make, public=PartyPublic, location="/api/v1/cases/parties/{id}")


@router.get("/parties", operation_id="search_parties", response_model=PartyList)
async def search_parties(
    request: Request,
    _caller: Staff,
    q: Annotated[str | None, Query(max_length=200, description="名称（部分）或证件号码")] = None,
    town: Annotated[str | None, Query(max_length=50)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PartyList:
    async with runtime_of(request).uow() as uow:
        rows, next_cursor = await registry.search_parties(uow, q=q, town=town, cursor=cursor, limit=limit)
    return PartyList(items=[PartyPublic.model_validate(r, from_attributes=True) for r in rows], next_cursor=next_cursor)


@router.get("/parties/{party_id}", operation_id="get_party", response_model=PartyPublic)
async def get_party(party_id: str, request: Request, _caller: Staff) -> JSONResponse:
    async with runtime_of(request).uow() as uow:
        party = await load(uow.session, Party, party_id, "当事人")
    body = PartyPublic.model_validate(party, from_attributes=True).model_dump(mode="json")
    return JSONResponse(body, headers={"ETag": etag_of(party.id, party.version)})


@router.post("/teams", status_code=201, operation_id="create_team", response_model=TeamPublic)
async def create_team(body: TeamCreate, request: Request, caller: Registrar) -> JSONResponse:
    async def make(uow: UnitOfWork) -> Team:
        return await registry.create_team(uow, body, actor=caller.subject)

    return await created(request, caller, body, make, public=TeamPublic, location="/api/v1/cases/teams/{id}")


@router.post("/officers", status_code=201, operation_id="register_officer", response_model=OfficerPublic)
async def register_officer(body: OfficerCreate, request: Request, caller: Registrar) -> JSONResponse:
    """登记执法人员 with the enforcement credential number (执法证号)."""

    async def make(uow: UnitOfWork) -> Officer:
        return await registry.create_officer(uow, body, actor=caller.subject)

    return await created(request, caller, body, make, public=OfficerPublic, location="/api/v1/cases/officers/{id}")


@router.get("/officers", operation_id="list_officers", response_model=list[OfficerPublic])
async def list_officers(
    request: Request, _caller: Staff, team_id: str | None = None, active: bool | None = None
) -> list[OfficerPublic]:
    async with runtime_of(request).uow() as uow:
        rows = await registry.list_officers(uow, team_id=team_id, active=active)
    return [OfficerPublic.model_validate(r, from_attributes=True) for r in rows]


@router.patch("/officers/{officer_id}", operation_id="update_officer", response_model=OfficerPublic)
async def update_officer(officer_id: str, body: OfficerUpdate, request: Request, caller: Registrar) -> JSONResponse:
    """法律职业资格 obtained, or 初次从事法制审核 date recorded (an earlier start keeps an unqualified reviewer
    reviewing, 行政处罚法 §58 ¶2). Needs If-Match."""
    async with runtime_of(request).uow() as uow:
        current = await load(uow.session, Officer, officer_id, "执法人员")
        require_if_match(request, etag_of(current.id, current.version))
        officer = await registry.update_officer(uow, current, body, actor=caller.subject)
        await uow.commit()
    answer = OfficerPublic.model_validate(officer, from_attributes=True).model_dump(mode="json")
    return JSONResponse(answer, headers={"ETag": etag_of(officer.id, officer.version)})


@router.post("/officers/{officer_id}/deactivation", operation_id="deactivate_officer", response_model=OfficerPublic)
async def deactivate_officer(officer_id: str, request: Request, caller: Registrar) -> JSONResponse:
    """停用 (history kept). Needs If-Match."""
    async with runtime_of(request).uow() as uow:
        current = await load(uow.session, Officer, officer_id, "执法人员")
        require_if_match(request, etag_of(current.id, current.version))
        officer = await registry.deactivate_officer(uow, officer_id, actor=caller.subject)
        await uow.commit()
    body = OfficerPublic.model_validate(officer, from_attributes=True).model_dump(mode="json")
    return JSONResponse(body, headers={"ETag": etag_of(officer.id, officer.version)})
