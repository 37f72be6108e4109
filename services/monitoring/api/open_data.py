"""The open monitoring API (公开监测数据, ``/public/v1/monitoring``): no token, rate-limited per address by the
gateway like the rest of ``/public/v1``; stations, newest values, and reviewed series and aggregates; JSON or CSV,
cursor paging, strong ETags of the body with 304 and a short shared cache lifetime."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from services.monitoring.api.deps import standards_of
from services.monitoring.handlers import noise as noise_handlers
from services.monitoring.handlers import open_data as handlers
from services.monitoring.schemas import (
    NoiseMeasurementList,
    NoiseMeasurementPosition,
    NoiseSummaryPublic,
    OpenDailyAqiList,
    OpenDailyAqiPublic,
    OpenLatestList,
    OpenLatestPublic,
    OpenReadingList,
    OpenReadingPublic,
    OpenSeriesPosition,
    OpenStationList,
    OpenStationPosition,
    OpenStationPublic,
    OpenWaterMonthList,
    OpenWaterMonthPublic,
)
from services.monitoring.settings import MonitoringSettings
from services.monitoring.tables import Station
from shared.bounds import LegalAwareDateTime, LegalDate
from shared.csv_export import csv_text
from shared.errors import Invalid
from shared.http import MAX_CURSOR_LENGTH, decode_position, encode_cursor, etag_of, not_modified
from shared.keyset import split
from shared.service import runtime_of

router = APIRouter(prefix="/public/v1/monitoring", tags=["open monitoring data"])

NOTICE = "实时数据未经审核，仅供参考；审核后数据见 readings、aqi/daily 与 water-class/monthly。"
MAX_AQI_DAYS = 366
Cursor = Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH, description="next_cursor of the previous page")]
StationKind = Literal["air_station", "water_section", "noise_point"]


def public_answer(request: Request, body: str, media_type: str, headers: dict[str, str] | None = None) -> Response:
    """A strong ETag of the body and a short public cache lifetime; a client holding the body gets a 304."""
    settings: MonitoringSettings = request.app.state.settings
    etag = etag_of(body)
    cache_control = f"public, max-age={settings.public_cache_seconds}"
    unchanged = not_modified(request, etag, cache_control=cache_control)
    if unchanged is not None:
        return unchanged
    return Response(
        body, media_type=media_type, headers={"ETag": etag, "Cache-Control": cache_control, **(headers or {})}
    )


def public_json(request: Request, model: BaseModel) -> Response:
    return public_answer(request, model.model_dump_json(by_alias=True), "application/json")


def _station(station: Station) -> OpenStationPublic:
    return OpenStationPublic.model_validate(station, from_attributes=True)


@router.get(
    "/stations",
    operation_id="open_list_stations",
    response_model=None,
    responses={200: {"model": OpenStationList}},
    summary="监测点位 Ambient monitoring stations",
)
async def list_stations(
    request: Request,
    kind: StationKind | None = None,
    town: Annotated[str | None, Query(max_length=100, description="镇街")] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> Response:
    """Air stations, surface-water sections and noise points with their location, by code."""
    position = decode_position(cursor, OpenStationPosition)
    async with runtime_of(request).uow() as uow:
        found = await handlers.open_stations(
            uow, kind=kind, town=town, after=position.code if position else None, limit=limit
        )
    rows, last = split(found, limit)
    next_cursor = encode_cursor({"code": last.code}) if last else None
    return public_json(request, OpenStationList(items=[_station(s) for s in rows], next_cursor=next_cursor))


@router.get(
    "/stations/{code}",
    operation_id="open_get_station",
    response_model=None,
    responses={200: {"model": OpenStationPublic}},
    summary="监测点位 An ambient monitoring station",
)
async def get_station(code: str, request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        return public_json(request, _station(await handlers.open_station(uow, code)))


@router.get(
    "/stations/{code}/latest",
    operation_id="open_latest",
    response_model=None,
    responses={200: {"model": OpenLatestList}},
    summary="实时数据 The newest value of each parameter (not yet reviewed)",
)
async def latest(code: str, request: Request) -> Response:
    """The newest value of each parameter as it arrived: real-time data, not yet reviewed unless ``reviewed``."""
    async with runtime_of(request).uow() as uow:
        station = await handlers.open_station(uow, code)
        found = await handlers.open_latest(uow, station)
    items = [
        OpenLatestPublic.model_validate(f.reading.model_dump() | {"valid": f.valid, "reviewed": f.reviewed})
        for f in found
    ]
    return public_json(request, OpenLatestList(station=code, notice=NOTICE, items=items))


@router.get(
    "/stations/{code}/readings",
    operation_id="open_readings",
    response_model=None,
    responses={200: {"model": OpenReadingList, "content": {"text/csv": {"schema": {"type": "string"}}}}},
    summary="审核后数据 A station's reviewed values, with flags and units (JSON or CSV)",
)
async def readings(
    code: str,
    request: Request,
    start: Annotated[LegalAwareDateTime, Query(description="from (inclusive), with an offset")],
    end: Annotated[LegalAwareDateTime, Query(description="to (exclusive), with an offset")],
    parameter: Annotated[str | None, Query(max_length=30)] = None,
    interval: Literal["rtd", "minute", "hour", "day"] = "hour",
    format: Literal["json", "csv"] = "json",
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> Response:
    """Reviewed data only (审核后数据): values of station-days a reviewer confirmed, every value with its flags
    and ``valid``; pending days are not yet here, invalidated days never. By time, then parameter; the next page
    is ``next_cursor`` (JSON) or the ``Link: rel="next"`` header (CSV)."""
    if end <= start:
        raise Invalid("时间范围需 end > start end must be after start", slug="bad-range")
    position = decode_position(cursor, OpenSeriesPosition)
    async with runtime_of(request).uow() as uow:
        station = await handlers.open_station(uow, code)
        found = await handlers.reviewed_series(
            uow, station=station, parameter=parameter, interval=interval, start=start, end=end,
            after=(position.time, position.parameter) if position else None, limit=limit,
        )  # fmt: skip
    rows, last = split(found, limit)
    next_cursor = encode_cursor({"time": last.time.isoformat(), "parameter": last.parameter}) if last else None
    items = [handlers.reading_row(r) for r in rows]
    if format == "csv":
        header = ["station", *OpenReadingPublic.model_fields]
        body = csv_text(header, ([code, *item.values()] for item in items))
        link = {"Link": f'<{request.url.include_query_params(cursor=next_cursor)}>; rel="next"'} if next_cursor else {}
        return public_answer(request, body, "text/csv; charset=utf-8", link)
    # Already in the shape OpenReadingList documents (up to 1,000 rows): written as they are.
    page = {"station": code, "reviewed_only": True, "items": items, "next_cursor": next_cursor}
    return public_answer(request, json.dumps(page, ensure_ascii=False), "application/json")


@router.get(
    "/stations/{code}/aqi/daily",
    operation_id="open_daily_aqi",
    response_model=None,
    responses={200: {"model": OpenDailyAqiList}},
    summary="审核后日 AQI An air station's daily AQI on reviewed days",
)
async def daily_aqi(
    code: str,
    request: Request,
    start: Annotated[LegalDate, Query(description="first local day")],
    end: Annotated[LegalDate, Query(description="last local day (inclusive), at most 366 days after start")],
) -> Response:
    """Reviewed data only: the daily AQI (HJ 633) of each confirmed day, from its valid hourly values."""
    if not start <= end <= start + timedelta(days=MAX_AQI_DAYS - 1):
        raise Invalid(f"日期范围需 start ≤ end 且不超过 {MAX_AQI_DAYS} 天 Bad day range", slug="bad-range")
    async with runtime_of(request).uow() as uow:
        station = await handlers.open_station(uow, code)
        days = await handlers.reviewed_daily_aqi(uow, standards_of(request), station, start, end)
    items = [
        OpenDailyAqiPublic(
            day=d.day, aqi=d.result.aqi, category=d.result.category,
            primary_pollutants=list(d.result.primary_pollutants), iaqi=d.result.iaqi,
            concentrations=d.concentrations, standard=d.result.standard,
        )
        for d in days
    ]  # fmt: skip
    return public_json(request, OpenDailyAqiList(station=code, reviewed_only=True, items=items))


@router.get(
    "/stations/{code}/water-class/monthly",
    operation_id="open_monthly_water_class",
    response_model=None,
    responses={200: {"model": OpenWaterMonthList}},
    summary="审核后月度水质类别 A section's water class per reviewed month",
)
async def monthly_water_class(code: str, request: Request, year: Annotated[int, Query(ge=2000, le=2100)]) -> Response:
    """Reviewed data only: the class (GB 3838-2002) of each month with confirmed days and no day still pending."""
    async with runtime_of(request).uow() as uow:
        station = await handlers.open_station(uow, code)
        months = await handlers.reviewed_water_months(uow, standards_of(request), station, year)
    items = [
        OpenWaterMonthPublic(
            month=f"{year}-{month:02d}", water_class=m.result.water_class,
            worst_parameters=list(m.result.worst_parameters), means=m.means, valid_days=m.valid_days,
            standard=m.result.standard,
        )
        for month, m in months
    ]  # fmt: skip
    body = OpenWaterMonthList(station=code, target_class=station.target_class, reviewed_only=True, items=items)
    return public_json(request, body)


@router.get(
    "/noise/summary",
    operation_id="open_noise_summary",
    response_model=None,
    responses={200: {"model": NoiseSummaryPublic}},
    summary="审核后声环境质量 The year's noise monitoring from reviewed measurements",
)
async def noise_summary(request: Request, year: Annotated[int, Query(ge=2000, le=2100)]) -> Response:
    """Reviewed data only: regional (grid mean, HJ 640 grade), traffic (length-weighted mean, grade) and
    functional-zone compliance (GB 3096 limits) of the year, from measurements of confirmed station-days."""
    async with runtime_of(request).uow() as uow:
        found = await noise_handlers.noise_summary(uow, standards_of(request), year=year, reviewed_only=True)
    return public_json(request, noise_handlers.summary_public(found))


@router.get(
    "/noise/measurements",
    operation_id="open_noise_measurements",
    response_model=None,
    responses={200: {"model": NoiseMeasurementList}},
    summary="审核后噪声监测结果 Noise measurements of reviewed days, with their indicators",
)
async def noise_measurements(
    request: Request,
    year: Annotated[int, Query(ge=2000, le=2100)],
    station: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Reviewed data only: Leq, L10/L50/L90, Lmax, Lmin, σ (regional and traffic points), Ld and Ln (functional
    zones) of each measurement of a confirmed station-day, by start time."""
    position = decode_position(cursor, NoiseMeasurementPosition)
    async with runtime_of(request).uow() as uow:
        found = await noise_handlers.measurements(
            uow, year=year, station=station, reviewed_only=True,
            after=(position.started_at, position.id) if position else None, limit=limit,
        )  # fmt: skip
    rows, last = split(found, limit)
    position_of = {"started_at": last.measurement.started_at.isoformat(), "id": last.measurement.id} if last else None
    page = NoiseMeasurementList(
        reviewed_only=True,
        items=[noise_handlers.measurement_public(m) for m in rows],
        next_cursor=encode_cursor(position_of) if position_of else None,
    )
    return public_json(request, page)
