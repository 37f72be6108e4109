"""HTTP entry points of the register of parties (当事人)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Officer, Staff, answer, created
from services.cases.handlers import parties as handlers
from services.cases.schemas import PartyCreate, PartyList, PartyPublic
from services.cases.tables import Party
from shared import header_docs
from shared.header_docs import versioned
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["registers"])


@router.post(
    "/parties",
    status_code=201,
    operation_id="register_party",
    response_model=PartyPublic,
    responses=header_docs.created("get_party", "party_id"),
)
async def register_party(body: PartyCreate, request: Request, caller: Officer) -> JSONResponse:
    """登记当事人; a credit code or ID number already registered is a 409 naming the existing party."""

    async def make(uow: UnitOfWork) -> Party:
        return await handlers.create_party(uow, body, actor=caller.subject)

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
        rows, next_cursor = await handlers.search_parties(uow, q=q, town=town, cursor=cursor, limit=limit)
    return PartyList(items=[PartyPublic.model_validate(r, from_attributes=True) for r in rows], next_cursor=next_cursor)


@router.get("/parties/{party_id}", operation_id="get_party", response_model=PartyPublic, responses=versioned())
async def get_party(party_id: str, request: Request, _caller: Staff) -> JSONResponse:
    async with runtime_of(request).uow() as uow:
        party = await handlers.get_party(uow, party_id)
    return answer(party, PartyPublic)
