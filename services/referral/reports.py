"""Read models for staff: deadlines at risk or overdue, and the yearly statistics."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlmodel import col, select

from services.referral.access import REFERRAL
from services.referral.domain.deadlines import SHANGHAI, Deadline, DeadlineState, shanghai_date
from services.referral.domain.statistics import ReferralFact, YearStatistics, year_statistics
from services.referral.domain.steps import OPEN_STATUSES
from services.referral.tables import Referral
from services.referral.tools import Tools
from shared.auth import Principal
from shared.messaging import UnitOfWork

ATTENTION = frozenset({DeadlineState.AT_RISK, DeadlineState.OVERDUE})


async def deadlines_needing_attention(
    uow: UnitOfWork,
    tools: Tools,
    caller: Principal,
    *,
    now: datetime,
    states: frozenset[DeadlineState] = ATTENTION,
) -> list[tuple[Referral, Deadline, DeadlineState]]:
    """Open limits of the open referrals ``caller`` reaches in ``states``, the most urgent first."""
    query = select(Referral).where(col(Referral.status).in_([s.value for s in OPEN_STATUSES]))
    query = REFERRAL.where(query, caller, Referral)
    found: list[tuple[Referral, Deadline, DeadlineState]] = []
    for referral in (await uow.session.execute(query)).scalars():
        found.extend((referral, d, s) for d, s in tools.deadlines(referral, now=now) if s in states)
    return sorted(found, key=lambda item: _due_moment(item[1]))


def _due_moment(deadline: Deadline) -> datetime:
    if deadline.due_at is not None:
        return deadline.due_at
    return datetime.combine(deadline.due_on, time(23, 59, 59), tzinfo=SHANGHAI).astimezone(UTC)


async def statistics_for_year(uow: UnitOfWork, year: int) -> YearStatistics:
    """Referrals sent to the police in ``year`` (Asia/Shanghai)."""
    start = datetime.combine(date(year, 1, 1), time(), tzinfo=SHANGHAI)
    end = datetime.combine(date(year + 1, 1, 1), time(), tzinfo=SHANGHAI)
    query = select(Referral).where(col(Referral.sent_at) >= start, col(Referral.sent_at) < end)
    facts = [
        ReferralFact(
            medium=r.medium,
            sent_on=shanghai_date(r.sent_at),
            outcome=r.decision,
            decided_on=shanghai_date(r.first_decided_at) if r.first_decided_at else None,
        )
        for r in (await uow.session.execute(query)).scalars()
        if r.sent_at is not None
    ]
    return year_statistics(year, facts)
