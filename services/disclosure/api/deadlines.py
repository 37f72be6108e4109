"""Due dates (公示期限) and how publication keeps to them: at risk, overdue, the on-time rate."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.disclosure.api.deps import Settings, Staff, Today, Workdays, staff_view
from services.disclosure.domain.deadlines import OnTimeRate, publication_due_date
from services.disclosure.handlers import queries
from services.disclosure.schemas import DueDatePublic, OnTimeRatePublic, OnTimeStatistics, PublicationDeadlineList
from shared.bounds import LegalDate
from shared.contracts.common import DecisionKind
from shared.decision_kinds import kind_rule
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/disclosure", tags=["disclosure"])


@router.get("/due-date", operation_id="publication_due_date", response_model=DueDatePublic)
async def due_date(
    _caller: Staff,
    settings: Settings,
    calendar: Workdays,
    kind: Annotated[DecisionKind, Query(description="决定种类")],
    decided_on: Annotated[LegalDate, Query(description="决定日期 YYYY-MM-DD, 1949-10-01 – 2199-12-31")],
) -> DueDatePublic:
    """公示截止日期: the date by which a decision of this kind must be public, by the kind's period in force on the
    decision date (decision-kinds table: e.g. a production restriction is a penalty from 2021-07-15, 7 working
    days; 20 before)."""
    rule = kind_rule(settings, kind, decided_on)
    due = publication_due_date(calendar, decided_on=decided_on, working_days=rule.publication_working_days)
    return DueDatePublic(due_on=due.due_on, working_days=due.working_days, provisional=due.provisional)


@router.get("/deadlines/at-risk", operation_id="publications_at_risk", response_model=PublicationDeadlineList)
async def at_risk(
    request: Request, _caller: Staff, settings: Settings, calendar: Workdays, today: Today
) -> PublicationDeadlineList:
    """即将到期: unpublished and due within the configured working days (2 by default)."""
    async with runtime_of(request).uow() as uow:
        rows = await queries.at_risk(uow, calendar, today=today, within=settings.at_risk_working_days)
    return PublicationDeadlineList(today=today, items=[staff_view(r) for r in rows])


@router.get("/deadlines/overdue", operation_id="publications_overdue", response_model=PublicationDeadlineList)
async def overdue(request: Request, _caller: Staff, today: Today) -> PublicationDeadlineList:
    """已逾期: unpublished past the due date."""
    async with runtime_of(request).uow() as uow:
        rows = await queries.overdue(uow, today=today)
    return PublicationDeadlineList(today=today, items=[staff_view(r) for r in rows])


@router.get("/statistics/on-time", operation_id="on_time_rate", response_model=OnTimeStatistics)
async def on_time(
    request: Request, _caller: Staff, today: Today, year: Annotated[int, Query(ge=2000, le=2100)]
) -> OnTimeStatistics:
    """公示及时率 for the year and each month, by due date."""
    async with runtime_of(request).uow() as uow:
        total, months = await queries.on_time_rates(uow, year=year, today=today)
    return OnTimeStatistics(year=rate_view(total), months=[rate_view(m) for m in months])


def rate_view(rate: OnTimeRate) -> OnTimeRatePublic:
    return OnTimeRatePublic(**asdict(rate), rate=rate.rate)
