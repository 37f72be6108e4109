"""Annual enforcement report (年度执法工作报告): built from the cases statistics (over HTTP) and the publication
figures, published to the portal and the public API, tracked against its 31 January due date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.disclosure import handlers, queries
from services.disclosure.domain.annual_report import PublicationFigures, build_report, report_due_on
from services.disclosure.public_api import cached
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import AnnualReport, WithdrawalNotice
from shared.audit import append_audit
from shared.auth import Principal, Role, issue_token
from shared.bounds import LegalDate
from shared.messaging import UnitOfWork
from shared.problems import Problem
from shared.service import requires, runtime_of

router = APIRouter(tags=["reports"])

Editor = Annotated[Principal, Depends(requires(Role.DISCLOSURE_EDITOR, Role.HEAD))]
Staff = Annotated[Principal, Depends(requires(Role.DISCLOSURE_EDITOR, Role.HEAD, Role.AUDITOR, Role.OFFICER))]
Year = Annotated[int, Path(ge=2000, le=2100)]


class ByKind(BaseModel):
    penalty: int
    seizure: int
    yellow_card: int
    order_to_correct: int
    daily_penalty: int
    production_restriction: int


class ByMedium(BaseModel):
    water: int
    air: int
    soil: int
    solid_waste: int
    noise: int
    radiation: int
    other: int


class CasesStatistics(BaseModel):
    """The cases service's ``GET /api/v1/cases/statistics`` answer (执法统计)."""

    year: int
    quarter: int | None
    inspections: int
    leads: int
    cases_filed: int
    cases_closed: int
    decisions_by_kind: ByKind
    fines_total_fen: int
    confiscation_total_fen: int
    review_meetings: int
    cases_reviewed: int
    referrals_by_medium: ByMedium


class ReportPublishRequest(BaseModel):
    model_config = {"extra": "forbid"}

    published_on: LegalDate | None = Field(default=None, description="实际发布日期 (补录); default today")


class ReportStatus(BaseModel):
    year: int
    due_on: date
    status: str = Field(description="pending | published | overdue")
    published_on: date | None
    on_time: bool | None


async def fetch_statistics(request: Request, year: int) -> CasesStatistics:
    """Read the year's statistics from cases with a service token; an unreachable cases service is a 503."""
    settings: DisclosureSettings = request.app.state.settings
    transport: httpx.AsyncBaseTransport | None = request.app.state.cases_transport
    token = issue_token(settings.common, subject="service:disclosure", roles=["auditor"], zone="staff")
    async with httpx.AsyncClient(base_url=settings.cases_url, transport=transport, timeout=10.0) as client:
        try:
            answer = await client.get(
                "/api/v1/cases/statistics", params={"year": year}, headers={"Authorization": f"Bearer {token}"}
            )
            answer.raise_for_status()
            return CasesStatistics.model_validate(answer.json())
        except (httpx.HTTPError, ValidationError, ValueError) as exc:
            raise Problem(
                503, f"案件统计暂不可用 Cases statistics unavailable: {exc}"[:500], slug="cases-unavailable"
            ) from exc


async def publication_figures(uow: UnitOfWork, *, year: int, today: date) -> PublicationFigures:
    total, _months = await queries.on_time_rates(uow, year=year, today=today)
    withdrawn = await uow.session.execute(
        select(func.count())
        .select_from(WithdrawalNotice)
        .where(
            col(WithdrawalNotice.withdrawn_on) >= date(year, 1, 1),
            col(WithdrawalNotice.withdrawn_on) <= date(year, 12, 31),
        )
    )
    return PublicationFigures(
        due=total.due, on_time=total.on_time, late=total.late, withdrawn=int(withdrawn.scalar_one())
    )


async def publish_report(
    uow: UnitOfWork, year: int, data: dict[str, Any], *, due_on: date, today: date, actor: str
) -> AnnualReport:
    """Publish (or republish with new figures) the year's report; its first publication date decides on-time."""
    report = await uow.session.get(AnnualReport, year)
    if report is None:
        report = AnnualReport(year=year, due_on=due_on, published_on=today, on_time=today <= due_on)
        uow.session.add(report)
    else:
        # Incremented in SQL, so that two editors republishing at once make versions n+1 and n+2, not n+1 twice.
        report.version = AnnualReport.version + 1
    report.data, report.status, report.published_by = data, "published", actor
    report.updated_at = datetime.now(UTC)
    await uow.session.flush()
    await uow.session.refresh(report, attribute_names=["version"])
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="annual_report",
        entity_id=str(year),
        action="published",
        data={"version": report.version, "on_time": report.on_time},
    )
    return report


@router.post(
    "/api/v1/disclosure/annual-reports/{year}",
    operation_id="publish_annual_report",
    summary="发布年度执法工作报告 Build and publish the annual report",
)
async def publish(
    year: Year, request: Request, caller: Editor, body: ReportPublishRequest | None = None
) -> dict[str, Any]:
    """``published_on`` records a report that went out on an earlier day (补录); it decides on-time."""
    settings: DisclosureSettings = request.app.state.settings
    today = handlers.local_today(settings.timezone)
    if year >= today.year:
        raise Problem(409, f"{year}年尚未结束 The year {year} is not over yet", slug="year-not-over")
    if body is not None and body.published_on is not None and not date(year + 1, 1, 1) <= body.published_on <= today:
        raise Problem(
            422,
            "发布日期须在次年1月1日至今天之间 published_on must lie between 1 January of the next year and today",
            slug="validation",
        )
    published_on = body.published_on if body is not None and body.published_on is not None else today
    statistics = await fetch_statistics(request, year)
    due_on = report_due_on(year, settings.annual_report_due_month_day)
    for attempt in (1, 2):
        try:
            async with runtime_of(request).uow() as uow:
                figures = await publication_figures(uow, year=year, today=today)
                data = build_report(
                    year, statistics.model_dump(mode="json"), figures, authority=settings.authority, due_on=due_on
                )
                report = await publish_report(uow, year, data, due_on=due_on, today=published_on, actor=caller.subject)
                await uow.commit()
            break
        except IntegrityError:
            # A concurrent first publication of the same year inserted the row: publish again as a new version.
            if attempt == 2:
                raise
    return {**data, "published_on": report.published_on, "on_time": report.on_time, "version": report.version}


@router.get(
    "/api/v1/disclosure/annual-reports", operation_id="annual_report_tracking", response_model=list[ReportStatus]
)
async def tracking(request: Request, _caller: Staff) -> list[ReportStatus]:
    """Each recent year's report against its due date: published, pending, or overdue (逾期)."""
    settings: DisclosureSettings = request.app.state.settings
    today = handlers.local_today(settings.timezone)
    async with runtime_of(request).uow() as uow:
        rows = {r.year: r for r in (await uow.session.execute(select(AnnualReport))).scalars()}
    statuses = []
    for year in range(today.year - 3, today.year):
        due_on, row = report_due_on(year, settings.annual_report_due_month_day), rows.get(year)
        status = "published" if row else ("overdue" if today > due_on else "pending")
        statuses.append(
            ReportStatus(
                year=year,
                due_on=due_on,
                status=status,
                published_on=row.published_on if row else None,
                on_time=row.on_time if row else None,
            )
        )
    return statuses


async def published_report(request: Request, year: int) -> AnnualReport:
    async with runtime_of(request).uow() as uow:
        report = await uow.session.get(AnnualReport, year)
    if report is None:
        raise Problem(404, f"{year}年度报告尚未发布 No published report for {year}")
    return report


@router.get("/public/v1/reports", operation_id="public_reports", response_model=None, tags=["public"])
async def public_reports(request: Request) -> Response:
    async with runtime_of(request).uow() as uow:
        rows = (await uow.session.execute(select(AnnualReport).order_by(col(AnnualReport.year).desc()))).scalars()
        items = [{"year": r.year, "title": r.data.get("title"), "published_on": r.published_on} for r in rows]
    return cached(request, ReportList(items=items).model_dump_json(), "application/json")


@router.get("/public/v1/reports/{year}", operation_id="public_report", response_model=None, tags=["public"])
async def public_report(year: Year, request: Request) -> Response:
    report = await published_report(request, year)
    body = {**report.data, "published_on": report.published_on, "version": report.version}
    return cached(request, PublicReport.model_validate(body).model_dump_json(), "application/json")


class ReportList(BaseModel):
    items: list[dict[str, Any]]


class PublicReport(BaseModel):
    model_config = {"extra": "allow"}

    year: int
    title: str
    published_on: date | None
