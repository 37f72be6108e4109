"""The yearly referral statistics (年度统计) read from the referrals sent in a year."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import col, select

from services.referral.domain.deadlines import SHANGHAI, shanghai_date
from services.referral.domain.statistics import ReferralFact, YearStatistics, year_statistics
from services.referral.tables import Referral
from shared.messaging import UnitOfWork


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
