"""The enterprises' part of the public portal (``/portal/monitoring``, 企业自行监测信息公开): Chinese HTML pages
without script, routed by the gateway to this service in the public zone (``/portal`` itself is disclosure's).
The index of the enterprises, and each enterprise's page (the same as
``/public/v1/monitoring/enterprises/{code}/page``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.monitoring.api.open_data import public_answer
from services.monitoring.api.open_enterprises import PAGE_HEADERS, PageYear, page_answer
from services.monitoring.handlers.enterprise_index import IndexQuery, index_html, index_page
from shared.service import runtime_of

router = APIRouter(prefix="/portal/monitoring", tags=["portal"], default_response_class=HTMLResponse)
# The search form sends every field, empty ones as empty strings: those mean "any".
Field = Annotated[str | None, Query(max_length=100)]


def _blank_is_none(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


@router.get(
    "/enterprises",
    operation_id="portal_enterprise_index",
    summary="企业自行监测信息公开名录 The enterprises' index: by town, search by name, industry (Chinese HTML)",
)
async def enterprise_index(
    request: Request,
    q: Annotated[str | None, Query(max_length=100, description="企业名称（包含）")] = None,
    town: Annotated[str | None, Query(max_length=100, description="镇街")] = None,
    industry: Annotated[str | None, Query(max_length=100, description="行业类别")] = None,
    page: Annotated[int, Query(ge=1, le=10_000, description="第几页（每页 50 家）")] = 1,
) -> Response:
    """The enterprises (排污单位) by town, then industry and name, 50 a page, each linking to its page of reviewed
    self-monitoring data; blank fields of the form mean any."""
    query = IndexQuery(q=_blank_is_none(q), town=_blank_is_none(town), industry=_blank_is_none(industry), page=page)
    async with runtime_of(request).uow() as uow:
        found = await index_page(uow, query)
    response = public_answer(request, index_html(found), "text/html; charset=utf-8")
    response.headers.update(PAGE_HEADERS)
    return response


@router.get(
    "/enterprises/{enterprise_code}",
    operation_id="portal_enterprise_page",
    summary="企业自行监测信息公开页面 The enterprise's page on the portal (Chinese HTML)",
)
async def enterprise_page(enterprise_code: str, request: Request, year: PageYear = None) -> Response:
    """Reviewed data only, and the page says so: the enterprise, its outlets and permit limits, an effluent chart
    per outlet and pollutant, completeness per month and exceedances of the year (by default the newest year with
    reviewed data, else the current one)."""
    return await page_answer(request, enterprise_code, year)
