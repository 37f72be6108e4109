"""Referrals (移送案件) as staff read them (``/api/v1/referral/referrals``)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.referral.api.deps import ETAG_HEADER, DeadlinesDep, Reader, SettingsDep, referral_etag
from services.referral.domain.steps import Status
from services.referral.handlers import referrals as handlers
from services.referral.handlers.read_models import staff_views
from services.referral.handlers.transfer_letter import transfer_letter_pdf
from services.referral.schemas import ReferralStaff, ReferralStaffList
from shared.documents.response import PDF_ANSWER, pdf_response
from shared.http import MAX_LIMIT
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/referral", tags=["referral"])


@router.get("/referrals", operation_id="list_referrals", response_model=ReferralStaffList)
async def list_referrals(
    request: Request,
    caller: Reader,
    deadlines: DeadlinesDep,
    status: Annotated[Status | None, Query()] = None,
    case_id: Annotated[str | None, Query(max_length=36)] = None,
    police_unit: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> ReferralStaffList:
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
        items = await staff_views(uow, deadlines, rows[:limit])
    return ReferralStaffList(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


@router.get(
    "/referrals/{referral_id}",
    operation_id="get_referral",
    response_model=ReferralStaff,
    responses={200: {"headers": ETAG_HEADER}},
)
async def get_referral(
    referral_id: str, request: Request, response: Response, caller: Reader, deadlines: DeadlinesDep
) -> ReferralStaff:
    """An officer reaches its own team's referrals only (another team's: 404, as if absent). The `ETag` is what
    a step sends back as `If-Match`."""
    async with runtime_of(request).uow() as uow:
        referral = await handlers.get_referral(uow, referral_id, caller)
        [view] = await staff_views(uow, deadlines, [referral])
    response.headers["ETag"] = referral_etag(referral)
    return view


@router.get(
    "/referrals/{referral_id}/transfer-letter.pdf",
    operation_id="get_transfer_letter",
    response_class=Response,
    responses=PDF_ANSWER,
    summary="涉嫌犯罪案件移送书 The transfer letter (PDF)",
)
async def get_transfer_letter(referral_id: str, request: Request, caller: Reader, settings: SettingsDep) -> Response:
    """The transfer letter to the police unit with the materials list and the copy line to the procuratorate,
    from the referral as recorded (its number once given at the transfer). Reached like the referral itself."""
    async with runtime_of(request).uow() as uow:
        referral = await handlers.get_referral(uow, referral_id, caller)
    pdf = await asyncio.to_thread(transfer_letter_pdf, referral, settings)
    return pdf_response(pdf, stem=f"transfer-letter-{referral.id}")
