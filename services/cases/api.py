"""HTTP entry points of the cases service (``/api/v1/cases``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from services.cases import handlers
from services.cases.schemas import DecisionCreate, DecisionPublic
from services.cases.settings import CasesSettings
from shared.auth import Principal, Role
from shared.idempotency import idempotent
from shared.messaging import UnitOfWork
from shared.service import requires, runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

Issuer = Annotated[Principal, Depends(requires(Role.HEAD))]
Staff = Annotated[Principal, Depends(requires(Role.OFFICER, Role.HEAD, Role.LEGAL_REVIEWER, Role.AUDITOR))]


@router.post(
    "/decisions",
    status_code=201,
    operation_id="issue_decision",
    summary="作出决定 Issue a decision",
    response_model=DecisionPublic,
)
async def issue_decision(body: DecisionCreate, request: Request, caller: Issuer) -> JSONResponse:
    """The service allocates the document number (文书编号), gapless per kind and year. Honours Idempotency-Key."""
    runtime = runtime_of(request)
    settings = runtime.settings
    assert isinstance(settings, CasesSettings)

    async def action(uow: UnitOfWork) -> tuple[int, object, dict[str, str]]:
        decision = await handlers.issue_decision(
            uow, body, settings=settings, actor=caller.subject, correlation_id=correlation_id(request)
        )
        public = DecisionPublic.model_validate(decision, from_attributes=True).model_dump(mode="json")
        return 201, public, {"Location": f"/api/v1/cases/decisions/{decision.id}"}

    return await idempotent(
        request, runtime.uow, principal=caller.subject, body=body.model_dump(mode="json"), action=action
    )


@router.get("/decisions/{decision_id}", operation_id="get_decision", response_model=DecisionPublic)
async def get_decision(decision_id: str, request: Request, _caller: Staff) -> DecisionPublic:
    async with runtime_of(request).uow() as uow:
        decision = await handlers.get_decision(uow, decision_id)
    return DecisionPublic.model_validate(decision, from_attributes=True)
