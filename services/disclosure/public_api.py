"""The public API (``/public/v1``): no token, cached (ETag, Cache-Control, 304), CORS for configured origins.

Every answer is built from the redacted public model in ``views``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from services.disclosure import queries
from services.disclosure.public_cache import body_etag, cached_page
from services.disclosure.queries import PublicFilters
from services.disclosure.settings import DisclosureSettings
from services.disclosure.views import (
    PublicDecision,
    PublicDecisionList,
    PublicNoticeList,
    public_decision,
    public_notice,
    render_atom,
    render_csv,
)
from shared.bounds import LegalDate
from shared.contracts.common import DecisionKind
from shared.http import MAX_LIMIT, not_modified
from shared.service import runtime_of

router = APIRouter(prefix="/public/v1", tags=["public"])

CSV_MAX_ROWS = 5000
ATOM_ENTRIES = 50


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


def cached(request: Request, body: str | bytes, media_type: str) -> Response:
    """Public reads carry a strong ETag of the body and a short shared cache lifetime; a match is a 304."""
    settings: DisclosureSettings = request.app.state.settings
    raw = body.encode() if isinstance(body, str) else body
    etag = body_etag(raw)
    cache_control = f"public, max-age={settings.public_cache_seconds}"
    unchanged = not_modified(request, etag, cache_control=cache_control)
    if unchanged is not None:
        return unchanged
    return Response(raw, media_type=media_type, headers={"ETag": etag, "Cache-Control": cache_control})


async def matching(request: Request, filters: PublicFilters, *, limit: int) -> list[PublicDecision]:
    """Up to ``limit`` matching decisions, newest first, walking the pages."""
    items: list[PublicDecision] = []
    cursor: str | None = None
    async with runtime_of(request).uow() as uow:
        while len(items) < limit:
            rows, cursor = await queries.public_decisions(uow, filters, cursor=cursor, limit=min(MAX_LIMIT, limit))
            items.extend(public_decision(r) for r in rows)
            if cursor is None:
                break
    return items[:limit]


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

    return await cached_page(request, ("decisions", filters, cursor, limit), "application/json", render)


@router.get(
    "/decisions.csv", operation_id="public_decisions_csv", response_class=Response, summary="公示的行政执法决定 (CSV)"
)
async def decisions_csv(request: Request, filters: Filters) -> Response:
    async def render() -> str:
        return render_csv(await matching(request, filters, limit=CSV_MAX_ROWS))

    response = await cached_page(request, ("csv", filters), "text/csv; charset=utf-8", render)
    response.headers["Content-Disposition"] = 'attachment; filename="decisions.csv"'
    return response


@router.get(
    "/decisions.atom",
    operation_id="public_decisions_atom",
    response_class=Response,
    summary="公示的行政执法决定 (Atom)",
)
async def decisions_atom(request: Request, filters: Filters) -> Response:
    # Links start with the configured public address, never the request's Host: the feed is cached publicly.
    settings: DisclosureSettings = request.app.state.settings
    base = settings.public_links_base()

    async def render() -> str:
        items = await matching(request, filters, limit=ATOM_ENTRIES)
        feed_url, portal_url = f"{base}/public/v1/decisions.atom", f"{base}/portal"
        return render_atom(items, feed_url=feed_url, portal_url=portal_url, authority=settings.authority)

    return await cached_page(request, ("atom", filters), "application/atom+xml; charset=utf-8", render)


@router.get(
    "/decisions/{publication_id}",
    operation_id="public_get_decision",
    response_model=None,
    responses={200: {"model": PublicDecision}},
)
async def get_decision(publication_id: str, request: Request) -> Response:
    async def render() -> str:
        async with runtime_of(request).uow() as uow:
            row = await queries.public_decision_row(uow, publication_id)
        return public_decision(row).model_dump_json()

    return await cached_page(request, ("decision", publication_id), "application/json", render)


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
    return cached(request, json.dumps({"items": notices}, ensure_ascii=False), "application/json")


class PublicBulletin(BaseModel):
    """监测简报."""

    id: str
    kind: str
    period_start: date
    period_end: date
    title: str
    summary: str
    html: str | None = Field(default=None, description="the bulletin as Chinese HTML (single bulletin only)")


class PublicBulletinList(BaseModel):
    items: list[PublicBulletin]


@router.get(
    "/bulletins",
    operation_id="public_bulletins",
    response_model=None,
    responses={200: {"model": PublicBulletinList}},
    summary="环境监测简报",
)
async def list_bulletins(
    request: Request,
    kind: Annotated[str | None, Query(pattern="^(air_daily|air_weekly|air_monthly|water_monthly)$")] = None,
) -> Response:
    async with runtime_of(request).uow() as uow:
        rows = await queries.bulletins(uow, kind=kind)
    items = [PublicBulletin.model_validate(r, from_attributes=True).model_copy(update={"html": None}) for r in rows]
    body = json.dumps({"items": [i.model_dump(mode="json") for i in items]}, ensure_ascii=False)
    return cached(request, body, "application/json")


@router.get(
    "/bulletins/{bulletin_id}",
    operation_id="public_bulletin",
    response_model=None,
    responses={200: {"model": PublicBulletin}},
)
async def get_bulletin(bulletin_id: str, request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        row = await queries.bulletin(uow, bulletin_id)
    return cached(
        request, PublicBulletin.model_validate(row, from_attributes=True).model_dump_json(), "application/json"
    )
