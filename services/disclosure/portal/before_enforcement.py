"""Portal pages of the before-enforcement publication (事前公开): the officer list (on a day), the lists the
editor keeps with their versions, and the enforcement statistics — the public API's model, rendered as HTML."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.disclosure.api.deps import Settings, Today, Year
from services.disclosure.domain.before_enforcement import Period
from services.disclosure.handlers import enforcement_lists, officers_public, statistics_public
from services.disclosure.handlers.enforcement_lists import BY_SLUG, LIST_KINDS
from services.disclosure.portal.pages import page
from shared.bounds import legal_date
from shared.errors import NotFound
from shared.problems import Problem
from shared.service import runtime_of

router = APIRouter(prefix="/portal", tags=["portal"], default_response_class=HTMLResponse)
CHANGES_SHOWN = 50
STATISTICS_ROWS = (
    ("inspections", "执法检查（次）"),
    ("leads", "案件线索（条）"),
    ("cases_filed", "立案（件）"),
    ("cases_closed", "结案（件）"),
    ("review_meetings", "案件审议会（次）"),
    ("cases_reviewed", "审议案件（件）"),
)
KIND_ROWS = (
    ("penalty", "行政处罚决定"),
    ("seizure", "查封扣押决定"),
    ("yellow_card", "“黄牌”警示"),
    ("order_to_correct", "责令改正决定"),
    ("daily_penalty", "按日连续处罚决定"),
    ("production_restriction", "限产、停产整治决定"),
)
MEDIUM_ROWS = (
    ("water", "水"),
    ("air", "大气"),
    ("soil", "土壤"),
    ("solid_waste", "固体废物"),
    ("noise", "噪声"),
    ("radiation", "辐射"),
    ("other", "其他"),
)


@router.get("/before-enforcement")
async def index(request: Request) -> Response:
    """事前公开: what the bureau publishes before it enforces."""
    return page(request, "before_enforcement.html", lists=LIST_KINDS)


def _day(value: str | None) -> date | None:
    """The date form sends an empty string for "today"."""
    if value is None or not value.strip():
        return None
    try:
        return legal_date(date.fromisoformat(value.strip()))
    except ValueError as exc:
        raise Problem(400, f"日期有误 Invalid date: {exc}", slug="invalid-search") from exc


@router.get("/officers")
async def officers(
    request: Request,
    settings: Settings,
    today: Today,
    as_of: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD; default today")] = None,
) -> Response:
    day = _day(as_of) or today
    async with runtime_of(request).uow() as uow:
        listed = await officers_public.officer_list(uow, as_of=day, timezone=settings.timezone)
        changes = await officers_public.officer_changes(uow, timezone=settings.timezone, limit=CHANGES_SHOWN)
    return page(request, "officers.html", listed=listed, changes=changes, today=today)


@router.get("/enforcement-lists/{slug}")
async def enforcement_list(
    slug: str,
    request: Request,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    kind = BY_SLUG.get(slug)
    if kind is None:
        raise NotFound("没有这份清单 No such list")
    async with runtime_of(request).uow() as uow:
        shown = await enforcement_lists.published_list(uow, kind, version)
        history = await enforcement_lists.list_versions(uow, kind)
    latest = history.items[0].version if history.items else None
    return page(request, "enforcement_list.html", shown=shown, history=history, latest=latest)


@router.get("/statistics")
async def statistics_index(request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        rows = await statistics_public.releases(uow)
    return page(request, "statistics_list.html", releases=[statistics_public.public_release(r) for r in rows])


@router.get("/statistics/{year}/{period}")
async def statistics_page(year: Year, period: Period, request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        row = await statistics_public.release(uow, year, period)
    return page(
        request,
        "statistics.html",
        release=statistics_public.public_release(row),
        rows=STATISTICS_ROWS,
        kinds=KIND_ROWS,
        media=MEDIUM_ROWS,
    )
