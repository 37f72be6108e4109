"""Stations (监测站点) and what is computed from their stored data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from services.monitoring.api.deps import Manager, Reader, change_with_if_match, standards_of
from services.monitoring.handlers import stations as handlers
from services.monitoring.handlers.statistics import daily_air, daily_noise, monthly_water
from services.monitoring.schemas import (
    StationAqiPublic,
    StationCreate,
    StationKind,
    StationList,
    StationNoisePublic,
    StationPublic,
    StationUpdate,
    StationWaterClassPublic,
    daily_aqi_fields,
)
from shared import header_docs
from shared.bounds import LegalDate
from shared.header_docs import IF_MATCH, versioned
from shared.http import etag_of
from shared.idempotency import idempotent
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/monitoring/stations", tags=["stations"])


def _out(station: Any) -> StationPublic:
    return StationPublic.model_validate(station, from_attributes=True)


@router.post(
    "",
    operation_id="create_station",
    status_code=201,
    response_model=StationPublic,
    responses=header_docs.created("get_station", "code", field="code"),
)
async def create_station(body: StationCreate, request: Request, caller: Manager) -> Any:
    async def action(uow: Any) -> tuple[int, Any, dict[str, str]]:
        station = await handlers.create_station(uow, body, actor=caller)
        headers = {"ETag": etag_of(station.id, station.version), "Location": f"{router.prefix}/{station.code}"}
        return 201, _out(station).model_dump(mode="json"), headers

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


@router.get("/{code}", operation_id="get_station", response_model=StationPublic, responses=versioned())
async def get_station(code: str, request: Request, response: Response, _caller: Reader) -> StationPublic:
    async with runtime_of(request).uow() as uow:
        station = await handlers.get_station(uow, code)
    response.headers["ETag"] = etag_of(station.id, station.version)
    return _out(station)


@router.put(
    "/{code}",
    operation_id="update_station",
    response_model=StationPublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def update_station(
    code: str, body: StationUpdate, request: Request, response: Response, caller: Manager
) -> StationPublic:
    station = await change_with_if_match(
        request,
        response,
        lambda uow: handlers.get_station(uow, code),
        lambda uow, station: handlers.update_station(uow, station, body, actor=caller),
    )
    return _out(station)


@router.delete("/{code}", operation_id="deactivate_station", status_code=204, openapi_extra=IF_MATCH)
async def deactivate_station(code: str, request: Request, caller: Manager) -> Response:
    """停用站点 (needs If-Match); readings are kept."""
    await change_with_if_match(
        request,
        None,
        lambda uow: handlers.get_station(uow, code),
        lambda uow, station: handlers.deactivate_station(uow, station, actor=caller),
    )
    return Response(status_code=204)


@router.get("/{code}/aqi", operation_id="station_daily_aqi", response_model=StationAqiPublic)
async def station_aqi(code: str, on: LegalDate, request: Request, _caller: Reader) -> StationAqiPublic:
    """日 AQI (≥ 20 valid hours per 24h mean) and hourly AQI of an air station, from valid data."""
    async with runtime_of(request).uow() as uow:
        await handlers.get_station(uow, code)
        [daily] = await daily_air(uow, standards_of(request), [code], on)
    return StationAqiPublic(
        station=code, day=on, concentrations=daily.concentrations, **daily_aqi_fields(daily.result, daily.hourly)
    )


@router.get(
    "/{code}/water-class",
    operation_id="station_monthly_water_class",
    response_model=StationWaterClassPublic,
    response_model_by_alias=True,
)
async def station_water_class(
    code: str, request: Request, _caller: Reader, month: Annotated[str, Query(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")]
) -> StationWaterClassPublic:
    """月度水质类别 of a section from the monthly means of valid values."""
    year, number = (int(x) for x in month.split("-"))
    async with runtime_of(request).uow() as uow:
        station = await handlers.get_station(uow, code)
        monthly = await monthly_water(uow, standards_of(request), station, year, number)
    result = monthly.result
    return StationWaterClassPublic(
        station=code, month=month, means=monthly.means, valid_days=monthly.valid_days, water_class=result.water_class,
        worst_parameters=list(result.worst_parameters), target_class=station.target_class,
        by_parameter=result.by_parameter, standard=result.standard,
    )  # fmt: skip


@router.get("/{code}/noise", operation_id="station_daily_noise", response_model=StationNoisePublic)
async def station_noise(code: str, on: LegalDate, request: Request, _caller: Reader) -> StationNoisePublic:
    """昼间 Leq and noise grade of a noise point on a day, from valid values."""
    async with runtime_of(request).uow() as uow:
        station = await handlers.get_station(uow, code)
        leq, grade = await daily_noise(uow, standards_of(request), station, on)
    return StationNoisePublic(station=code, day=on, daytime_leq=leq, grade=grade or None)
