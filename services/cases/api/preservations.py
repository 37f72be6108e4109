"""HTTP entry points of evidence registered and preserved (先行登记保存): record, list, read, dispose of."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Officer, Staff, answer, calendar_of, changed, created, etag, settings_of, the_case
from services.cases.handlers import preservations as handlers
from services.cases.handlers.cases import get_case
from services.cases.schemas import PreservationCreate, PreservationDisposal, PreservationPublic
from services.cases.tables import Case, EvidencePreservation
from shared import header_docs
from shared.header_docs import IF_MATCH, versioned
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.post(
    "/{case_id}/preservations",
    status_code=201,
    operation_id="preserve_evidence",
    response_model=PreservationPublic,
    responses=header_docs.created("get_preservation", "preservation_id"),
)
async def preserve_evidence(case_id: str, body: PreservationCreate, request: Request, caller: Officer) -> JSONResponse:
    """先行登记保存 with the head's approval; ``dispose_by`` is the 7th working day after (行政处罚法 §56, §85).
    The ETag is the case's: its disposal is a change of the case."""
    settings, calendar = settings_of(request), calendar_of(request)
    cases: list[Case] = []

    async def make(uow: UnitOfWork) -> EvidencePreservation:
        cases.append(await get_case(uow, case_id, caller))
        return await handlers.preserve_evidence(
            uow, cases[0], body, settings=settings, calendar=calendar, actor=caller.subject
        )

    location = f"/api/v1/cases/{case_id}/preservations/{{id}}"
    return await created(
        request, caller, body, make, public=PreservationPublic, location=location, tag=lambda: etag(cases[0])
    )


@router.get("/{case_id}/preservations", operation_id="list_preservations", response_model=list[PreservationPublic])
async def list_preservations(case_id: str, request: Request, caller: Staff) -> list[PreservationPublic]:
    """Each with its status: preserved, disposed, or lapsed (7 working days passed without a disposal)."""
    async with runtime_of(request).uow() as uow:
        await get_case(uow, case_id, caller)
        rows = await handlers.list_preservations(uow, case_id)
    return [PreservationPublic.model_validate(r, from_attributes=True) for r in rows]


@router.get(
    "/{case_id}/preservations/{preservation_id}",
    operation_id="get_preservation",
    response_model=PreservationPublic,
    responses=versioned(),
)
async def get_preservation(case_id: str, preservation_id: str, request: Request, caller: Staff) -> JSONResponse:
    """One preservation with its status; its disposal changes the case, so the ETag (for If-Match) is the case's."""
    async with runtime_of(request).uow() as uow:
        case = await get_case(uow, case_id, caller)
        row = await handlers.get_preservation(uow, case, preservation_id)
    return answer(row, PreservationPublic, tag=etag(case))


@router.post(
    "/{case_id}/preservations/{preservation_id}/disposal",
    operation_id="dispose_preserved_evidence",
    response_model=PreservationPublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def dispose_preserved_evidence(
    case_id: str, preservation_id: str, body: PreservationDisposal, request: Request, caller: Officer
) -> JSONResponse:
    """处理决定 within 7 working days; 409 ``preservation-lapsed`` after them. Needs the case's If-Match; the answer
    carries the case's new ETag."""
    settings = settings_of(request)

    async def change(uow: UnitOfWork, case: Case) -> EvidencePreservation:
        return await handlers.dispose_evidence(
            uow, case, preservation_id, body, settings=settings, actor=caller.subject
        )

    return await changed(request, the_case(case_id, caller), change, public=PreservationPublic)
