"""The public API (``/public/v1``): no token, cached (ETag, Cache-Control, 304), CORS for configured origins.

Every answer is built from the redacted public model (``handlers.public``): decisions (JSON, CSV, Atom),
withdrawal notices, monitoring bulletins and the annual reports.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from services.disclosure.api.deps import Settings, Year
from services.disclosure.handlers import annual_reports, queries
from services.disclosure.handlers.documents import public_document
from services.disclosure.handlers.public import (
    latest_decisions,
    public_decision,
    public_notice,
    render_atom,
    render_csv,
)
from services.disclosure.handlers.queries import PublicFilters
from services.disclosure.public_cache import cached, cached_page
from services.disclosure.schemas import (
    AnnualReportList,
    AnnualReportPublic,
    AnnualReportSummary,
    PublicBulletin,
    PublicBulletinList,
    PublicDecision,
    PublicDecisionList,
    PublicNoticeList,
)
from shared.bounds import LegalDate
from shared.contracts.common import DecisionKind
from shared.documents import PDF_MEDIA_TYPE
from shared.documents.response import PDF_ANSWER, download_headers
from shared.http import MAX_LIMIT
from shared.service import runtime_of

router = APIRouter(prefix="/public/v1", tags=["public"])

CSV_MAX_ROWS = 5000
ATOM_ENTRIES = 50
JSON = "application/json"


async def public_filters(
    kind: Annotated[DecisionKind | None, Query(description="决定种类")] = None,
    date_from: Annotated[LegalDate | None, Query(alias="from", description="决定日期起")] = None,
    date_to: Annotated[LegalDate | None, Query(alias="to", description="决定日期止")] = None,
    q: Annotated[str | None, Query(max_length=100, description="当事人名称或违法事实")] = None,
    credit_code: Annotated[str | None, Query(max_length=18, description="统一社会信用代码")] = None,
    town: Annotated[str | None, Query(max_length=50, description="街镇")] = None,
) -> PublicFilters:
    return PublicFilters(
        kind=kind, date_from=date_from, date_to=date_to, q=q or None, credit_code=credit_code, town=town
    )


Filters = Annotated[PublicFilters, Depends(public_filters)]


@router.get(
    "/decisions",
    operation_id="public_list_decisions",
    response_model=None,
    responses={200: {"model": PublicDecisionList}},
    summary="公示的行政执法决定",
)
async def list_decisions(
    request: Request,
    filters: Filters,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> Response:
    async def render() -> str:
        async with runtime_of(request).uow() as uow:
            rows, next_cursor = await queries.public_decisions(uow, filters, cursor=cursor, limit=limit)
        return PublicDecisionList(items=[public_decision(r) for r in rows], next_cursor=next_cursor).model_dump_json()

    return await cached_page(request, ("decisions", filters, cursor, limit), JSON, render)


@router.get(
    "/decisions.csv",
    operation_id="public_decisions_csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a byte-order mark"}},
    summary="公示的行政执法决定 (CSV)",
)
async def decisions_csv(request: Request, filters: Filters) -> Response:
    async def render() -> str:
        async with runtime_of(request).uow() as uow:
            return render_csv(await latest_decisions(uow, filters, limit=CSV_MAX_ROWS))

    response = await cached_page(request, ("csv", filters), "text/csv; charset=utf-8", render)
    response.headers["Content-Disposition"] = 'attachment; filename="decisions.csv"'
    return response


@router.get(
    "/decisions.atom",
    operation_id="public_decisions_atom",
    response_class=Response,
    responses={
        200: {
            "content": {"application/atom+xml": {"schema": {"type": "string"}}},
            "description": "Atom 1.0 feed of the latest 50",
        }
    },
    summary="公示的行政执法决定 (Atom)",
)
async def decisions_atom(request: Request, filters: Filters, settings: Settings) -> Response:
    # Links start with the configured public address, never the request's Host: the feed is cached publicly.
    base = settings.public_links_base()

    async def render() -> str:
        async with runtime_of(request).uow() as uow:
            items = await latest_decisions(uow, filters, limit=ATOM_ENTRIES)
        feed_url, portal_url = f"{base}/public/v1/decisions.atom", f"{base}/portal"
        return render_atom(items, feed_url=feed_url, portal_url=portal_url, authority=settings.authority)

    return await cached_page(request, ("atom", filters), "application/atom+xml; charset=utf-8", render)


@router.get(
    "/decisions/{publication_id}.pdf",
    operation_id="public_decision_document",
    response_class=Response,
    responses=PDF_ANSWER,
    summary="公开版决定书 (PDF)",
)
async def get_decision_document(publication_id: str, request: Request) -> Response:
    """The decision document in its public version: rendered from the published, redacted text only (the same
    as the JSON), as a download. 404 when not published or withdrawn."""

    async def render() -> bytes:
        async with runtime_of(request).uow() as uow:
            row = await queries.public_decision_row(uow, publication_id)
        return await asyncio.to_thread(public_document, public_decision(row))

    headers = download_headers(f"decision-{publication_id}")
    return await cached_page(request, ("document", publication_id), PDF_MEDIA_TYPE, render, headers=headers)


@router.get(
    "/decisions/{publication_id}",
    operation_id="public_get_decision",
    response_model=None,
    responses={200: {"model": PublicDecision}},
    summary="公示的行政执法决定（单件）",
)
async def get_decision(publication_id: str, request: Request) -> Response:
    async def render() -> str:
        async with runtime_of(request).uow() as uow:
            row = await queries.public_decision_row(uow, publication_id)
        return public_decision(row).model_dump_json()

    return await cached_page(request, ("decision", publication_id), JSON, render)


@router.get(
    "/withdrawals",
    operation_id="public_withdrawals",
    response_model=None,
    responses={200: {"model": PublicNoticeList}},
    summary="撤回公告",
)
async def withdrawals(request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        notices = [public_notice(n).model_dump(mode="json") for n in await queries.public_notices(uow)]
    return cached(request, json.dumps({"items": notices}, ensure_ascii=False), JSON)


@router.get(
    "/bulletins",
    operation_id="public_bulletins",
    response_model=None,
    responses={200: {"model": PublicBulletinList}},
    summary="环境监测简报",
)
async def list_bulletins(
    request: Request,
    kind: Annotated[
        str | None, Query(pattern="^(air_daily|air_weekly|air_monthly|water_monthly|noise_annual)$")
    ] = None,
) -> Response:
    async with runtime_of(request).uow() as uow:
        rows = await queries.bulletins(uow, kind=kind)
    items = [PublicBulletin.model_validate(r, from_attributes=True).model_copy(update={"html": None}) for r in rows]
    body = json.dumps({"items": [i.model_dump(mode="json") for i in items]}, ensure_ascii=False)
    return cached(request, body, JSON)


@router.get(
    "/bulletins/{bulletin_id}",
    operation_id="public_bulletin",
    response_model=None,
    responses={200: {"model": PublicBulletin}},
    summary="环境监测简报（单期）",
)
async def get_bulletin(bulletin_id: str, request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        row = await queries.bulletin(uow, bulletin_id)
    return cached(request, PublicBulletin.model_validate(row, from_attributes=True).model_dump_json(), JSON)


@router.get(
    "/reports",
    operation_id="public_reports",
    response_model=None,
    responses={200: {"model": AnnualReportList}},
    summary="年度执法工作报告",
)
async def list_reports(request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        rows = await annual_reports.published_reports(uow)
    items = [AnnualReportSummary(year=r.year, title=r.data.get("title"), published_on=r.published_on) for r in rows]
    return cached(request, AnnualReportList(items=items).model_dump_json(), JSON)


@router.get(
    "/reports/{year}",
    operation_id="public_report",
    response_model=None,
    responses={200: {"model": AnnualReportPublic}},
    summary="年度执法工作报告（单年）",
)
async def get_report(year: Year, request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        report = await annual_reports.published_report(uow, year)
    body = {**report.data, "published_on": report.published_on, "version": report.version}
    return cached(request, AnnualReportPublic.model_validate(body).model_dump_json(), JSON)
