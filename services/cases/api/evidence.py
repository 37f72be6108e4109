"""HTTP entry points of a case's evidence (证据, 全过程记录): upload, list, read, verify."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Officer, Staff, settings_of
from services.cases.handlers import evidence as handlers
from services.cases.handlers.cases import get_case
from services.cases.schemas import EvidencePublic, EvidenceVerification
from shared import header_docs
from shared.bounds import LegalDateTime
from shared.fields import Name
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.post(
    "/{case_id}/evidence",
    status_code=201,
    operation_id="upload_evidence",
    response_model=EvidencePublic,
    responses=header_docs.created("get_evidence", "evidence_id", etag=False),
)
async def upload_evidence(
    case_id: str,
    request: Request,
    caller: Officer,
    kind: Annotated[str, Query(pattern="^(video|audio|photo|document|record)$")],
    filename: Annotated[Name, Query(min_length=1, max_length=255)],
    captured_by: Annotated[Name, Query(min_length=1, max_length=200)],
    captured_at: LegalDateTime,
) -> JSONResponse:
    """证据 / 全过程记录: the request body is the file, streamed to the content-addressed store (SHA-256)."""
    async with runtime_of(request).uow() as uow:
        case = await get_case(uow, case_id, caller)
        item = await handlers.store_evidence(
            uow,
            case,
            request.stream(),
            store=settings_of(request).evidence_store(),
            kind=kind,
            filename=filename,
            content_type=request.headers.get("content-type", "application/octet-stream")[:100],
            captured_by=captured_by,
            captured_at=captured_at,
            actor=caller.subject,
        )
        await uow.commit()
    body = EvidencePublic.model_validate(item, from_attributes=True).model_dump(mode="json")
    return JSONResponse(body, status_code=201, headers={"Location": f"/api/v1/cases/{case_id}/evidence/{item.id}"})


@router.get("/{case_id}/evidence", operation_id="list_evidence", response_model=list[EvidencePublic])
async def list_evidence(case_id: str, request: Request, caller: Staff) -> list[EvidencePublic]:
    async with runtime_of(request).uow() as uow:
        await get_case(uow, case_id, caller)
        rows = await handlers.list_evidence(uow, case_id)
    return [EvidencePublic.model_validate(r, from_attributes=True) for r in rows]


@router.post("/{case_id}/evidence/verification", operation_id="verify_evidence", response_model=EvidenceVerification)
async def verify_evidence(case_id: str, request: Request, caller: Staff) -> EvidenceVerification:
    """Re-hash every stored file of the case; ``ok`` is false if any is missing or altered."""
    async with runtime_of(request).uow() as uow:
        await get_case(uow, case_id, caller)
        rows = await handlers.list_evidence(uow, case_id)
    return handlers.verify(settings_of(request).evidence_store(), rows)


@router.get("/{case_id}/evidence/{evidence_id}", operation_id="get_evidence", response_model=EvidencePublic)
async def get_evidence(case_id: str, evidence_id: str, request: Request, caller: Staff) -> EvidencePublic:
    """One evidence item's record: what it is, who captured it when, and the SHA-256 of the stored file."""
    async with runtime_of(request).uow() as uow:
        case = await get_case(uow, case_id, caller)
        item = await handlers.get_evidence(uow, case, evidence_id)
    return EvidencePublic.model_validate(item, from_attributes=True)
