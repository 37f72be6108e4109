"""Random inspections in public (双随机、一公开, ``/public/v1``): the year's plan, each draw with its commitment,
inputs and result, and the results of the inspections, as JSON and one CSV of a year's drawn inspections."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from services.disclosure.api.deps import Year
from services.disclosure.handlers import draws
from services.disclosure.public_cache import cached
from services.disclosure.schemas import InspectionDrawList, InspectionDrawPublic, InspectionPlanPublic
from shared.service import runtime_of

router = APIRouter(prefix="/public/v1", tags=["public"])

JSON = "application/json"
Category = Literal["key_polluter", "ordinary", "special"]


@router.get(
    "/inspection-draws",
    operation_id="public_inspection_draws",
    response_model=None,
    responses={200: {"model": InspectionDrawList}},
    summary="双随机抽查：抽查记录",
)
async def list_draws(
    request: Request,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="年度")] = None,
    category: Annotated[Category | None, Query(description="监管对象类别")] = None,
) -> Response:
    """Every draw from its commitment on (the SHA-256 of the seed, published before the draw), newest period last."""
    async with runtime_of(request).uow() as uow:
        rows = await draws.public_draws(uow, year=year, category=category)
    return cached(request, InspectionDrawList(items=[draws.draw_summary(r) for r in rows]).model_dump_json(), JSON)


@router.get(
    "/inspection-draws.csv",
    operation_id="public_inspection_draws_csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a byte-order mark"}},
    summary="双随机抽查：抽查对象及结果 (CSV)",
)
async def draws_csv(
    request: Request,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="年度; default: every year")] = None,
) -> Response:
    """One line per drawn entity of the year's draws: period, category, name, officers' 执法证号, result."""
    async with runtime_of(request).uow() as uow:
        text = await draws.results_csv(uow, year=year)
    response = cached(request, text, "text/csv; charset=utf-8")
    name = f"inspection-draws-{year}.csv" if year else "inspection-draws.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/inspection-draws/{draw_id}",
    operation_id="public_inspection_draw",
    response_model=None,
    responses={200: {"model": InspectionDrawPublic}},
    summary="双随机抽查：单次抽查（输入、种子与结果）",
)
async def get_draw(draw_id: str, request: Request) -> Response:
    """The seed, inputs and result once executed, so anyone can recompute it (algorithm: the disclosure README);
    the results of the drawn entities' inspections as they arrive."""
    async with runtime_of(request).uow() as uow:
        row, drawn = await draws.public_draw(uow, draw_id)
    return cached(request, draws.draw_public(row, drawn).model_dump_json(), JSON)


@router.get(
    "/inspection-plans/{year}",
    operation_id="public_inspection_plan",
    response_model=None,
    responses={200: {"model": InspectionPlanPublic}},
    summary="双随机抽查：年度抽查计划",
)
async def get_plan(year: Year, request: Request) -> Response:
    """The year's draws in force by period and category: how many of how many eligible, and on what basis; and the
    抽查比例 in force during the year (proportion or count per category and period, the scheme and its 文号)."""
    async with runtime_of(request).uow() as uow:
        rows = await draws.public_draws(uow, year=year, category=None)
        rates = await draws.rates_of_year(uow, year)
    return cached(request, draws.plan_of(year, rows, rates).model_dump_json(), JSON)
