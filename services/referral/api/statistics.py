"""Yearly referral statistics for the annual report (年度统计, ``/api/v1/referral/statistics``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.referral.api.deps import Reader
from services.referral.handlers.statistics import statistics_for_year
from services.referral.schemas import YearStatisticsPublic
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/referral", tags=["referral"])


@router.get("/statistics", operation_id="referral_statistics", response_model=YearStatisticsPublic)
async def statistics(
    request: Request, _caller: Reader, year: Annotated[int, Query(ge=2000, le=2100)]
) -> YearStatisticsPublic:
    """Referrals sent in the year, by medium, by outcome, and days from transfer to the police's first decision."""
    async with runtime_of(request).uow() as uow:
        found = await statistics_for_year(uow, year)
    return YearStatisticsPublic.model_validate(found, from_attributes=True)
