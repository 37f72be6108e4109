"""HTTP entry points of a case's referrals to the police (涉嫌犯罪移送)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Head, Staff, created, settings_of
from services.cases.handlers import referrals as handlers
from services.cases.handlers.cases import get_case
from services.cases.schemas import ReferralCreate, ReferralPublic
from services.cases.tables import ReferralRequest
from shared import header_docs
from shared.messaging import UnitOfWork
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.post(
    "/{case_id}/referrals",
    status_code=201,
    operation_id="request_referral",
    response_model=ReferralPublic,
    responses=header_docs.created("get_referral_request", "referral_request_id", etag=False),
)
async def request_referral(case_id: str, body: ReferralCreate, request: Request, caller: Head) -> JSONResponse:
    """涉嫌犯罪移送 (the head's approval); serious-pollution thresholds met come back as ``threshold_hints``."""
    settings = settings_of(request)

    async def make(uow: UnitOfWork) -> ReferralRequest:
        case = await get_case(uow, case_id, caller)
        return await handlers.request_referral(
            uow, case, body, settings=settings, actor=caller.subject, correlation_id=correlation_id(request)
        )

    location = f"/api/v1/cases/{case_id}/referrals/{{id}}"
    return await created(request, caller, body, make, public=ReferralPublic, location=location)


@router.get(
    "/{case_id}/referrals/{referral_request_id}", operation_id="get_referral_request", response_model=ReferralPublic
)
async def get_referral(case_id: str, referral_request_id: str, request: Request, caller: Staff) -> ReferralPublic:
    """The referral request as the case recorded it; the police's answers are in the case history."""
    async with runtime_of(request).uow() as uow:
        case = await get_case(uow, case_id, caller)
        referral = await handlers.get_referral(uow, case, referral_request_id)
    return ReferralPublic.model_validate(referral, from_attributes=True)
