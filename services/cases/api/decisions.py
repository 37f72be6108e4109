"""HTTP entry points of decisions (决定书) under ``/api/v1/cases/decisions``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from services.cases.api.deps import Head, Officer, Staff, answer, changed, created, settings_of
from services.cases.handlers import decisions as handlers
from services.cases.handlers import documents
from services.cases.schemas import Amendment, DecisionCreate, DecisionPublic, Revocation, ServiceRecord
from services.cases.tables import Decision
from shared import header_docs
from shared.auth import Principal
from shared.documents.response import PDF_ANSWER, pdf_response
from shared.header_docs import IF_MATCH, versioned
from shared.messaging import UnitOfWork
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/cases", tags=["decisions"])


def _reach(decision_id: str, caller: Principal) -> Callable[[UnitOfWork], Awaitable[Decision]]:
    async def load(uow: UnitOfWork) -> Decision:
        return await handlers.reach_decision(uow, decision_id, caller)

    return load


@router.post(
    "/decisions",
    status_code=201,
    operation_id="issue_decision",
    summary="作出决定 Issue a decision",
    response_model=DecisionPublic,
    responses=header_docs.created("get_decision", "decision_id"),
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


@router.get(
    "/decisions/{decision_id}",
    operation_id="get_decision",
    response_model=DecisionPublic,
    responses=versioned(),
)
async def get_decision(decision_id: str, request: Request, caller: Staff) -> JSONResponse:
    """An officer reaches the decisions of its team's cases only."""
    async with runtime_of(request).uow() as uow:
        decision = await handlers.reach_decision(uow, decision_id, caller)
    return answer(decision, DecisionPublic)


@router.get(
    "/decisions/{decision_id}/document.pdf",
    operation_id="get_decision_document",
    response_class=Response,
    responses=PDF_ANSWER,
    summary="决定书文本 The decision document (PDF)",
)
async def get_decision_document(decision_id: str, request: Request, caller: Staff) -> Response:
    """The document as served to the party, exactly as stored when issued (or last amended): its SHA-256 is
    the decision's ``document_sha256``, recorded in the audit chain. Reached like the decision itself."""
    async with runtime_of(request).uow() as uow:
        decision = await handlers.reach_decision(uow, decision_id, caller)
    pdf = await asyncio.to_thread(documents.stored_decision_document, decision, settings_of(request))
    return pdf_response(pdf, stem=f"decision-{decision.kind}-{decision.year}-{decision.seq}")


@router.get(
    "/decisions/{decision_id}/service-receipt.pdf",
    operation_id="get_service_receipt",
    response_class=Response,
    responses=PDF_ANSWER,
    summary="送达回证 The service receipt (PDF)",
)
async def get_service_receipt(decision_id: str, request: Request, caller: Staff) -> Response:
    """送达回证 of the decision, filled in with the service once recorded, else blank for the recipient to sign."""
    async with runtime_of(request).uow() as uow:
        decision = await handlers.reach_decision(uow, decision_id, caller)
    pdf = await asyncio.to_thread(documents.service_receipt_pdf, decision, settings_of(request))
    return pdf_response(pdf, stem=f"service-receipt-{decision.kind}-{decision.year}-{decision.seq}")


@router.post(
    "/decisions/{decision_id}/service",
    operation_id="serve_decision",
    response_model=DecisionPublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def serve_decision(decision_id: str, body: ServiceRecord, request: Request, caller: Officer) -> JSONResponse:
    """送达: date and method (electronic only with consent). Needs If-Match."""
    settings = settings_of(request)

    async def change(uow: UnitOfWork, decision: Decision) -> None:
        await handlers.serve_decision(uow, decision, body, settings=settings, actor=caller.subject)

    return await changed(request, _reach(decision_id, caller), change, public=DecisionPublic)


@router.post(
    "/decisions/{decision_id}/revocation",
    operation_id="revoke_decision",
    response_model=DecisionPublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def revoke_decision(decision_id: str, body: Revocation, request: Request, caller: Head) -> JSONResponse:
    """撤销 with the reason; disclosure withdraws the publication within 3 working days. Needs If-Match."""

    async def change(uow: UnitOfWork, decision: Decision) -> None:
        await handlers.revoke_decision(
            uow, decision, body, actor=caller.subject, correlation_id=correlation_id(request)
        )

    return await changed(request, _reach(decision_id, caller), change, public=DecisionPublic)


@router.post(
    "/decisions/{decision_id}/amendment",
    operation_id="amend_decision",
    response_model=DecisionPublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def amend_decision(decision_id: str, body: Amendment, request: Request, caller: Head) -> JSONResponse:
    """变更 with the reason; disclosure republishes. Needs If-Match."""
    settings = settings_of(request)

    async def change(uow: UnitOfWork, decision: Decision) -> None:
        await handlers.amend_decision(
            uow, decision, body, settings=settings, actor=caller.subject, correlation_id=correlation_id(request)
        )

    return await changed(request, _reach(decision_id, caller), change, public=DecisionPublic)
