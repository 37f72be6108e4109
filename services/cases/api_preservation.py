"""HTTP entry points of evidence registered and preserved (先行登记保存): record, dispose of, list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.cases import casework, preservation
from services.cases.case_tables import EvidencePreservation
from services.cases.casework import touch
from services.cases.record_schemas import PreservationCreate, PreservationDisposal, PreservationPublic
from services.cases.web import Officer, Staff, calendar_of, created, settings_of
from shared.http import require_if_match
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.post(
    "/{case_id}/preservations", status_code=201, operation_id="preserve_evidence", response_model=PreservationPublic
)
async def preserve_evidence(case_id: str, body: PreservationCreate, request: Request, caller: Officer) -> JSONResponse:
    """先行登记保存 with the head's approval; ``dispose_by`` is the 7th working day after (行政处罚法 §56, §85)."""

    async def make(uow: UnitOfWork) -> EvidencePreservation:
        case = await casework.get_case(uow, case_id, caller)
        return await preservation.preserve_evidence(
            uow, case, body, settings=settings_of(request), calendar=calendar_of(request), actor=caller.subject
        )

    location = f"/api/v1/cases/{case_id}/preservations/{{id}}"
    return await created(request, caller, body, make, public=PreservationPublic, location=location)


@router.get("/{case_id}/preservations", operation_id="list_preservations", response_model=list[PreservationPublic])
async def list_preservations(case_id: str, request: Request, caller: Staff) -> list[PreservationPublic]:
    """Each with its status: preserved, disposed, or lapsed (7 working days passed without a disposal)."""
    async with runtime_of(request).uow() as uow:
        await casework.get_case(uow, case_id, caller)
        rows = await preservation.list_preservations(uow, case_id)
    return [PreservationPublic.model_validate(r, from_attributes=True) for r in rows]


@router.post(
    "/{case_id}/preservations/{preservation_id}/disposal",
    operation_id="dispose_preserved_evidence",
    response_model=PreservationPublic,
)
async def dispose_preserved_evidence(
    case_id: str, preservation_id: str, body: PreservationDisposal, request: Request, caller: Officer
) -> JSONResponse:
    """处理决定 within 7 working days; 409 ``preservation-lapsed`` after them. Needs the case's If-Match."""
    async with runtime_of(request).uow() as uow:
        case = await casework.get_case(uow, case_id, caller)
        require_if_match(request, casework.case_etag(case))
        row = await preservation.dispose_evidence(
            uow, case, preservation_id, body, settings=settings_of(request), actor=caller.subject
        )
        touch(case)
        uow.session.add(case)
        await uow.commit()
    answer = PreservationPublic.model_validate(row, from_attributes=True).model_dump(mode="json")
    return JSONResponse(answer, headers={"ETag": casework.case_etag(case)})
