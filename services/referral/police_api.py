"""The police liaison API (``/police/v1``): an external contract — keep paths and fields; change = new version.

A police client sees only referrals sent to its own unit; anything else answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict

from services.referral import documents, handlers
from services.referral.changes import police_feed
from services.referral.domain.steps import Step
from services.referral.handlers import Actor, StepInput
from services.referral.schemas import DecisionCreate, PoliceReferral, PoliceReferralList, ReceiptCreate
from services.referral.tools import Tools, tools_of
from services.referral.views import file_response, police_views
from shared.auth import Principal, Role
from shared.bounds import Int64
from shared.http import MAX_CURSOR_LENGTH, MAX_LIMIT, decode_position, encode_cursor
from shared.idempotency import idempotent
from shared.messaging import UnitOfWork
from shared.problems import Problem
from shared.service import requires, runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/police/v1", tags=["police"])

Police = Annotated[Principal, Depends(requires(Role.POLICE, zone="police"))]
ToolsDep = Annotated[Tools, Depends(tools_of)]


def unit_of(caller: Principal) -> str:
    """The caller's unit; a token naming none is refused before any lookup (403, not 404)."""
    if not caller.unit:
        raise Problem(403, "令牌未指明公安单位 The token names no police unit", slug="police-unit-missing")
    return caller.unit


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
    response_model=PoliceReferralList,
)
async def list_referrals(
    request: Request,
    caller: Police,
    tools: ToolsDep,
    since: Annotated[
        str | None, Query(description="next_cursor of the previous page; omit to start", max_length=MAX_CURSOR_LENGTH)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> PoliceReferralList:
    """Oldest change first; each referral once per page, in its current state. Follow `next_cursor` until `items`
    is empty; poll later with the last `next_cursor` to get only what changed since. Cursors survive restarts."""
    after = since_seq(since)
    async with runtime_of(request).uow() as uow:
        rows = await police_feed(uow.session, unit=unit_of(caller), after_seq=after, limit=limit)
        items = await police_views(uow, tools, [referral for referral, _ in rows])
    last = rows[-1][1] if rows else after
    return PoliceReferralList(items=items, next_cursor=encode_cursor({"seq": last}))


@router.get("/referrals/{referral_id}", operation_id="police_get_referral", response_model=PoliceReferral)
async def get_referral(referral_id: str, request: Request, caller: Police, tools: ToolsDep) -> PoliceReferral:
    async with runtime_of(request).uow() as uow:
        unit_of(caller)
        referral = await handlers.get_referral(uow, referral_id, caller)
        [view] = await police_views(uow, tools, [referral])
    return view


@router.get(
    "/referrals/{referral_id}/documents/{document_id}",
    operation_id="police_get_document",
    summary="下载移送材料 The file; its SHA-256 matches the listed `sha256`",
    response_class=FileResponse,
)
async def get_document(referral_id: str, document_id: str, request: Request, caller: Police, tools: ToolsDep) -> Any:
    async with runtime_of(request).uow() as uow:
        unit_of(caller)
        referral = await handlers.get_referral(uow, referral_id, caller)
        document = await documents.get_document(uow, referral, document_id)
    return file_response(tools, document.sha256, name=document.name, media_type=document.media_type)


@router.post(
    "/referrals/{referral_id}/receipt",
    operation_id="police_post_receipt",
    summary="签收 Sign for a referral",
    response_model=PoliceReferral,
    responses={409: {"description": "the referral is not awaiting receipt"}, 422: {"description": "bad input"}},
)
async def post_receipt(
    referral_id: str, body: ReceiptCreate, request: Request, caller: Police, tools: ToolsDep
) -> JSONResponse:
    """Honours `Idempotency-Key`: a retry with the same key and body gets the first answer."""
    command = StepInput(
        at=body.received_at,
        fields={"received_at": body.received_at, "receiver": body.receiver},
        note={"receiver": body.receiver},
    )
    return await _police_step(request, caller, tools, referral_id, Step.RECEIPT, command, body.model_dump(mode="json"))


@router.post(
    "/referrals/{referral_id}/decision",
    operation_id="police_post_decision",
    summary="立案决定 Decide: accepted (立案), declined (不予立案) or returned (退回)",
    response_model=PoliceReferral,
    responses={409: {"description": "the referral is not awaiting a decision"}, 422: {"description": "bad input"}},
)
async def post_decision(
    referral_id: str, body: DecisionCreate, request: Request, caller: Police, tools: ToolsDep
) -> JSONResponse:
    """Also the answer to a reconsideration (复议) or supervision request. Honours `Idempotency-Key`."""
    fields = {"police_case_number": body.police_case_number, "decision_reason": body.reason}
    note = {"decision": body.decision.value, "police_case_number": body.police_case_number, "reason": body.reason}
    command = StepInput(at=body.decided_at, fields=fields, note=note, decision=body.decision)
    return await _police_step(request, caller, tools, referral_id, Step.DECISION, command, body.model_dump(mode="json"))


async def _police_step(
    request: Request, caller: Principal, tools: Tools, referral_id: str, step: Step, command: StepInput, body: Any
) -> JSONResponse:
    unit_of(caller)
    actor = Actor(caller.subject, correlation_id(request))

    async def action(uow: UnitOfWork) -> tuple[int, object, dict[str, str]]:
        referral = await handlers.get_referral(uow, referral_id, caller, for_update=True)
        await handlers.advance(uow, referral, step, command, actor=actor)
        [view] = await police_views(uow, tools, [referral])
        return 200, view.model_dump(mode="json"), {}

    runtime = runtime_of(request)
    return await idempotent(request, runtime.uow, principal=caller.subject, body=body, action=action)
