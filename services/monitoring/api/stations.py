"""Stations (监测站点) and what is computed from their stored data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from services.monitoring.api.deps import Manager, Reader, standards_of
from services.monitoring.handlers import stations as handlers
from services.monitoring.handlers.statistics import daily_air, daily_noise, monthly_water
from services.monitoring.schemas import StationCreate, StationKind, StationList, StationOut, StationUpdate
from shared.bounds import LegalDate
from shared.http import etag_of, require_if_match
from shared.idempotency import idempotent
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/monitoring/stations", tags=["stations"])


def _out(station: Any) -> StationOut:
    return StationOut.model_validate(station, from_attributes=True)


@router.post("", operation_id="create_station", status_code=201, response_model=StationOut)
async def create_station(body: StationCreate, request: Request, caller: Manager) -> Any:
    async def action(uow: Any) -> tuple[int, Any, dict[str, str]]:
        station = await handlers.create_station(uow, body, actor=caller)
        return 201, _out(station).model_dump(mode="json"), {"ETag": etag_of(station.id, station.version)}

    runtime = runtime_of(request)
    return await idempotent(
        request, runtime.uow, principal=caller.subject, body=body.model_dump(mode="json"), action=action
    )


@router.get("", operation_id="list_stations", response_model=StationList)
async def list_stations(
    request: Request,
    _caller: Reader,
    kind: StationKind | None = None,
    town: str | None = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> StationList:
    async with runtime_of(request).uow() as uow:
        rows = await handlers.list_stations(uow, kind=kind, town=town, after=cursor, limit=limit + 1)
    items = [_out(s) for s in rows[:limit]]
    return StationList(items=items, next_cursor=items[-1].code if len(rows) > limit else None)


@router.get("/{code}", operation_id="get_station", response_model=StationOut)
async def get_station(code: str, request: Request, response: Response, _caller: Reader) -> StationOut:
    async with runtime_of(request).uow() as uow:
        station = await handlers.get_station(uow, code)
    response.headers["ETag"] = etag_of(station.id, station.version)
    return _out(station)


@router.put("/{code}", operation_id="update_station", response_model=StationOut)
async def update_station(
    code: str, body: StationUpdate, request: Request, response: Response, caller: Manager
) -> StationOut:
    async with runtime_of(request).uow() as uow:
        station = await handlers.get_station(uow, code)
        require_if_match(request, etag_of(station.id, station.version))
        station = await handlers.update_station(uow, station, body, actor=caller)
        await uow.commit()
    response.headers["ETag"] = etag_of(station.id, station.version)
    return _out(station)


@router.delete("/{code}", operation_id="deactivate_station", status_code=204)
async def deactivate_station(code: str, request: Request, caller: Manager) -> Response:
    """停用站点 (needs If-Match); readings are kept."""
    async with runtime_of(request).uow() as uow:
        station = await handlers.get_station(uow, code)
        require_if_match(request, etag_of(station.id, station.version))
        await handlers.deactivate_station(uow, station, actor=caller)
        await uow.commit()
    return Response(status_code=204)


@router.get("/{code}/aqi", operation_id="station_daily_aqi")
async def station_aqi(code: str, on: LegalDate, request: Request, _caller: Reader) -> dict[str, Any]:
    """日 AQI (≥ 20 valid hours per 24h mean) and hourly AQI of an air station, from valid data."""
    async with runtime_of(request).uow() as uow:
        await handlers.get_station(uow, code)
        [daily] = await daily_air(uow, standards_of(request), [code], on)
    hourly = [{"time": m.isoformat(), "aqi": r.aqi, "category": r.category} for m, r in daily.hourly]
    return {
        "station": code,
        "day": on,
        "concentrations": daily.concentrations,
        **daily.result.__dict__,
        "hourly": hourly,
    }


@router.get("/{code}/water-class", operation_id="station_monthly_water_class")
async def station_water_class(
    code: str, request: Request, _caller: Reader, month: Annotated[str, Query(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")]
) -> dict[str, Any]:
    """月度水质类别 of a section from the monthly means of valid values."""
    year, number = (int(x) for x in month.split("-"))
    async with runtime_of(request).uow() as uow:
        station = await handlers.get_station(uow, code)
        monthly = await monthly_water(uow, standards_of(request), station, year, number)
    result = monthly.result
    return {
        "station": code, "month": month, "means": monthly.means, "valid_days": monthly.valid_days,
        "class": result.water_class, "worst_parameters": result.worst_parameters, "target_class": station.target_class,
        "by_parameter": result.by_parameter, "standard": result.standard,
    }  # fmt: skip


@router.get("/{code}/noise", operation_id="station_daily_noise")
async def station_noise(code: str, on: LegalDate, request: Request, _caller: Reader) -> dict[str, Any]:
    async with runtime_of(request).uow() as uow:
        station = await handlers.get_station(uow, code)
        leq, grade = await daily_noise(uow, standards_of(request), station, on)
    return {"station": code, "day": on, "daytime_leq": leq, "grade": grade or None}
