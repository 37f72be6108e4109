"""The rule-of-law annual report (法治政府建设年度报告): drafted from the activity register, the cases statistics (read
over HTTP with a service token, as the enforcement report does) and the publication figures; edited, approved by
the head, published on the portal and the public API (with a PDF), tracked against 31 March of the next year."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.disclosure.access import OWNERSHIP
from services.disclosure.domain.activities import register_totals
from services.disclosure.domain.annual_report import check_report_publication, tracked_years, tracking_status
from services.disclosure.domain.rule_of_law_report import (
    SECTION_TITLES,
    check_approval,
    check_edit,
    check_publication,
    draft_sections,
    redrafted,
    report_due_on,
    system_figures,
)
from services.disclosure.handlers import activities
from services.disclosure.handlers.annual_reports import fetch_statistics, publication_figures, years_with_publications
from services.disclosure.handlers.publications import local_today
from services.disclosure.schemas import RuleOfLawReportPublish, RuleOfLawReportStatus, RuleOfLawReportUpdate
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import RuleOfLawReport
from shared.audit import append_audit
from shared.auth import Principal, issue_token
from shared.documents import FormalDocument, Heading, Paragraph, Signature, render_pdf
from shared.errors import Conflict, NotFound, Unavailable
from shared.messaging import UnitOfWork
from shared.outbound import tls_context

REPORT = OWNERSHIP["rule_of_law_report"]


class ReferralStatistics(BaseModel):
    """The referral service's ``GET /api/v1/referral/statistics`` answer (移送统计), the parts the report reads."""

    year: int
    total: int
    by_medium: dict[str, int]
    by_outcome: dict[str, int]


async def fetch_referral_statistics(
    settings: DisclosureSettings, year: int, *, transport: httpx.AsyncBaseTransport | None
) -> ReferralStatistics:
    """Read the year's referrals from the referral service with a service token; unreachable, it is a 503."""
    token = issue_token(settings.common, subject="service:disclosure", roles=["auditor"], zone="staff")
    async with httpx.AsyncClient(
        base_url=settings.referral_url, transport=transport, timeout=10.0, verify=tls_context()
    ) as client:
        try:
            answer = await client.get(
                "/api/v1/referral/statistics", params={"year": year}, headers={"Authorization": f"Bearer {token}"}
            )
            answer.raise_for_status()
            return ReferralStatistics.model_validate(answer.json())
        except (httpx.HTTPError, ValidationError, ValueError) as exc:
            raise Unavailable(
                f"移送统计暂不可用 Referral statistics unavailable: {exc}"[:500], slug="referral-unavailable"
            ) from exc


def title_of(authority: str, year: int) -> str:
    return f"{authority}{year}年法治政府建设年度报告"


@dataclass(frozen=True)
class Sources:
    """What the report reads from the other services: the cases and the referral statistics of the year."""

    statistics: dict[str, Any]
    referrals: dict[str, Any]


async def read_sources(
    settings: DisclosureSettings,
    year: int,
    *,
    cases_transport: httpx.AsyncBaseTransport | None,
    referral_transport: httpx.AsyncBaseTransport | None,
) -> Sources:
    """The year must be over; cases and referral are read over HTTP (503 if either cannot be)."""
    if year >= local_today(settings.timezone).year:
        raise Conflict(f"{year}年尚未结束 The year {year} is not over yet", slug="year-not-over")
    statistics = await fetch_statistics(settings, year, transport=cases_transport)
    referrals = await fetch_referral_statistics(settings, year, transport=referral_transport)
    return Sources(statistics.model_dump(mode="json"), referrals.model_dump(mode="json"))


async def _assemble(
    uow: UnitOfWork, settings: DisclosureSettings, year: int, sources: Sources
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The register's totals and the system's figures of the year."""
    register = register_totals(await activities.entries_of_year(uow, year))
    today = local_today(settings.timezone)
    publication = await publication_figures(uow, year=year, today=today)
    return register, system_figures(sources.statistics, publication, referrals=sources.referrals)


async def draft_report(
    units: Callable[[], UnitOfWork], settings: DisclosureSettings, year: int, sources: Sources, *, caller: Principal
) -> RuleOfLawReport:
    """起草: the year's register totals and the system's figures, with the sections drafted from them."""
    try:
        async with units() as uow:
            if await uow.session.get(RuleOfLawReport, year) is not None:
                raise Conflict(f"{year}年度报告已起草 The {year} report exists", slug="report-exists")
            register, figures = await _assemble(uow, settings, year, sources)
            report = RuleOfLawReport(
                year=year,
                title=title_of(settings.authority, year),
                due_on=report_due_on(year, settings.rule_of_law_report_due_month_day),
                activities=register,
                figures=figures,
                sections=draft_sections(year, settings.authority, register, figures),
                drafted_by=caller.subject,
            )
            uow.session.add(report)
            await uow.session.flush()
            await _audit(uow, report, caller, "drafted")
            await uow.commit()
    except IntegrityError as exc:  # a concurrent draft of the same year
        raise Conflict(f"{year}年度报告已起草 The {year} report exists", slug="report-exists") from exc
    return report


async def refresh_report(
    uow: UnitOfWork, report: RuleOfLawReport, sources: Sources, *, caller: Principal, settings: DisclosureSettings
) -> RuleOfLawReport:
    """重新汇总: the figures read again (entries recorded since the draft); the sections nobody edited are drafted
    again from them, the edited ones kept. An approved report goes back to draft."""
    stage = check_edit(report.stage)
    before = draft_sections(report.year, settings.authority, report.activities, report.figures)
    register, figures = await _assemble(uow, settings, report.year, sources)
    after = draft_sections(report.year, settings.authority, register, figures)
    report.sections = redrafted(report.sections, before=before, after=after)
    report.activities, report.figures, report.stage = register, figures, stage
    report.approved_by, report.approved_at = None, None
    await _changed(uow, report, caller, "refreshed")
    return report


async def get_report(uow: UnitOfWork, year: int, *, caller: Principal) -> RuleOfLawReport:
    return REPORT.check(caller, await uow.session.get(RuleOfLawReport, year), str(year))


async def edit_report(
    uow: UnitOfWork, report: RuleOfLawReport, body: RuleOfLawReportUpdate, *, caller: Principal
) -> RuleOfLawReport:
    """编辑 sections; an approved report goes back to draft (its approval no longer covers the text)."""
    report.stage = check_edit(report.stage)
    report.sections = {**report.sections, **{str(k): v for k, v in body.sections.items()}}
    report.approved_by, report.approved_at = None, None
    await _changed(uow, report, caller, "edited", sections=sorted(body.sections))
    return report


async def approve_report(uow: UnitOfWork, report: RuleOfLawReport, *, caller: Principal) -> RuleOfLawReport:
    """负责人审定."""
    report.stage = check_approval(report.stage)
    report.approved_by, report.approved_at = caller.subject, datetime.now(UTC)
    await _changed(uow, report, caller, "approved")
    return report


async def publish_report(
    uow: UnitOfWork,
    report: RuleOfLawReport,
    body: RuleOfLawReportPublish | None,
    *,
    caller: Principal,
    settings: DisclosureSettings,
) -> RuleOfLawReport:
    """发布 the approved report; ``published_on`` records an earlier day (补录) and decides on-time."""
    today = local_today(settings.timezone)
    day = (body.published_on if body is not None else None) or today
    stage = check_publication(report.stage)
    check_report_publication(report.year, day, today=today)
    report.stage, report.published_on, report.published_by = stage, day, caller.subject
    report.on_time = day <= report.due_on
    await _changed(uow, report, caller, "published", published_on=day.isoformat(), on_time=report.on_time)
    return report


async def _changed(uow: UnitOfWork, report: RuleOfLawReport, caller: Principal, action: str, **data: Any) -> None:
    report.version += 1
    report.updated_at = datetime.now(UTC)
    await _audit(uow, report, caller, action, **data)


async def _audit(uow: UnitOfWork, report: RuleOfLawReport, caller: Principal, action: str, **data: Any) -> None:
    await append_audit(
        uow.session,
        actor=caller.subject,
        entity_type="rule_of_law_report",
        entity_id=str(report.year),
        action=action,
        data={"stage": report.stage, "version": report.version, **data},
    )


async def tracking(uow: UnitOfWork, settings: DisclosureSettings) -> list[RuleOfLawReportStatus]:
    """Each year's report against its due date; overdue only for a year with data or one the bureau was told to
    report for (``reports_required_from``)."""
    today = local_today(settings.timezone)
    rows = {r.year: r for r in (await uow.session.execute(select(RuleOfLawReport))).scalars()}
    data_years = await activities.years_with_entries(uow) | await years_with_publications(uow) | set(rows)
    statuses = []
    for year in tracked_years(today, data_years, required_from=settings.reports_required_from):
        row, due_on = rows.get(year), report_due_on(year, settings.rule_of_law_report_due_month_day)
        published = row is not None and row.stage == "published"
        status = tracking_status(
            year,
            due_on=due_on,
            today=today,
            published=published,
            has_data=year in data_years,
            required_from=settings.reports_required_from,
        )
        statuses.append(
            RuleOfLawReportStatus(
                year=year,
                due_on=due_on,
                status=status,
                stage=row.stage if row else None,
                published_on=row.published_on if row else None,
                on_time=row.on_time if row else None,
            )
        )
    return statuses


async def published_report(uow: UnitOfWork, year: int) -> RuleOfLawReport:
    report = await uow.session.get(RuleOfLawReport, year)
    if report is None or report.stage != "published":
        raise NotFound(f"{year}年法治政府建设年度报告尚未发布 No published rule-of-law report for {year}")
    return report


async def published_reports(uow: UnitOfWork) -> list[RuleOfLawReport]:
    """Every published report, newest year first."""
    statement = select(RuleOfLawReport).where(col(RuleOfLawReport.stage) == "published")
    return list((await uow.session.execute(statement.order_by(col(RuleOfLawReport.year).desc()))).scalars())


def sections_of(report: RuleOfLawReport) -> list[dict[str, str]]:
    return [{"key": k, "title": t, "text": report.sections.get(k, "")} for k, t in SECTION_TITLES.items()]


def report_document(report: RuleOfLawReport, authority: str) -> bytes:
    """The published report as PDF, from its sections (nothing personal is in it: figures and activities)."""
    blocks: list[Heading | Paragraph | Signature] = []
    for section in sections_of(report):
        blocks += [Heading(section["title"]), Paragraph(section["text"])]
    blocks.append(Signature(authority, report.published_on))
    return render_pdf(FormalDocument(authority=authority, title=report.title, number=None, blocks=tuple(blocks)))


def document_path(year: int) -> str:
    return f"/public/v1/rule-of-law-reports/{year}.pdf"
