"""Joint consultations with the police (联席会商, ``/api/v1/referral/consultations``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.referral.api.deps import Reader, Writer, actor_of
from services.referral.handlers import consultations
from services.referral.schemas import ConsultationCreate, ConsultationList, ConsultationPublic
from shared import header_docs
from shared.http import MAX_LIMIT
from shared.idempotency import idempotent
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/referral/consultations", tags=["referral"])
PATH = "/api/v1/referral/consultations"


@router.post(
    "",
    operation_id="record_consultation",
    status_code=201,
    response_model=ConsultationPublic,
    responses=header_docs.created("get_consultation", "consultation_id", etag=False),
)
async def record_consultation(body: ConsultationCreate, request: Request, caller: Writer) -> JSONResponse:
    """会商 with the police: date, participants, topic, outcome, linked referrals. Honours Idempotency-Key."""
    actor = actor_of(request, caller)

    async def action(uow: UnitOfWork) -> tuple[int, object, dict[str, str]]:
        consultation = await consultations.record_consultation(
            uow,
            caller,
            held_on=body.held_on,
            participants=body.participants,
            topic=body.topic,
            outcome=body.outcome,
            police_unit=body.police_unit,
            referral_ids=body.referral_ids,
            actor=actor,
        )
        public = ConsultationPublic(**consultation.model_dump(), referral_ids=list(dict.fromkeys(body.referral_ids)))
        return 201, public.model_dump(mode="json"), {"Location": f"{PATH}/{consultation.id}"}

    return await idempotent(
        request, runtime_of(request).uow, principal=caller.subject, body=body.model_dump(mode="json"), action=action
    )


@router.get("", operation_id="list_consultations", response_model=ConsultationList)
async def list_consultations(
    request: Request,
    caller: Reader,
    referral_id: Annotated[str | None, Query(max_length=36)] = None,
    cursor: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> ConsultationList:
    """An officer sees the consultations linking its team's referrals, with only those referrals named."""
    async with runtime_of(request).uow() as uow:
        rows = await consultations.list_consultations(
            uow, caller, referral_id=referral_id, after=cursor, limit=limit + 1
        )
    items = [ConsultationPublic(**c.model_dump(), referral_ids=ids) for c, ids in rows[:limit]]
    return ConsultationList(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


@router.get("/{consultation_id}", operation_id="get_consultation", response_model=ConsultationPublic)
async def get_consultation(consultation_id: str, request: Request, caller: Reader) -> ConsultationPublic:
    """One consultation, as listed: an officer reaches it through its team's linked referrals, and sees only those."""
    async with runtime_of(request).uow() as uow:
        consultation, referral_ids = await consultations.get_consultation(uow, caller, consultation_id)
    return ConsultationPublic(**consultation.model_dump(), referral_ids=referral_ids)
