"""Portal pages of random inspections (双随机、一公开): the year's plan and draws, and each draw with its
commitment, revealed seed, inputs, result and the inspections' results — the same public model as the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.disclosure.domain.draws import (
    CATEGORY_LABELS,
    EXCLUSION_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    period_label,
    rate_label,
)
from services.disclosure.handlers import draws
from services.disclosure.handlers.publications import local_today
from services.disclosure.portal.pages import page
from shared.service import runtime_of

router = APIRouter(prefix="/portal", tags=["portal"], default_response_class=HTMLResponse)

LABELS = {
    "categories": CATEGORY_LABELS,
    "outcomes": OUTCOME_LABELS,
    "statuses": STATUS_LABELS,
    "exclusions": EXCLUSION_LABELS,
}


def beijing(moment: datetime | None) -> str:
    """A published time in Beijing time, to the minute."""
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M") if moment else ""


@router.get("/inspections")
async def inspections(
    request: Request, year: Annotated[int | None, Query(ge=2000, le=2100, description="年度")] = None
) -> Response:
    async with runtime_of(request).uow() as uow:
        years = await draws.draw_years(uow)
        chosen = year or (years[0] if years else local_today(request.app.state.settings.timezone).year)
        rows = await draws.public_draws(uow, year=chosen, category=None)
        rates = await draws.rates_of_year(uow, chosen)
    return page(
        request,
        "inspections.html",
        year=chosen,
        years=years,
        draws=[draws.draw_summary(r) for r in rows],
        plan=draws.plan_of(chosen, rows, rates),
        period_label=period_label,
        rate_label=rate_label,
        beijing=beijing,
        **LABELS,
    )


@router.get("/inspections/{draw_id}")
async def inspection_draw(draw_id: str, request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        row, drawn = await draws.public_draw(uow, draw_id)
    return page(
        request,
        "inspection_draw.html",
        draw=draws.draw_public(row, drawn),
        period_label=period_label,
        beijing=beijing,
        **LABELS,
    )
