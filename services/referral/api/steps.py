"""The bureau's steps on a referral (``/api/v1/referral/referrals/{id}/…``): transfer, supplement, contest a
refusal, hand over exhibits, and the police's notified decision limit.

Each names the version it read (``If-Match`` with the referral's ETag), honours ``Idempotency-Key`` and answers
the referral with its new ETag.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.referral.api.deps import ETAG_HEADER, Writer, actor_of, change_referral
from services.referral.domain.steps import Step
from services.referral.handlers import referrals as handlers
from services.referral.handlers.referrals import StepInput
from services.referral.schemas import (
    DecisionTrackUpdate,
    ExhibitsHandoverCreate,
    IncompleteNoticeCreate,
    ReconsiderationCreate,
    ReferralStaff,
    SupervisionCreate,
    SupplementCreate,
    TransferCreate,
)
from services.referral.tables import Referral
from shared.auth import Principal
from shared.header_docs import IF_MATCH
from shared.messaging import UnitOfWork

router = APIRouter(prefix="/api/v1/referral/referrals/{referral_id}", tags=["referral"])

_STEP: dict[str, Any] = {
    "response_model": ReferralStaff,
    "openapi_extra": IF_MATCH,
    "responses": {
        200: {"headers": ETAG_HEADER},
        409: {"description": "the step is not allowed now; the problem names the missing step"},
        412: {"description": "the referral changed since you read it"},
        428: {"description": "If-Match required"},
    },
}


async def _step(
    request: Request, caller: Principal, referral_id: str, step: Step, command: StepInput, body: Any
) -> JSONResponse:
    actor = actor_of(request, caller)

    async def act(uow: UnitOfWork, referral: Referral) -> object:
        return await handlers.advance(uow, referral, step, command, actor=actor)

    return await change_referral(request, caller, referral_id, act, body=body.model_dump(mode="json"))


@router.post("/transfer", operation_id="transfer_referral", **_STEP)
async def transfer(referral_id: str, body: TransferCreate, request: Request, caller: Writer) -> JSONResponse:
    """移送公安 within 24 hours of approval; a copy goes to the procuratorate (抄送检察院)."""
    at = body.sent_at or datetime.now(UTC)
    fields = {"sent_at": at, "transfer_letter_number": body.transfer_letter_number}
    command = StepInput(at=at, fields=fields, note={"transfer_letter_number": body.transfer_letter_number})
    return await _step(request, caller, referral_id, Step.TRANSFER, command, body)


@router.post("/incomplete-notice", operation_id="record_incomplete_notice", **_STEP)
async def incomplete_notice(
    referral_id: str, body: IncompleteNoticeCreate, request: Request, caller: Writer
) -> JSONResponse:
    """公安通知材料不全: the bureau supplements within 3 days."""
    fields = {"notice_at": body.notified_at, "missing_items": body.missing_items}
    command = StepInput(at=body.notified_at, fields=fields, note={"missing_items": body.missing_items})
    return await _step(request, caller, referral_id, Step.INCOMPLETE_NOTICE, command, body)


@router.post("/supplement", operation_id="supplement_referral", **_STEP)
async def supplement(referral_id: str, body: SupplementCreate, request: Request, caller: Writer) -> JSONResponse:
    """补充材料 (upload the files first); the police's decision limit restarts."""
    fields = {"supplemented_at": body.supplemented_at}
    command = StepInput(at=body.supplemented_at, fields=fields, note={"note": body.note})
    return await _step(request, caller, referral_id, Step.SUPPLEMENT, command, body)


@router.post("/reconsideration", operation_id="request_reconsideration", **_STEP)
async def reconsideration(
    referral_id: str, body: ReconsiderationCreate, request: Request, caller: Writer
) -> JSONResponse:
    """提请复议 of a refusal within 3 working days; the police answer through their decision endpoint."""
    fields = {"reconsideration_requested_at": body.requested_at}
    command = StepInput(at=body.requested_at, fields=fields, note={"reason": body.reason})
    return await _step(request, caller, referral_id, Step.RECONSIDERATION, command, body)


@router.post("/supervision", operation_id="request_supervision", **_STEP)
async def supervision(referral_id: str, body: SupervisionCreate, request: Request, caller: Writer) -> JSONResponse:
    """提请检察监督 after the reconsideration upheld the refusal; the request is delivered to the procuratorate."""
    fields = {"supervision_requested_at": body.requested_at}
    command = StepInput(at=body.requested_at, fields=fields, note={"reason": body.reason})
    return await _step(request, caller, referral_id, Step.SUPERVISION, command, body)


@router.post("/exhibits-handover", operation_id="hand_over_exhibits", **_STEP)
async def exhibits_handover(
    referral_id: str, body: ExhibitsHandoverCreate, request: Request, caller: Writer
) -> JSONResponse:
    """涉案物品移交 within 3 days of the police opening a case."""
    fields = {"exhibits_handed_over_at": body.handed_over_at, "exhibits": body.items}
    command = StepInput(at=body.handed_over_at, fields=fields, note={"items": body.items, "receiver": body.receiver})
    return await _step(request, caller, referral_id, Step.EXHIBITS_HANDOVER, command, body)


@router.post("/decision-track", operation_id="set_decision_track", **_STEP)
async def decision_track(referral_id: str, body: DecisionTrackUpdate, request: Request, caller: Writer) -> JSONResponse:
    """The police notified a longer decision limit: 7 days (needing checks) or 30 days (complex, approved)."""
    actor = actor_of(request, caller)

    async def act(uow: UnitOfWork, referral: Referral) -> object:
        return await handlers.set_decision_track(uow, referral, body.track, actor=actor)

    return await change_referral(request, caller, referral_id, act, body=body.model_dump(mode="json"))
