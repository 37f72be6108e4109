"""Staff entry points around referrals: package documents, consultations (会商), deadlines, statistics, and the
procuratorate delivery ledger (``/api/v1/referral``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse

from services.referral import consultations, documents, handlers, procuratorate, reports
from services.referral.api import Reader, ToolsDep, Writer
from services.referral.domain.deadlines import DeadlineState
from services.referral.domain.statistics import YearStatistics
from services.referral.handlers import Actor
from services.referral.schemas import (
    ConsultationCreate,
    ConsultationList,
    ConsultationPublic,
    DeadlineEntry,
    DeadlineList,
    DeliveryPublic,
    StaffDocument,
)
from services.referral.views import deadline_view, file_response
from shared.fields import Name, Text
from shared.http import MAX_LIMIT
from shared.idempotency import idempotent
from shared.messaging import UnitOfWork
from shared.problems import Problem
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/referral", tags=["referral"])


@router.post(
    "/referrals/{referral_id}/documents",
    operation_id="upload_referral_document",
    status_code=201,
    response_model=StaffDocument,
    responses={413: {"description": "file too large"}, 422: {"description": "empty file or hash mismatch"}},
)
async def upload_document(
    referral_id: str,
    request: Request,
    caller: Writer,
    tools: ToolsDep,
    file: Annotated[UploadFile, File(description="the file (multipart/form-data)")],
    name: Annotated[Name | None, Form(max_length=300)] = None,
    checklist_item: Annotated[Text | None, Form(max_length=100, description="移送材料清单项")] = None,
    evidence_id: Annotated[Text | None, Form(max_length=64, description="fills in evidence cases referenced")] = None,
) -> StaffDocument:
    """Stored content-addressed with its SHA-256; the same content uploaded again returns the first document."""
    async with runtime_of(request).uow() as uow:
        referral = await handlers.get_referral(uow, referral_id, caller)
    stored = await tools.store.put(file)
    async with runtime_of(request).uow() as uow:
        referral = await handlers.get_referral(uow, referral_id, caller, for_update=True)
        document = await documents.attach(
            uow,
            referral,
            stored,
            name=name or file.filename or stored.sha256,
            media_type=file.content_type or "application/octet-stream",
            checklist_item=checklist_item,
            evidence_id=evidence_id,
            actor=Actor(caller.subject, correlation_id(request)),
        )
        await uow.commit()
    return StaffDocument.model_validate(document, from_attributes=True)


@router.get(
    "/referrals/{referral_id}/documents/{document_id}",
    operation_id="get_referral_document",
    response_class=FileResponse,
)
async def get_document(referral_id: str, document_id: str, request: Request, caller: Reader, tools: ToolsDep) -> Any:
    async with runtime_of(request).uow() as uow:
        referral = await handlers.get_referral(uow, referral_id, caller)
        document = await documents.get_document(uow, referral, document_id)
    return file_response(tools, document.sha256, name=document.name, media_type=document.media_type)


@router.post("/consultations", operation_id="record_consultation", status_code=201, response_model=ConsultationPublic)
async def record_consultation(body: ConsultationCreate, request: Request, caller: Writer) -> JSONResponse:
    """会商 with the police: date, participants, topic, outcome, linked referrals. Honours Idempotency-Key."""
    runtime = runtime_of(request)

    async def action(uow: UnitOfWork) -> tuple[int, object, dict[str, str]]:
        consultation = await consultations.record_consultation(
            uow, caller, **body.model_dump(), actor=Actor(caller.subject, correlation_id(request))
        )
        public = ConsultationPublic(**consultation.model_dump(), referral_ids=list(dict.fromkeys(body.referral_ids)))
        return 201, public.model_dump(mode="json"), {"Location": f"/api/v1/referral/consultations/{consultation.id}"}

    return await idempotent(
        request, runtime.uow, principal=caller.subject, body=body.model_dump(mode="json"), action=action
    )


@router.get("/consultations", operation_id="list_consultations", response_model=ConsultationList)
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


@router.get("/deadlines", operation_id="referral_deadlines", response_model=DeadlineList)
async def deadlines(
    request: Request,
    caller: Reader,
    tools: ToolsDep,
    state: Annotated[list[Literal["at_risk", "overdue"]] | None, Query(description="default: both")] = None,
) -> DeadlineList:
    """期限预警: open limits of open referrals that are at risk or overdue, the most urgent first (an officer: its
    team's referrals)."""
    wanted = frozenset(DeadlineState(s) for s in state) if state else reports.ATTENTION
    async with runtime_of(request).uow() as uow:
        found = await reports.deadlines_needing_attention(uow, tools, caller, now=datetime.now(UTC), states=wanted)
    return DeadlineList(
        items=[
            DeadlineEntry(
                referral_id=r.id,
                case_number=r.case_number,
                police_unit=r.police_unit,
                status=r.status,
                deadline=deadline_view(d, s),
            )
            for r, d, s in found
        ]
    )


@router.get("/statistics", operation_id="referral_statistics", response_model=YearStatistics)
async def statistics(
    request: Request, _caller: Reader, year: Annotated[int, Query(ge=2000, le=2100)]
) -> YearStatistics:
    """Referrals sent in the year, by medium, by outcome, and days from transfer to the police's first decision."""
    async with runtime_of(request).uow() as uow:
        return await reports.statistics_for_year(uow, year)


@router.get(
    "/procuratorate-deliveries", operation_id="list_procuratorate_deliveries", response_model=list[DeliveryPublic]
)
async def list_deliveries(
    request: Request,
    caller: Reader,
    referral_id: Annotated[str | None, Query(max_length=36)] = None,
    status: Annotated[Literal["pending", "delivered", "failed"] | None, Query()] = None,
) -> list[DeliveryPublic]:
    """抄送检察院 ledger; an officer sees the copies of its team's referrals only."""
    async with runtime_of(request).uow() as uow:
        rows = await procuratorate.list_deliveries(uow.session, caller, referral_id=referral_id, status=status)
        return [DeliveryPublic.model_validate(r, from_attributes=True) for r in rows]


@router.post(
    "/procuratorate-deliveries/{delivery_id}/retry",
    operation_id="retry_procuratorate_delivery",
    response_model=DeliveryPublic,
)
async def retry_delivery(delivery_id: str, request: Request, caller: Writer) -> DeliveryPublic:
    runtime = runtime_of(request)
    async with runtime.uow() as uow:
        row = await procuratorate.retry_delivery(uow.session, caller, delivery_id)
        if row.status != "pending":
            raise Problem(409, f"只能重试失败的抄送 Only a failed delivery can be retried (it is {row.status})")
        await uow.commit()
        public = DeliveryPublic.model_validate(row, from_attributes=True)
    deliverer = runtime.extras.get("deliverer")
    if deliverer is not None:
        deliverer.wake()
    return public
