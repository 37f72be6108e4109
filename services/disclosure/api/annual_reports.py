"""Staff entry points of the annual enforcement report (年度执法工作报告): publish a year's, track the due dates.

The published reports are read on ``/public/v1/reports`` (``api.public``) and the portal."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.disclosure.api.deps import Editor, ReportReader, Settings, Year
from services.disclosure.handlers import annual_reports
from services.disclosure.schemas import AnnualReportPublish, AnnualReportStaff, AnnualReportStatus
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/disclosure", tags=["reports"])


@router.post(
    "/annual-reports/{year}",
    operation_id="publish_annual_report",
    response_model=AnnualReportStaff,
    summary="发布年度执法工作报告 Build and publish the annual report",
)
async def publish(
    year: Year, request: Request, caller: Editor, settings: Settings, body: AnnualReportPublish | None = None
) -> AnnualReportStaff:
    """``published_on`` records a report that went out on an earlier day (补录); it decides on-time. Publishing
    again rebuilds the figures as a new version. The report is then read at ``/public/v1/reports/{year}``."""
    report = await annual_reports.publish_report(
        runtime_of(request).uow,
        settings,
        year,
        published_on=body.published_on if body is not None else None,
        actor=caller.subject,
        cases_transport=request.app.state.cases_transport,
    )
    return AnnualReportStaff.model_validate(
        {**report.data, "published_on": report.published_on, "on_time": report.on_time, "version": report.version}
    )


@router.get("/annual-reports", operation_id="annual_report_tracking", response_model=list[AnnualReportStatus])
async def tracking(request: Request, _caller: ReportReader, settings: Settings) -> list[AnnualReportStatus]:
    """Each recent year's report against its due date: published, pending, or overdue (逾期)."""
    async with runtime_of(request).uow() as uow:
        return await annual_reports.tracking(uow, settings)
