"""HTTP entry point of enforcement statistics (执法统计), as JSON or CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from services.cases.api.deps import StatsReader
from services.cases.domain.statistics import report_rows
from services.cases.handlers import reports
from services.cases.schemas import CaseStatistics
from shared.csv_export import csv_text
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["reports"])


@router.get(
    "/statistics",
    operation_id="case_statistics",
    response_model=CaseStatistics,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def statistics(
    request: Request,
    _caller: StatsReader,
    year: Annotated[int, Query(ge=2000, le=2100)],
    quarter: Annotated[int | None, Query(ge=1, le=4)] = None,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Response:
    """季度、年度执法统计 for the annual enforcement report; JSON, or CSV with ``format=csv`` / ``Accept: text/csv``
    (one ``metric,value`` row per count, nested counts as ``decisions_by_kind.penalty``)."""
    async with runtime_of(request).uow() as uow:
        report = await reports.statistics(uow, year=year, quarter=quarter)
    wants_csv = format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))
    if wants_csv:
        name = f"statistics-{year}" + (f"-q{quarter}" if quarter else "") + ".csv"
        return Response(
            csv_text(["metric", "value"], report_rows(report)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return JSONResponse(CaseStatistics.model_validate(report).model_dump(mode="json"))
