"""The rule-of-law annual report (法治政府建设年度报告): staff draft, edit, approve and publish it; the public reads
the published ones (JSON and PDF) at ``/public/v1/rule-of-law-reports`` and on the portal."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response

from services.disclosure.api.deps import Editor, Head, LegalOfficeReader, ReportDrafter, Settings, Year
from services.disclosure.domain.activities import public_activities
from services.disclosure.handlers import rule_of_law_reports as reports
from services.disclosure.public_cache import cached
from services.disclosure.schemas import (
    RuleOfLawReportList,
    RuleOfLawReportPublic,
    RuleOfLawReportPublish,
    RuleOfLawReportStaff,
    RuleOfLawReportStatus,
    RuleOfLawReportSummary,
    RuleOfLawReportUpdate,
)
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import RuleOfLawReport
from shared import header_docs
from shared.auth import Principal
from shared.documents import PDF_MEDIA_TYPE
from shared.documents.response import PDF_ANSWER, download_headers
from shared.header_docs import IF_MATCH, versioned
from shared.http import etag_of, require_if_match
from shared.messaging import UnitOfWork
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/disclosure/rule-of-law-reports", tags=["rule-of-law"])
public_router = APIRouter(prefix="/public/v1/rule-of-law-reports", tags=["public"])


def _etag(report: RuleOfLawReport) -> str:
    return etag_of("rule-of-law-report", report.year, report.version)


def _content(report: RuleOfLawReport, *, public: bool = False) -> dict[str, Any]:
    published = report.stage == "published"
    return {
        "year": report.year,
        "title": report.title,
        "due_on": report.due_on,
        "activities": public_activities(report.activities) if public else report.activities,
        "figures": report.figures,
        "sections": reports.sections_of(report),
        "published_on": report.published_on,
        "document_url": reports.document_path(report.year) if published else None,
    }


def staff_view(report: RuleOfLawReport, response: Response) -> RuleOfLawReportStaff:
    response.headers["ETag"] = _etag(report)
    return RuleOfLawReportStaff.model_validate(
        {
            **_content(report),
            "stage": report.stage,
            "version": report.version,
            "drafted_by": report.drafted_by,
            "approved_by": report.approved_by,
            "approved_at": report.approved_at,
            "on_time": report.on_time,
        }
    )


@router.get("", operation_id="rule_of_law_report_tracking", response_model=list[RuleOfLawReportStatus])
async def tracking(request: Request, _caller: LegalOfficeReader, settings: Settings) -> list[RuleOfLawReportStatus]:
    """Each year's report against its due date (31 March of the next year): published, pending, or overdue
    (逾期) — overdue only for a year with data or one the bureau was told to report for."""
    async with runtime_of(request).uow() as uow:
        return await reports.tracking(uow, settings)


@router.post(
    "/{year}",
    operation_id="draft_rule_of_law_report",
    status_code=201,
    response_model=RuleOfLawReportStaff,
    responses=header_docs.created("get_rule_of_law_report", "year", field="year"),
    summary="起草法治政府建设年度报告 Draft the rule-of-law annual report",
)
async def draft(
    year: Year, request: Request, response: Response, caller: ReportDrafter, settings: Settings
) -> RuleOfLawReportStaff:
    """Assembled now from the activity register, the cases statistics, the referral statistics and the publication
    figures, with each section drafted from them; 409 once the year has a report, 503 if cases or referral cannot
    be read."""
    sources = await _sources(request, settings, year)
    report = await reports.draft_report(runtime_of(request).uow, settings, year, sources, caller=caller)
    response.headers["Location"] = f"{router.prefix}/{year}"
    return staff_view(report, response)


@router.get(
    "/{year}", operation_id="get_rule_of_law_report", response_model=RuleOfLawReportStaff, responses=versioned()
)
async def get(year: Year, request: Request, response: Response, caller: LegalOfficeReader) -> RuleOfLawReportStaff:
    async with runtime_of(request).uow() as uow:
        report = await reports.get_report(uow, year, caller=caller)
    return staff_view(report, response)


async def _sources(request: Request, settings: DisclosureSettings, year: int) -> reports.Sources:
    return await reports.read_sources(
        settings,
        year,
        cases_transport=request.app.state.cases_transport,
        referral_transport=request.app.state.referral_transport,
    )


Change = Callable[[UnitOfWork, RuleOfLawReport], Awaitable[RuleOfLawReport]]


async def _change(request: Request, response: Response, year: int, caller: Principal, change: Change) -> Any:
    async with runtime_of(request).uow() as uow:
        report = await reports.get_report(uow, year, caller=caller)
        require_if_match(request, _etag(report))
        await change(uow, report)
        await uow.commit()
    return staff_view(report, response)


@router.patch(
    "/{year}",
    operation_id="edit_rule_of_law_report",
    response_model=RuleOfLawReportStaff,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def edit(
    year: Year, body: RuleOfLawReportUpdate, request: Request, response: Response, caller: ReportDrafter
) -> Any:
    """编辑 sections; an approved report goes back to draft and needs the head's approval again."""
    return await _change(
        request, response, year, caller, lambda uow, r: reports.edit_report(uow, r, body, caller=caller)
    )


@router.post(
    "/{year}/figures",
    operation_id="refresh_rule_of_law_report",
    response_model=RuleOfLawReportStaff,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def refresh(year: Year, request: Request, response: Response, caller: ReportDrafter, settings: Settings) -> Any:
    """重新汇总: read the register and the other services' figures again (e.g. after entries recorded since the
    draft); sections nobody edited are drafted again, edited ones kept; an approved report goes back to draft."""
    sources = await _sources(request, settings, year)
    return await _change(
        request,
        response,
        year,
        caller,
        lambda uow, r: reports.refresh_report(uow, r, sources, caller=caller, settings=settings),
    )


@router.post(
    "/{year}/approval",
    operation_id="approve_rule_of_law_report",
    response_model=RuleOfLawReportStaff,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def approve(year: Year, request: Request, response: Response, caller: Head) -> Any:
    """负责人审定: the head approves the draft as it stands."""
    return await _change(request, response, year, caller, lambda uow, r: reports.approve_report(uow, r, caller=caller))


@router.post(
    "/{year}/publication",
    operation_id="publish_rule_of_law_report",
    response_model=RuleOfLawReportStaff,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def publish(
    year: Year,
    request: Request,
    response: Response,
    caller: Editor,
    settings: Settings,
    body: RuleOfLawReportPublish | None = None,
) -> Any:
    """发布 the approved report on the portal and the public API; ``published_on`` records an earlier day (补录)
    between 1 January of the next year and today; on time when on or before 31 March."""
    return await _change(
        request,
        response,
        year,
        caller,
        lambda uow, r: reports.publish_report(uow, r, body, caller=caller, settings=settings),
    )


@public_router.get(
    "",
    operation_id="public_rule_of_law_reports",
    response_model=None,
    responses={200: {"model": RuleOfLawReportList}},
    summary="法治政府建设年度报告",
)
async def list_published(request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        rows = await reports.published_reports(uow)
    items = [RuleOfLawReportSummary(year=r.year, title=r.title, published_on=r.published_on) for r in rows]
    return cached(request, RuleOfLawReportList(items=items).model_dump_json(), "application/json")


@public_router.get(
    "/{year}.pdf",
    operation_id="public_rule_of_law_report_document",
    response_class=Response,
    responses=PDF_ANSWER,
    summary="法治政府建设年度报告 (PDF)",
)
async def published_document(year: Year, request: Request, settings: Settings) -> Response:
    async with runtime_of(request).uow() as uow:
        report = await reports.published_report(uow, year)
    pdf = await asyncio.to_thread(reports.report_document, report, settings.authority)
    answer = cached(request, pdf, PDF_MEDIA_TYPE)
    answer.headers.update(download_headers(f"rule-of-law-report-{year}"))
    answer.headers["X-Content-SHA256"] = hashlib.sha256(pdf).hexdigest()
    return answer


@public_router.get(
    "/{year}",
    operation_id="public_rule_of_law_report",
    response_model=None,
    responses={200: {"model": RuleOfLawReportPublic}},
    summary="法治政府建设年度报告（单年）",
)
async def published(year: Year, request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        report = await reports.published_report(uow, year)
    body = RuleOfLawReportPublic.model_validate(_content(report, public=True)).model_dump_json()
    return cached(request, body, "application/json")
