"""HTTP entry point of a case's history (案件记录) from the hash-chained audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.cases.api.deps import Staff
from services.cases.handlers import history as handlers
from services.cases.handlers.cases import get_case
from services.cases.schemas import CaseHistory
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.get("/{case_id}/history", operation_id="case_history", response_model=CaseHistory)
async def case_history(case_id: str, request: Request, caller: Staff) -> CaseHistory:
    """Every state change of the case from the hash-chained audit log, and whether the chain is intact. ``action``
    is one of a closed set (see ``HistoryEntry``); a stage change names ``from_stage`` and ``to_stage``."""
    async with runtime_of(request).uow() as uow:
        case = await get_case(uow, case_id, caller)
        return await handlers.case_history(uow, case)
