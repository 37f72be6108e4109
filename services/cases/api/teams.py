"""HTTP entry points of the register of enforcement teams (执法队)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Registrar, Staff, created
from services.cases.handlers import officers as handlers
from services.cases.schemas import TeamCreate, TeamPublic
from services.cases.tables import Team
from shared import header_docs
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["registers"])


@router.post(
    "/teams",
    status_code=201,
    operation_id="create_team",
    response_model=TeamPublic,
    responses=header_docs.created("get_team", "team_id", etag=False),
)
async def create_team(body: TeamCreate, request: Request, caller: Registrar) -> JSONResponse:
    async def make(uow: UnitOfWork) -> Team:
        return await handlers.create_team(uow, body, actor=caller.subject)

    return await created(request, caller, body, make, public=TeamPublic, location="/api/v1/cases/teams/{id}")


@router.get("/teams/{team_id}", operation_id="get_team", response_model=TeamPublic)
async def get_team(team_id: str, request: Request, _caller: Staff) -> TeamPublic:
    """执法队 of the register; shared by the bureau, like the officers."""
    async with runtime_of(request).uow() as uow:
        team = await handlers.get_team(uow, team_id)
    return TeamPublic.model_validate(team, from_attributes=True)
