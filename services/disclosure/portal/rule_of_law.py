"""Portal pages of the rule-of-law annual report (法治政府建设年度报告): the published reports and each one."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.disclosure.api.deps import Year
from services.disclosure.handlers import rule_of_law_reports as reports
from services.disclosure.portal.pages import page
from shared.service import runtime_of

router = APIRouter(prefix="/portal/rule-of-law-reports", tags=["portal"], default_response_class=HTMLResponse)


@router.get("")
async def reports_page(request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        rows = await reports.published_reports(uow)
    return page(request, "rule_of_law_reports.html", reports=rows)


@router.get("/{year}")
async def report_page(year: Year, request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        report = await reports.published_report(uow, year)
    return page(
        request,
        "rule_of_law_report.html",
        report=report,
        sections=reports.sections_of(report),
        document_url=reports.document_path(year),
    )
