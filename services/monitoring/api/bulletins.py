"""Bulletins (监测简报): build a draft, read it (JSON or HTML), publish it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import select

from services.monitoring.api.deps import Manager, Reader, standards_of
from services.monitoring.handlers import bulletins as handlers
from services.monitoring.handlers import queries
from services.monitoring.handlers.stations import stations_by_code
from services.monitoring.handlers.statistics import town_daily_air
from services.monitoring.schemas import BulletinOut, BulletinPosition, BulletinRequest
from services.monitoring.tables import Bulletin, Station
from shared.bounds import LegalDate
from shared.http import decode_position, encode_cursor, etag_of, require_if_match
from shared.keyset import split
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/monitoring", tags=["bulletins"])


def _out(bulletin: Bulletin, response: Response) -> BulletinOut:
    response.headers["ETag"] = etag_of(bulletin.id, bulletin.version)
    return BulletinOut.model_validate(bulletin, from_attributes=True)


@router.post("/bulletins", operation_id="build_bulletin", status_code=201, response_model=BulletinOut)
async def build(body: BulletinRequest, request: Request, response: Response, caller: Manager) -> BulletinOut:
    """Build (or rebuild) the draft of a period from valid data."""
    async with runtime_of(request).uow() as uow:
        bulletin = await handlers.build_bulletin(
            uow, standards_of(request), kind=body.kind, start=body.period_start, actor=caller
        )
        await uow.commit()
    return _out(bulletin, response)


@router.get("/bulletins", operation_id="list_bulletins")
async def list_bulletins(
    request: Request,
    _caller: Reader,
    kind: str | None = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Bulletins, newest period first (drafts and published)."""
    position = decode_position(cursor, BulletinPosition)
    after = (position.period_start, position.id) if position else None
    async with runtime_of(request).uow() as uow:
        rows, last = split(await queries.list_bulletins(uow, kind=kind, after=after, limit=limit), limit)
    items = [BulletinOut.model_validate(r, from_attributes=True).model_dump(mode="json") for r in rows]
    return {
        "items": items,
        "next_cursor": encode_cursor({"period_start": last.period_start, "id": last.id}) if last else None,
    }


@router.get("/bulletins/{bulletin_id}", operation_id="get_bulletin", response_model=BulletinOut)
async def get(bulletin_id: str, request: Request, response: Response, _caller: Reader) -> BulletinOut:
    async with runtime_of(request).uow() as uow:
        return _out(await handlers.get_bulletin(uow, bulletin_id), response)


@router.get("/bulletins/{bulletin_id}/html", operation_id="get_bulletin_html", response_class=HTMLResponse)
async def get_html(bulletin_id: str, request: Request, _caller: Reader) -> HTMLResponse:
    async with runtime_of(request).uow() as uow:
        bulletin = await handlers.get_bulletin(uow, bulletin_id)
    return HTMLResponse(bulletin.html)


@router.post("/bulletins/{bulletin_id}:publish", operation_id="publish_bulletin", response_model=BulletinOut)
async def publish(bulletin_id: str, request: Request, response: Response, caller: Manager) -> BulletinOut:
    """发布: disclosure receives the bulletin (monitoring.bulletin.published.v1). Needs If-Match."""
    async with runtime_of(request).uow() as uow:
        bulletin = await handlers.get_bulletin(uow, bulletin_id)
        require_if_match(request, etag_of(bulletin.id, bulletin.version))
        bulletin = await handlers.publish_bulletin(uow, bulletin, actor=caller, correlation_id=correlation_id(request))
        await uow.commit()
    return _out(bulletin, response)


@router.get("/towns/{town}/aqi", operation_id="town_daily_aqi")
async def town_aqi(town: str, on: LegalDate, request: Request, _caller: Reader) -> dict[str, Any]:
    """A town's daily AQI from the mean of its air stations' daily concentrations."""
    async with runtime_of(request).uow() as uow:
        query = select(Station.code).where(Station.town == town, Station.kind == "air_station")
        codes = list((await uow.session.execute(query)).scalars())
        stations = list((await stations_by_code(uow, codes)).values())
        air = await town_daily_air(uow, standards_of(request), stations, on)
    hourly = [{"time": m.isoformat(), "aqi": r.aqi, "category": r.category} for m, r in air.hourly]
    return {
        "town": town,
        "day": on,
        "stations": len(stations),
        "pm25": air.pm25,
        **air.result.__dict__,
        "hourly": hourly,
    }
