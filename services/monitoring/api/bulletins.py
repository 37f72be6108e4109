"""Bulletins (监测简报): build a draft, read it (JSON or HTML), publish it; and a town's daily AQI."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.monitoring.api.deps import Manager, Reader, change_with_if_match, standards_of
from services.monitoring.handlers import bulletins as handlers
from services.monitoring.handlers.statistics import town_air_of
from services.monitoring.schemas import (
    BulletinCreate,
    BulletinList,
    BulletinPosition,
    BulletinPublic,
    TownAqiPublic,
    daily_aqi_fields,
)
from services.monitoring.tables import Bulletin
from shared import header_docs
from shared.bounds import LegalDate
from shared.header_docs import IF_MATCH, versioned
from shared.http import decode_position, encode_cursor, etag_of
from shared.keyset import split
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/monitoring", tags=["bulletins"])


def _public(bulletin: Bulletin) -> BulletinPublic:
    return BulletinPublic.model_validate(bulletin, from_attributes=True)


def _out(bulletin: Bulletin, response: Response) -> BulletinPublic:
    response.headers["ETag"] = etag_of(bulletin.id, bulletin.version)
    return _public(bulletin)


@router.post(
    "/bulletins",
    operation_id="build_bulletin",
    status_code=201,
    response_model=BulletinPublic,
    responses=header_docs.created("get_bulletin", "bulletin_id"),
)
async def build(body: BulletinCreate, request: Request, response: Response, caller: Manager) -> BulletinPublic:
    """Build (or rebuild) the draft of a period from valid data."""
    async with runtime_of(request).uow() as uow:
        bulletin = await handlers.build_bulletin(
            uow, standards_of(request), kind=body.kind, start=body.period_start, actor=caller
        )
        await uow.commit()
    response.headers["Location"] = f"{router.prefix}/bulletins/{bulletin.id}"
    return _out(bulletin, response)


@router.get("/bulletins", operation_id="list_bulletins", response_model=BulletinList)
async def list_bulletins(
    request: Request,
    _caller: Reader,
    kind: str | None = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> BulletinList:
    """Bulletins, newest period first (drafts and published)."""
    position = decode_position(cursor, BulletinPosition)
    after = (position.period_start, position.id) if position else None
    async with runtime_of(request).uow() as uow:
        rows, last = split(await handlers.list_bulletins(uow, kind=kind, after=after, limit=limit), limit)
    return BulletinList(
        items=[_public(r) for r in rows],
        next_cursor=encode_cursor({"period_start": last.period_start, "id": last.id}) if last else None,
    )


@router.get(
    "/bulletins/{bulletin_id}",
    operation_id="get_bulletin",
    response_model=BulletinPublic,
    responses=versioned(),
)
async def get(bulletin_id: str, request: Request, response: Response, _caller: Reader) -> BulletinPublic:
    async with runtime_of(request).uow() as uow:
        return _out(await handlers.get_bulletin(uow, bulletin_id), response)


@router.get("/bulletins/{bulletin_id}/html", operation_id="get_bulletin_html", response_class=HTMLResponse)
async def get_html(bulletin_id: str, request: Request, _caller: Reader) -> HTMLResponse:
    async with runtime_of(request).uow() as uow:
        bulletin = await handlers.get_bulletin(uow, bulletin_id)
    return HTMLResponse(bulletin.html)


@router.post(
    "/bulletins/{bulletin_id}:publish",
    operation_id="publish_bulletin",
    response_model=BulletinPublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def publish(bulletin_id: str, request: Request, response: Response, caller: Manager) -> BulletinPublic:
    """发布: disclosure receives the bulletin (monitoring.bulletin.published.v1). Needs If-Match."""
    bulletin = await change_with_if_match(
        request,
        response,
        lambda uow: handlers.get_bulletin(uow, bulletin_id),
        lambda uow, found: handlers.publish_bulletin(uow, found, actor=caller, correlation_id=correlation_id(request)),
    )
    return _public(bulletin)


@router.get("/towns/{town}/aqi", operation_id="town_daily_aqi", response_model=TownAqiPublic)
async def town_aqi(town: str, on: LegalDate, request: Request, _caller: Reader) -> TownAqiPublic:
    """A town's daily AQI from the mean of its air stations' daily concentrations (valid data only)."""
    async with runtime_of(request).uow() as uow:
        stations, air = await town_air_of(uow, standards_of(request), town, on)
    return TownAqiPublic(
        town=town, day=on, stations=stations, pm25=air.pm25, **daily_aqi_fields(air.result, air.hourly)
    )
