"""Enterprises' emission data in the open (自行监测信息公开, ``/public/v1/monitoring/enterprises``): no token, like
the rest of the open monitoring API (ETag/304, short public cache). Reviewed data only, each answer says so."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.monitoring.api.open_data import Cursor, public_answer, public_json
from services.monitoring.handlers import enterprise_data as data
from services.monitoring.handlers import enterprises as register
from services.monitoring.handlers.bulletin_schedule import local_today
from services.monitoring.handlers.enterprise_page import chart, enterprise_html, enterprise_year
from services.monitoring.handlers.enterprises import EnterpriseView
from services.monitoring.schemas import (
    OpenCompletenessList,
    OpenCompletenessPublic,
    OpenEmissionList,
    OpenEmissionPublic,
    OpenEnterpriseExceedanceList,
    OpenEnterpriseExceedancePublic,
    OpenEnterpriseList,
    OpenEnterprisePublic,
    OpenOutletPublic,
    OpenSeriesPosition,
    OpenStationPosition,
    PermitLimitPublic,
)
from shared.bounds import LegalAwareDateTime
from shared.csv_export import csv_text
from shared.errors import Invalid
from shared.http import decode_position, encode_cursor
from shared.keyset import split
from shared.service import runtime_of

router = APIRouter(prefix="/public/v1/monitoring/enterprises", tags=["open enterprise data"])
Year = Annotated[int, Query(ge=2000, le=2100, description="calendar year (local days)")]
PageYear = Annotated[
    int | None, Query(ge=2000, le=2100, description="calendar year; by default the newest with reviewed data")
]
# No script runs on the page; its charts are inline SVG.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
}


class SvgResponse(Response):
    """An SVG image (documented as ``image/svg+xml``)."""

    media_type = "image/svg+xml"


def _enterprise(found: EnterpriseView) -> OpenEnterprisePublic:
    e = found.enterprise
    outlets = [
        OpenOutletPublic(
            **o.outlet.model_dump(include={"code", "name", "medium", "frequency"}),
            limits=[PermitLimitPublic.model_validate(r, from_attributes=True) for r in o.limits],
        )
        for o in found.outlets
    ]
    fields = e.model_dump(include={"code", "name", "town", "industry", "credit_code", "permit_number", "key_unit"})
    return OpenEnterprisePublic(**fields, outlets=outlets)


@router.get(
    "",
    operation_id="open_list_enterprises",
    response_model=None,
    responses={200: {"model": OpenEnterpriseList}},
    summary="排污单位 Enterprises with their outlets and permit limits",
)
async def list_enterprises(
    request: Request,
    town: Annotated[str | None, Query(max_length=100, description="镇街")] = None,
    industry: Annotated[str | None, Query(max_length=100, description="行业类别")] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> Response:
    position = decode_position(cursor, OpenStationPosition)
    async with runtime_of(request).uow() as uow:
        rows = await register.list_enterprises(
            uow, town=town, industry=industry, after=position.code if position else None, limit=limit + 1
        )
        page, last = split(rows, limit)
        found = await register.views(uow, page)
    next_cursor = encode_cursor({"code": last.code}) if last else None
    return public_json(request, OpenEnterpriseList(items=[_enterprise(e) for e in found], next_cursor=next_cursor))


@router.get(
    "/{enterprise_code}",
    operation_id="open_get_enterprise",
    response_model=None,
    responses={200: {"model": OpenEnterprisePublic}},
    summary="排污单位 An enterprise, its outlets and permit limits (current and past)",
)
async def get_enterprise(enterprise_code: str, request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        return public_json(request, _enterprise(await data.open_enterprise(uow, enterprise_code)))


@router.get(
    "/{enterprise_code}/outlets/{outlet_code}/emissions",
    operation_id="open_outlet_emissions",
    response_model=None,
    responses={200: {"model": OpenEmissionList, "content": {"text/csv": {"schema": {"type": "string"}}}}},
    summary="审核后排放数据 An outlet's reviewed values with validity flags and the permit limit in force",
)
async def emissions(
    enterprise_code: str,
    outlet_code: str,
    request: Request,
    start: Annotated[LegalAwareDateTime, Query(description="from (inclusive), with an offset")],
    end: Annotated[LegalAwareDateTime, Query(description="to (exclusive), with an offset")],
    parameter: Annotated[str | None, Query(max_length=30)] = None,
    interval: Literal["rtd", "minute", "hour", "day"] | None = None,
    format: Literal["json", "csv"] = "json",
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> Response:
    """Reviewed data only (审核后数据): values of confirmed station-days, each with its flags, ``valid``, the permit
    limit in force on its local day and ``over_limit``. The interval is the outlet's own (hour for automatic
    monitoring, day for manual results) unless asked."""
    if end <= start:
        raise Invalid("时间范围需 end > start end must be after start", slug="bad-range")
    position = decode_position(cursor, OpenSeriesPosition)
    async with runtime_of(request).uow() as uow:
        outlet = data.outlet_of(await data.open_enterprise(uow, enterprise_code), outlet_code)
        found = await data.emission_series(
            uow, outlet, parameter=parameter, interval=interval, start=start, end=end,
            after=(position.time, position.parameter) if position else None, limit=limit,
        )  # fmt: skip
    rows, last = split(found, limit)
    next_cursor = encode_cursor({"time": last.time.isoformat(), "parameter": last.parameter}) if last else None
    limits = data.limits_of(outlet)
    items = [data.emission_row(r, limits) for r in rows]
    if format == "csv":
        header = ["enterprise", "outlet", *OpenEmissionPublic.model_fields]
        body = csv_text(header, ([enterprise_code, outlet_code, *item.values()] for item in items))
        link = {"Link": f'<{request.url.include_query_params(cursor=next_cursor)}>; rel="next"'} if next_cursor else {}
        return public_answer(request, body, "text/csv; charset=utf-8", link)
    page = {"enterprise": enterprise_code, "outlet": outlet_code, "reviewed_only": True, "items": items,
            "next_cursor": next_cursor}  # fmt: skip
    return public_answer(request, json.dumps(page, ensure_ascii=False), "application/json")


@router.get(
    "/{enterprise_code}/exceedances",
    operation_id="open_enterprise_exceedances",
    response_model=None,
    responses={200: {"model": OpenEnterpriseExceedanceList}},
    summary="超标记录 An enterprise's exceedances of its permit limits in a year (reviewed days)",
)
async def exceedances(enterprise_code: str, request: Request, year: Year) -> Response:
    """Reviewed data only: exceedances (超标) of the permit limit in force, once their station-day is confirmed."""
    async with runtime_of(request).uow() as uow:
        found = await data.reviewed_exceedances(uow, await data.open_enterprise(uow, enterprise_code), year)
    items = [
        OpenEnterpriseExceedancePublic(outlet=outlet, **e.model_dump(
            include={"parameter", "period_start", "period_end", "value", "limit", "unit"}
        ))
        for outlet, e in found
    ]  # fmt: skip
    return public_json(
        request, OpenEnterpriseExceedanceList(enterprise=enterprise_code, year=year, reviewed_only=True, items=items)
    )


@router.get(
    "/{enterprise_code}/completeness",
    operation_id="open_enterprise_completeness",
    response_model=None,
    responses={200: {"model": OpenCompletenessList}},
    summary="数据完整率 Reviewed valid results against results due, per outlet and month",
)
async def completeness(enterprise_code: str, request: Request, year: Year) -> Response:
    """Reviewed data only: per outlet and month, the reviewed valid results of the limited pollutants (each at most
    as many as due) against the results due by the outlet's frequency (数据完整率)."""
    async with runtime_of(request).uow() as uow:
        found = await data.open_enterprise(uow, enterprise_code)
        items = [
            OpenCompletenessPublic(
                outlet=outlet.outlet.code, month=f"{year}-{m.month:02d}", reported=m.reported, expected=m.expected,
                ratio=m.ratio,
            )
            for outlet in found.outlets
            for m in data.outlet_completeness(outlet, year, await data.reviewed_values(uow, outlet, year))
        ]  # fmt: skip
    return public_json(
        request, OpenCompletenessList(enterprise=enterprise_code, year=year, reviewed_only=True, items=items)
    )


@router.get(
    "/{enterprise_code}/outlets/{outlet_code}/chart",
    operation_id="open_outlet_chart",
    response_class=SvgResponse,
    summary="排放图 Effluent chart: monthly mean and maximum against the permit limit (SVG)",
)
async def outlet_chart(
    enterprise_code: str,
    outlet_code: str,
    request: Request,
    year: Year,
    parameter: Annotated[str, Query(min_length=1, max_length=30)],
) -> Response:
    """Reviewed data only: per month the mean and the maximum, and the permit limit in force (the
    strictest during the month), in the manner of US EPA ECHO's effluent charts."""
    async with runtime_of(request).uow() as uow:
        outlet = data.outlet_of(await data.open_enterprise(uow, enterprise_code), outlet_code)
        if parameter not in data.parameters_of(outlet):
            raise Invalid(f"排放口 {outlet_code} 无 {parameter} 许可限值 No permit limit of {parameter}",
                          slug="no-permit-limit")  # fmt: skip
        profile = data.outlet_profile(outlet, parameter, year, await data.reviewed_values(uow, outlet, year))
    return public_answer(request, chart(outlet, parameter, profile, year), "image/svg+xml")


@router.get(
    "/{enterprise_code}/page",
    operation_id="open_enterprise_page",
    response_class=HTMLResponse,
    summary="企业自行监测信息公开页面 The enterprise's public page (Chinese HTML)",
)
async def enterprise_page(
    enterprise_code: str,
    request: Request,
    year: PageYear = None,
) -> Response:
    """Reviewed data only, and the page says so: the enterprise, its outlets and permit limits, an effluent chart
    per outlet and pollutant, completeness per month and exceedances of the year (by default the newest year with
    reviewed data, else the current one). The same page as the portal's
    ``/portal/monitoring/enterprises/{enterprise_code}``."""
    return await page_answer(request, enterprise_code, year)


async def page_answer(request: Request, enterprise_code: str, year: int | None) -> Response:
    """The enterprise's page of ``year`` (default: the newest with reviewed data), with its ETag and CSP."""
    async with runtime_of(request).uow() as uow:
        found = await data.open_enterprise(uow, enterprise_code)
        year = year or await data.latest_reviewed_year(uow, found) or local_today().year
        outlets, exceeded = await enterprise_year(uow, found, year)
    response = public_answer(request, enterprise_html(found, year, outlets, exceeded), "text/html; charset=utf-8")
    response.headers.update(PAGE_HEADERS)
    return response
