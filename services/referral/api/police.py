"""The police liaison API (``/police/v1``): an external contract — keep paths and fields; change = new version.

A police client sees only referrals sent to its own unit; anything else answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict

from services.referral.api.deps import (
    FILE_ANSWER,
    DeadlinesDep,
    Police,
    StoreDep,
    actor_of,
    change_referral,
    file_response,
)
from services.referral.domain.steps import Step
from services.referral.handlers import documents
from services.referral.handlers import referrals as handlers
from services.referral.handlers.police import changed_referrals, unit_of
from services.referral.handlers.read_models import police_views
from services.referral.handlers.referrals import StepInput
from services.referral.schemas import DecisionCreate, ReceiptCreate, ReferralPolice, ReferralPoliceList
from services.referral.tables import Referral
from shared.auth import Principal
from shared.bounds import Int64
from shared.http import MAX_CURSOR_LENGTH, MAX_LIMIT, decode_position, encode_cursor
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/police/v1", tags=["police"])


class SeqPosition(BaseModel):
    """The police cursor: a position in the change log, which a ``bigint`` holds."""

    model_config = ConfigDict(extra="forbid", strict=True)
    seq: Int64


def since_seq(since: str | None) -> int:
    position = decode_position(since, SeqPosition)
    return position.seq if position else 0


@router.get(
    "/referrals",
    operation_id="police_list_referrals",
    summary="拉取移送案件 Referrals sent to your unit that changed after the cursor",
    response_model=ReferralPoliceList,
)
async def list_referrals(
    request: Request,
    caller: Police,
    deadlines: DeadlinesDep,
    since: Annotated[
        str | None, Query(description="next_cursor of the previous page; omit to start", max_length=MAX_CURSOR_LENGTH)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> ReferralPoliceList:
    """Oldest change first; each referral once per page, in its current state. Follow `next_cursor` until `items`
    is empty; poll later with the last `next_cursor` to get only what changed since. Cursors survive restarts."""
    async with runtime_of(request).uow() as uow:
        items, last = await changed_referrals(uow, deadlines, caller, after_seq=since_seq(since), limit=limit)
    return ReferralPoliceList(items=items, next_cursor=encode_cursor({"seq": last}))


@router.get("/referrals/{referral_id}", operation_id="police_get_referral", response_model=ReferralPolice)
async def get_referral(referral_id: str, request: Request, caller: Police, deadlines: DeadlinesDep) -> ReferralPolice:
    unit_of(caller)
    async with runtime_of(request).uow() as uow:
        referral = await handlers.get_referral(uow, referral_id, caller)
        [view] = await police_views(uow, deadlines, [referral])
    return view


@router.get(
    "/referrals/{referral_id}/documents/{document_id}",
    operation_id="police_get_document",
    summary="下载移送材料 The file; its SHA-256 matches the listed `sha256`",
    response_class=FileResponse,
    responses=FILE_ANSWER,
)
async def get_document(
    referral_id: str, document_id: str, request: Request, caller: Police, store: StoreDep
) -> FileResponse:
    unit_of(caller)
    async with runtime_of(request).uow() as uow:
        referral = await handlers.get_referral(uow, referral_id, caller)
        document = await documents.get_document(uow, referral, document_id)
    return file_response(documents.content_path(store, document), document)


@router.post(
    "/referrals/{referral_id}/receipt",
    operation_id="police_post_receipt",
    summary="签收 Sign for a referral",
    response_model=ReferralPolice,
    responses={409: {"description": "the referral is not awaiting receipt"}, 422: {"description": "bad input"}},
)
async def post_receipt(referral_id: str, body: ReceiptCreate, request: Request, caller: Police) -> JSONResponse:
    """Honours `Idempotency-Key`: a retry with the same key and body gets the first answer."""
    command = StepInput(
        at=body.received_at,
        fields={"received_at": body.received_at, "receiver": body.receiver},
        note={"receiver": body.receiver},
    )
    return await _police_step(request, caller, referral_id, Step.RECEIPT, command, body.model_dump(mode="json"))


@router.post(
    "/referrals/{referral_id}/decision",
    operation_id="police_post_decision",
    summary="立案决定 Decide: accepted (立案), declined (不予立案) or returned (退回)",
    response_model=ReferralPolice,
    responses={409: {"description": "the referral is not awaiting a decision"}, 422: {"description": "bad input"}},
)
async def post_decision(referral_id: str, body: DecisionCreate, request: Request, caller: Police) -> JSONResponse:
    """Also the answer to a reconsideration (复议) or supervision request. Honours `Idempotency-Key`."""
    fields = {"police_case_number": body.police_case_number, "decision_reason": body.reason}
    note = {"decision": body.decision.value, "police_case_number": body.police_case_number, "reason": body.reason}
    command = StepInput(at=body.decided_at, fields=fields, note=note, decision=body.decision)
    return await _police_step(request, caller, referral_id, Step.DECISION, command, body.model_dump(mode="json"))


async def _police_step(
    request: Request, caller: Principal, referral_id: str, step: Step, command: StepInput, body: Any
) -> JSONResponse:
    unit_of(caller)
    actor = actor_of(request, caller)

    async def act(uow: UnitOfWork, referral: Referral) -> object:
        return await handlers.advance(uow, referral, step, command, actor=actor)

    return await change_referral(request, caller, referral_id, act, body=body, audience="police")
