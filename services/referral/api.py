"""Staff entry points for referrals and their steps (``/api/v1/referral``).

Step commands name the version they read (``If-Match`` with the referral's ETag) and honour ``Idempotency-Key``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from services.referral import handlers
from services.referral.domain.steps import Status, Step
from services.referral.handlers import Actor, StepInput
from services.referral.schemas import (
    DecisionTrackUpdate,
    ExhibitsHandoverCreate,
    IncompleteNoticeCreate,
    ReconsiderationCreate,
    StaffReferral,
    StaffReferralList,
    SupervisionCreate,
    SupplementCreate,
    TransferCreate,
)
from services.referral.tools import Tools, tools_of
from services.referral.views import staff_views
from shared.auth import Principal, Role
from shared.http import MAX_LIMIT, etag_of, require_if_match
from shared.idempotency import idempotent
from shared.messaging import UnitOfWork
from shared.service import requires, runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/referral", tags=["referral"])

Reader = Annotated[Principal, Depends(requires(Role.OFFICER, Role.HEAD, Role.LEGAL_REVIEWER, Role.AUDITOR))]
Writer = Annotated[Principal, Depends(requires(Role.OFFICER, Role.HEAD))]
ToolsDep = Annotated[Tools, Depends(tools_of)]
_CONFLICTS: dict[int | str, dict[str, Any]] = {
    409: {"description": "the step is not allowed now; the problem names the missing step"},
    412: {"description": "the referral changed since you read it"},
    428: {"description": "If-Match required"},
}


@router.get("/referrals", operation_id="list_referrals", response_model=StaffReferralList)
async def list_referrals(
    request: Request,
    caller: Reader,
    tools: ToolsDep,
    status: Annotated[Status | None, Query()] = None,
    case_id: Annotated[str | None, Query(max_length=36)] = None,
    police_unit: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> StaffReferralList:
    """An officer lists its own team's referrals only."""
    async with runtime_of(request).uow() as uow:
        rows = await handlers.list_referrals(
            uow,
            caller,
            status=status.value if status else None,
            case_id=case_id,
            police_unit=police_unit,
            after=cursor,
            limit=limit + 1,
        )
        items = await staff_views(uow, tools, rows[:limit])
    return StaffReferralList(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


@router.get("/referrals/{referral_id}", operation_id="get_referral", response_model=StaffReferral)
async def get_referral(
    referral_id: str, request: Request, response: Response, caller: Reader, tools: ToolsDep
) -> StaffReferral:
    """An officer reaches its own team's referrals only (another team's: 404, as if absent)."""
    async with runtime_of(request).uow() as uow:
        referral = await handlers.get_referral(uow, referral_id, caller)
        [view] = await staff_views(uow, tools, [referral])
    response.headers["ETag"] = etag_of(referral.id, referral.version)
    return view


@router.post("/referrals/{referral_id}/transfer", operation_id="transfer_referral", responses=_CONFLICTS)
async def transfer(referral_id: str, body: TransferCreate, request: Request, caller: Writer, tools: ToolsDep) -> Any:
    """移送公安 within 24 hours of approval; a copy goes to the procuratorate (抄送检察院)."""
    at = body.sent_at or datetime.now(UTC)
    fields = {"sent_at": at, "transfer_letter_number": body.transfer_letter_number}
    command = StepInput(at=at, fields=fields, note={"transfer_letter_number": body.transfer_letter_number})
    return await _staff_step(request, caller, tools, referral_id, Step.TRANSFER, command, body)


@router.post(
    "/referrals/{referral_id}/incomplete-notice", operation_id="record_incomplete_notice", responses=_CONFLICTS
)
async def incomplete_notice(
    referral_id: str, body: IncompleteNoticeCreate, request: Request, caller: Writer, tools: ToolsDep
) -> Any:
    """公安通知材料不全: the bureau supplements within 3 days."""
    fields = {"notice_at": body.notified_at, "missing_items": body.missing_items}
    command = StepInput(at=body.notified_at, fields=fields, note={"missing_items": body.missing_items})
    return await _staff_step(request, caller, tools, referral_id, Step.INCOMPLETE_NOTICE, command, body)


@router.post("/referrals/{referral_id}/supplement", operation_id="supplement_referral", responses=_CONFLICTS)
async def supplement(
    referral_id: str, body: SupplementCreate, request: Request, caller: Writer, tools: ToolsDep
) -> Any:
    """补充材料 (upload the files first); the police's decision limit restarts."""
    fields = {"supplemented_at": body.supplemented_at}
    command = StepInput(at=body.supplemented_at, fields=fields, note={"note": body.note})
    return await _staff_step(request, caller, tools, referral_id, Step.SUPPLEMENT, command, body)


@router.post("/referrals/{referral_id}/reconsideration", operation_id="request_reconsideration", responses=_CONFLICTS)
async def reconsideration(
    referral_id: str, body: ReconsiderationCreate, request: Request, caller: Writer, tools: ToolsDep
) -> Any:
    """提请复议 of a refusal within 3 working days; the police answer through their decision endpoint."""
    fields = {"reconsideration_requested_at": body.requested_at}
    command = StepInput(at=body.requested_at, fields=fields, note={"reason": body.reason})
    return await _staff_step(request, caller, tools, referral_id, Step.RECONSIDERATION, command, body)


@router.post("/referrals/{referral_id}/supervision", operation_id="request_supervision", responses=_CONFLICTS)
async def supervision(
    referral_id: str, body: SupervisionCreate, request: Request, caller: Writer, tools: ToolsDep
) -> Any:
    """提请检察监督 after the reconsideration upheld the refusal; the request is delivered to the procuratorate."""
    fields = {"supervision_requested_at": body.requested_at}
    command = StepInput(at=body.requested_at, fields=fields, note={"reason": body.reason})
    return await _staff_step(request, caller, tools, referral_id, Step.SUPERVISION, command, body)


@router.post("/referrals/{referral_id}/exhibits-handover", operation_id="hand_over_exhibits", responses=_CONFLICTS)
async def exhibits_handover(
    referral_id: str, body: ExhibitsHandoverCreate, request: Request, caller: Writer, tools: ToolsDep
) -> Any:
    """涉案物品移交 within 3 days of the police opening a case."""
    fields = {"exhibits_handed_over_at": body.handed_over_at, "exhibits": body.items}
    command = StepInput(at=body.handed_over_at, fields=fields, note={"items": body.items, "receiver": body.receiver})
    return await _staff_step(request, caller, tools, referral_id, Step.EXHIBITS_HANDOVER, command, body)


@router.post("/referrals/{referral_id}/decision-track", operation_id="set_decision_track", responses=_CONFLICTS)
async def decision_track(
    referral_id: str, body: DecisionTrackUpdate, request: Request, caller: Writer, tools: ToolsDep
) -> Any:
    """The police notified a longer decision limit: 7 days (needing checks) or 30 days (complex, approved)."""
    actor = Actor(caller.subject, correlation_id(request))
    async with runtime_of(request).uow() as uow:
        referral = await handlers.get_referral(uow, referral_id, caller, for_update=True)
        require_if_match(request, etag_of(referral.id, referral.version))
        await handlers.set_decision_track(uow, referral, body.track, actor=actor)
        [view] = await staff_views(uow, tools, [referral])
        await uow.commit()
    return JSONResponse(view.model_dump(mode="json"), headers={"ETag": etag_of(referral.id, referral.version)})


async def _staff_step(
    request: Request, caller: Principal, tools: Tools, referral_id: str, step: Step, command: StepInput, body: Any
) -> JSONResponse:
    actor = Actor(caller.subject, correlation_id(request))

    async def action(uow: UnitOfWork) -> tuple[int, object, dict[str, str]]:
        referral = await handlers.get_referral(uow, referral_id, caller, for_update=True)
        require_if_match(request, etag_of(referral.id, referral.version))
        await handlers.advance(uow, referral, step, command, actor=actor)
        [view] = await staff_views(uow, tools, [referral])
        return 200, view.model_dump(mode="json"), {"ETag": etag_of(referral.id, referral.version)}

    runtime = runtime_of(request)
    response = await idempotent(
        request, runtime.uow, principal=caller.subject, body=body.model_dump(mode="json"), action=action
    )
    deliverer = runtime.extras.get("deliverer")
    if deliverer is not None:
        deliverer.wake()
    return response
