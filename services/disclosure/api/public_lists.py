"""The public API of the before-enforcement publication (事前公开): the lists and their versions, the officer list
on a day and its changes, the enforcement statistics. No token; ETag, Cache-Control and 304 as the rest of
``/public/v1``. The list routes are made in a loop, one pair per list (typed by its schema)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.disclosure.api.deps import Settings, Today, Year
from services.disclosure.domain.before_enforcement import Period, release_title
from services.disclosure.handlers import enforcement_lists, officers_public, statistics_public
from services.disclosure.handlers.enforcement_lists import LIST_KINDS, ListKind
from services.disclosure.public_cache import cached
from services.disclosure.schemas import (
    ListVersionList,
    PublicOfficerChangeList,
    PublicOfficerList,
    StatisticsReleaseList,
    StatisticsReleasePublic,
    StatisticsReleaseSummary,
)
from shared.bounds import LegalDate
from shared.http import MAX_LIMIT
from shared.service import runtime_of

router = APIRouter(prefix="/public/v1", tags=["public"])
JSON = "application/json"


def _add_list_routes(kind: ListKind) -> None:
    name = kind.slug.replace("-", "_")

    async def read(
        request: Request,
        version: Annotated[
            int | None, Query(ge=1, le=1_000_000, description="an earlier version; default the newest")
        ] = None,
    ) -> Response:
        async with runtime_of(request).uow() as uow:
            view = await enforcement_lists.published_list(uow, kind, version)
        return cached(request, view.model_dump_json(), JSON)

    async def versions(request: Request) -> Response:
        async with runtime_of(request).uow() as uow:
            history = await enforcement_lists.list_versions(uow, kind)
        return cached(request, history.model_dump_json(), JSON)

    read.__doc__ = f"{kind.title}: the newest version, or the one asked for (404 if none)."
    versions.__doc__ = f"{kind.title}的历史版本, newest first."
    router.add_api_route(
        f"/enforcement-lists/{kind.slug}",
        read,
        methods=["GET"],
        operation_id=f"public_{name}",
        response_model=None,
        responses={200: {"model": kind.public}},
        summary=kind.title,
    )
    router.add_api_route(
        f"/enforcement-lists/{kind.slug}/versions",
        versions,
        methods=["GET"],
        operation_id=f"public_{name}_versions",
        response_model=None,
        responses={200: {"model": ListVersionList}},
        summary=f"{kind.title}（历史版本）",
    )


for _kind in LIST_KINDS:
    _add_list_routes(_kind)


@router.get(
    "/officers",
    operation_id="public_officers",
    response_model=None,
    responses={200: {"model": PublicOfficerList}},
    summary="执法人员名单",
)
async def officers(
    request: Request,
    settings: Settings,
    today: Today,
    as_of: Annotated[
        LegalDate | None, Query(description="the list as it stood at the end of this day; default today")
    ] = None,
) -> Response:
    """Name, 执法证号, unit, team, valid period and status of each active officer (事前公开); a deactivated officer is
    on the lists of the days before it left."""
    async with runtime_of(request).uow() as uow:
        listed = await officers_public.officer_list(uow, as_of=as_of or today, timezone=settings.timezone)
    return cached(request, listed.model_dump_json(), JSON)


@router.get(
    "/officers/changes",
    operation_id="public_officer_changes",
    response_model=None,
    responses={200: {"model": PublicOfficerChangeList}},
    summary="执法人员名单变更",
)
async def officer_changes(
    request: Request, settings: Settings, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100
) -> Response:
    async with runtime_of(request).uow() as uow:
        items = await officers_public.officer_changes(uow, timezone=settings.timezone, limit=limit)
    return cached(request, PublicOfficerChangeList(items=items).model_dump_json(), JSON)


@router.get(
    "/enforcement-statistics",
    operation_id="public_enforcement_statistics",
    response_model=None,
    responses={200: {"model": StatisticsReleaseList}},
    summary="执法统计季报、年报",
)
async def statistics_releases(request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        rows = await statistics_public.releases(uow)
    items = [
        StatisticsReleaseSummary(
            year=r.year,
            period=r.period,
            title=release_title(r.year, r.period),  # type: ignore[arg-type]
            published_on=r.published_on,
        )
        for r in rows
    ]
    return cached(request, StatisticsReleaseList(items=items).model_dump_json(), JSON)


@router.get(
    "/enforcement-statistics/{year}/{period}",
    operation_id="public_enforcement_statistics_release",
    response_model=None,
    responses={200: {"model": StatisticsReleasePublic}},
    summary="执法统计（单期）",
)
async def statistics_release(
    year: Year,
    period: Period,
    request: Request,
    version: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="an earlier version; default the newest")
    ] = None,
) -> Response:
    """The newest figures of the period, or an earlier version's (republished with corrected figures)."""
    async with runtime_of(request).uow() as uow:
        row = await statistics_public.release(uow, year, period, version)
    return cached(request, statistics_public.public_release(row).model_dump_json(), JSON)
