"""Portal pages (``/portal``): the same redacted public model as the API, rendered as accessible HTML."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.disclosure.api.deps import Year
from services.disclosure.handlers import annual_reports, queries
from services.disclosure.handlers.public import KIND_LABELS, public_decision, public_notice
from services.disclosure.handlers.queries import PublicFilters
from services.disclosure.portal.bulletin import bulletin_body
from services.disclosure.public_cache import cached
from services.disclosure.settings import DisclosureSettings
from shared.bounds import legal_date
from shared.contracts.common import DecisionKind
from shared.documents.decisions import penalty_lines
from shared.problems import Problem
from shared.service import runtime_of

# Documented as HTML pages (text/html), so the OpenAPI document lists every public route.
router = APIRouter(prefix="/portal", tags=["portal"], default_response_class=HTMLResponse)

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
# No script runs on these pages, not even inside a bulletin's HTML.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
}
PAGE_SIZE = 20


def penalty_text(kind: DecisionKind, penalty: Any) -> str:
    """处罚结果 as the public decision document states it: each penalty once (the fine not beside a summary that
    says it again)."""
    return "；".join(penalty_lines(penalty.model_dump(mode="json"), kind))


TEMPLATES.globals["penalty_text"] = penalty_text


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def page(request: Request, template: str, **context: Any) -> Response:
    settings: DisclosureSettings = request.app.state.settings
    html = TEMPLATES.get_template(template).render(authority=settings.authority, yuan=yuan, **context)
    response = cached(request, html, "text/html; charset=utf-8")
    response.headers.update(SECURITY_HEADERS)
    return response


def _blank_is_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def portal_filters(
    kind: Annotated[str | None, Query(max_length=40)] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    credit_code: Annotated[str | None, Query(max_length=18)] = None,
    town: Annotated[str | None, Query(max_length=50)] = None,
) -> PublicFilters:
    """The search form sends every field, empty ones as empty strings: those mean "any"."""
    try:
        chosen = _blank_is_none(kind)
        start, end = _blank_is_none(date_from), _blank_is_none(date_to)
        return PublicFilters(
            kind=DecisionKind(chosen) if chosen else None,
            date_from=legal_date(date.fromisoformat(start)) if start else None,
            date_to=legal_date(date.fromisoformat(end)) if end else None,
            q=_blank_is_none(q),
            credit_code=_blank_is_none(credit_code),
            town=_blank_is_none(town),
        )
    except ValueError as exc:
        raise Problem(400, f"查询条件有误 Invalid search: {exc}", slug="invalid-search") from exc


PortalFilters = Annotated[PublicFilters, Depends(portal_filters)]


def _next_url(filters: PublicFilters, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = {
        "kind": filters.kind.value if filters.kind else None,
        "from": filters.date_from,
        "to": filters.date_to,
        "q": filters.q,
        "town": filters.town,
        "credit_code": filters.credit_code,
        "cursor": cursor,
    }
    return "/portal/?" + urlencode({k: str(v) for k, v in params.items() if v})


@router.get("")
@router.get("/")
async def decisions(
    request: Request, filters: PortalFilters, cursor: Annotated[str | None, Query(max_length=200)] = None
) -> Response:
    async with runtime_of(request).uow() as uow:
        rows, next_cursor = await queries.public_decisions(uow, filters, cursor=cursor, limit=PAGE_SIZE)
    return page(
        request,
        "list.html",
        items=[public_decision(r) for r in rows],
        filters=filters,
        kinds=list(KIND_LABELS.items()),
        next_url=_next_url(filters, next_cursor),
        first_page=cursor is None,
    )


@router.get("/decisions/{publication_id}")
async def decision(publication_id: str, request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        row = await queries.public_decision_row(uow, publication_id)
    return page(request, "decision.html", item=public_decision(row))


@router.get("/withdrawn")
async def withdrawn(request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        notices = [public_notice(n) for n in await queries.public_notices(uow)]
    return page(request, "withdrawn.html", notices=notices)


# The kinds of monitoring bulletins, as the list page offers them (daily bulletins would crowd out the rest).
BULLETIN_KINDS = {
    "air_daily": "空气质量日报",
    "air_weekly": "空气质量周报",
    "air_monthly": "空气质量月报",
    "water_monthly": "地表水水质月报",
    "noise_annual": "声环境质量年报",
}
BulletinKind = Literal["air_daily", "air_weekly", "air_monthly", "water_monthly", "noise_annual"]


@router.get("/bulletins")
async def bulletins(request: Request, kind: BulletinKind | None = None) -> Response:
    async with runtime_of(request).uow() as uow:
        rows = await queries.bulletins(uow, kind=kind)
    return page(request, "bulletins.html", bulletins=rows, kinds=BULLETIN_KINDS, kind=kind)


@router.get("/bulletins/{bulletin_id}")
async def bulletin(bulletin_id: str, request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        row = await queries.bulletin(uow, bulletin_id)
    return page(request, "bulletin.html", bulletin=row, body=bulletin_body(row.html))


@router.get("/reports")
async def reports_page(request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        rows = await annual_reports.published_reports(uow)
    return page(request, "reports.html", reports=rows)


@router.get("/reports/{year}")
async def report_page(year: Year, request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        report = await annual_reports.published_report(uow, year)
    return page(request, "report.html", report=report)
