"""Annual enforcement report (年度执法工作报告): built from the cases statistics (over HTTP) and the publication
figures, published to the portal and the public API, tracked against its 31 January due date."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import httpx
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.disclosure.domain.annual_report import (
    PublicationFigures,
    build_report,
    check_report_publication,
    report_due_on,
    tracked_years,
    tracking_status,
)
from services.disclosure.handlers import queries
from services.disclosure.handlers.publications import local_today
from services.disclosure.schemas import AnnualReportStatus
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import AnnualReport, Publication, WithdrawalNotice
from shared.audit import append_audit
from shared.auth import issue_token
from shared.charts import bar_chart_svg
from shared.errors import NotFound, Unavailable
from shared.messaging import UnitOfWork
from shared.outbound import tls_context


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
    # Since the random inspections (双随机): empty from a cases service that does not count them yet.
    inspections_by_category: dict[str, dict[str, int]] = Field(default_factory=dict)
    registry_coverage: dict[str, dict[str, int]] = Field(default_factory=dict)
    # Since 重大执法决定法制审核 is counted: null from a cases service that does not count it yet.
    legal_reviews_required: int | None = None
    legal_reviews_before_decision: int | None = None


async def fetch_statistics(
    settings: DisclosureSettings, year: int, *, transport: httpx.AsyncBaseTransport | None, quarter: int | None = None
) -> CasesStatistics:
    """Read the year's (or a quarter's) statistics from cases with a service token; an unreachable cases service is
    a 503."""
    token = issue_token(settings.common, subject="service:disclosure", roles=["auditor"], zone="staff")
    async with httpx.AsyncClient(
        base_url=settings.cases_url, transport=transport, timeout=10.0, verify=tls_context()
    ) as client:
        try:
            answer = await client.get(
                "/api/v1/cases/statistics",
                params={"year": year} if quarter is None else {"year": year, "quarter": quarter},
                headers={"Authorization": f"Bearer {token}"},
            )
            answer.raise_for_status()
            return CasesStatistics.model_validate(answer.json())
        except (httpx.HTTPError, ValidationError, ValueError) as exc:
            raise Unavailable(
                f"案件统计暂不可用 Cases statistics unavailable: {exc}"[:500], slug="cases-unavailable"
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


def draw_chart(title: str, labels: Sequence[str], values: Sequence[int]) -> str:
    """The report's charts are drawn like the bulletins' (``shared.charts``), titled and read out as images."""
    return bar_chart_svg(labels, values, ylabel="件", title=title)


async def store_report(
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


async def publish_report(
    units: Callable[[], UnitOfWork],
    settings: DisclosureSettings,
    year: int,
    *,
    published_on: date | None,
    actor: str,
    cases_transport: httpx.AsyncBaseTransport | None,
) -> AnnualReport:
    """发布年度报告: built now from the cases statistics and the publication figures, then stored (one transaction)."""
    today = local_today(settings.timezone)
    day = published_on or today
    check_report_publication(year, day, today=today)
    statistics = await fetch_statistics(settings, year, transport=cases_transport)
    due_on = report_due_on(year, settings.annual_report_due_month_day)

    async def build_and_store() -> AnnualReport:
        async with units() as uow:
            figures = await publication_figures(uow, year=year, today=today)
            data = build_report(
                year,
                statistics.model_dump(mode="json"),
                figures,
                authority=settings.authority,
                due_on=due_on,
                draw=draw_chart,
            )
            report = await store_report(uow, year, data, due_on=due_on, today=day, actor=actor)
            await uow.commit()
        return report

    try:
        return await build_and_store()
    except IntegrityError:
        # A concurrent first publication of the same year inserted the row: publish again as a new version.
        return await build_and_store()


async def years_with_publications(uow: UnitOfWork) -> set[int]:
    """The years the bureau has decisions of (its publications' decision dates): the years it has data for."""
    found = await uow.session.execute(select(func.min(Publication.decided_on), func.max(Publication.decided_on)))
    first, last = found.one()
    return set(range(first.year, last.year + 1)) if first is not None and last is not None else set()


async def tracking(uow: UnitOfWork, settings: DisclosureSettings) -> list[AnnualReportStatus]:
    """Each year's report against its due date: published, pending, or overdue (逾期) — overdue only for a year
    the bureau has data of or was told to report for (``reports_required_from``); the last three years always."""
    today = local_today(settings.timezone)
    rows = {r.year: r for r in (await uow.session.execute(select(AnnualReport))).scalars()}
    data_years = await years_with_publications(uow) | set(rows)
    statuses = []
    for year in tracked_years(today, data_years, required_from=settings.reports_required_from):
        due_on, row = report_due_on(year, settings.annual_report_due_month_day), rows.get(year)
        status = tracking_status(
            year,
            due_on=due_on,
            today=today,
            published=row is not None,
            has_data=year in data_years,
            required_from=settings.reports_required_from,
        )
        statuses.append(
            AnnualReportStatus(
                year=year,
                due_on=due_on,
                status=status,
                published_on=row.published_on if row else None,
                on_time=row.on_time if row else None,
            )
        )
    return statuses


async def published_report(uow: UnitOfWork, year: int) -> AnnualReport:
    report = await uow.session.get(AnnualReport, year)
    if report is None:
        raise NotFound(f"{year}年度报告尚未发布 No published report for {year}")
    return report


async def published_reports(uow: UnitOfWork) -> list[AnnualReport]:
    """Every published report, newest year first."""
    return list((await uow.session.execute(select(AnnualReport).order_by(col(AnnualReport.year).desc()))).scalars())
