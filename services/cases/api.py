"""HTTP entry points of decisions (决定书) under ``/api/v1/cases/decisions``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.cases import handlers
from services.cases.schemas import Amendment, DecisionCreate, DecisionPublic, Revocation, ServiceRecord
from services.cases.tables import Decision
from services.cases.web import Head, Officer, Staff, created, settings_of
from shared.http import etag_of, require_if_match
from shared.messaging import UnitOfWork
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/cases", tags=["decisions"])


def _answer(decision: Decision, status: int = 200) -> JSONResponse:
    body = DecisionPublic.model_validate(decision, from_attributes=True).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers={"ETag": etag_of(decision.id, decision.version)})


@router.post(
    "/decisions",
    status_code=201,
    operation_id="issue_decision",
    summary="作出决定 Issue a decision",
    response_model=DecisionPublic,
)
async def issue_decision(body: DecisionCreate, request: Request, caller: Head) -> JSONResponse:
    """The service allocates the document number (文书编号), gapless per kind and year. Honours Idempotency-Key.

    With ``case_id`` the case must be at its decision stage (every required step done); it then moves to
    ``decided``. ``case_id: null`` records a decision made outside a case file."""
    settings = settings_of(request)

    async def make(uow: UnitOfWork) -> Decision:
        return await handlers.issue_decision(
            uow, body, settings=settings, actor=caller.subject, correlation_id=correlation_id(request)
        )

    return await created(request, caller, body, make, public=DecisionPublic, location="/api/v1/cases/decisions/{id}")


@router.get("/decisions/{decision_id}", operation_id="get_decision", response_model=DecisionPublic)
async def get_decision(decision_id: str, request: Request, caller: Staff) -> JSONResponse:
    """An officer reaches the decisions of its team's cases only."""
    async with runtime_of(request).uow() as uow:
        decision = await handlers.reach_decision(uow, decision_id, caller)
    return _answer(decision)


@router.post("/decisions/{decision_id}/service", operation_id="serve_decision", response_model=DecisionPublic)
async def serve_decision(decision_id: str, body: ServiceRecord, request: Request, caller: Officer) -> JSONResponse:
    """送达: date and method (electronic only with consent). Needs If-Match."""
    async with runtime_of(request).uow() as uow:
        current = await handlers.reach_decision(uow, decision_id, caller)
        require_if_match(request, etag_of(current.id, current.version))
        decision = await handlers.serve_decision(
            uow, decision_id, body, settings=settings_of(request), actor=caller.subject
        )
        await uow.commit()
    return _answer(decision)


@router.post("/decisions/{decision_id}/revocation", operation_id="revoke_decision", response_model=DecisionPublic)
async def revoke_decision(decision_id: str, body: Revocation, request: Request, caller: Head) -> JSONResponse:
    """撤销 with the reason; disclosure withdraws the publication within 3 working days. Needs If-Match."""
    async with runtime_of(request).uow() as uow:
        current = await handlers.reach_decision(uow, decision_id, caller)
        require_if_match(request, etag_of(current.id, current.version))
        decision = await handlers.revoke_decision(
            uow, decision_id, body, actor=caller.subject, correlation_id=correlation_id(request)
        )
        await uow.commit()
    return _answer(decision)


@router.post("/decisions/{decision_id}/amendment", operation_id="amend_decision", response_model=DecisionPublic)
async def amend_decision(decision_id: str, body: Amendment, request: Request, caller: Head) -> JSONResponse:
    """变更 with the reason; disclosure republishes. Needs If-Match."""
    async with runtime_of(request).uow() as uow:
        current = await handlers.reach_decision(uow, decision_id, caller)
        require_if_match(request, etag_of(current.id, current.version))
        decision = await handlers.amend_decision(
            uow,
            decision_id,
            body,
            settings=settings_of(request),
            actor=caller.subject,
            correlation_id=correlation_id(request),
        )
        await uow.commit()
    return _answer(decision)
