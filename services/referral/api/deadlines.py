"""Time-limit warnings (期限预警, ``/api/v1/referral/deadlines``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from services.referral.api.deps import DeadlinesDep, Reader
from services.referral.domain.deadlines import DeadlineState
from services.referral.handlers.deadlines import ATTENTION, deadline_view, deadlines_needing_attention
from services.referral.schemas import DeadlineWarningList, DeadlineWarningPublic
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/referral", tags=["referral"])


@router.get("/deadlines", operation_id="referral_deadlines", response_model=DeadlineWarningList)
async def deadlines(
    request: Request,
    caller: Reader,
    book: DeadlinesDep,
    state: Annotated[list[Literal["at_risk", "overdue"]] | None, Query(description="default: both")] = None,
) -> DeadlineWarningList:
    """期限预警: open limits of open referrals that are at risk or overdue, the most urgent first (an officer: its
    team's referrals)."""
    wanted = frozenset(DeadlineState(s) for s in state) if state else ATTENTION
    async with runtime_of(request).uow() as uow:
        found = await deadlines_needing_attention(uow, book, caller, now=datetime.now(UTC), states=wanted)
    return DeadlineWarningList(
        items=[
            DeadlineWarningPublic(
                referral_id=r.id,
                case_number=r.case_number,
                police_unit=r.police_unit,
                status=r.status,
                deadline=deadline_view(d, s),
            )
            for r, d, s in found
        ]
    )
