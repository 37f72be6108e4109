"""Referral statistics for the annual report (年度执法报告): by medium, by outcome, time to decision."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from shared.contracts.common import Medium

OUTCOMES = ("accepted", "declined", "returned", "pending")


@dataclass(frozen=True)
class ReferralFact:
    """One referral as the statistics see it; ``decided_on`` is the police's first decision."""

    medium: str
    sent_on: date
    outcome: str | None  # accepted | declined | returned; None while undecided
    decided_on: date | None


@dataclass(frozen=True)
class TimeToDecision:
    count: int
    mean_days: float | None
    median_days: float | None
    max_days: int | None


@dataclass(frozen=True)
class YearStatistics:
    year: int
    total: int
    by_medium: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_medium_and_outcome: dict[str, dict[str, int]] = field(default_factory=dict)
    time_to_decision: TimeToDecision = TimeToDecision(0, None, None, None)


def year_statistics(year: int, facts: Iterable[ReferralFact]) -> YearStatistics:
    """Referrals sent in ``year`` (Asia/Shanghai): every medium and outcome is listed, zeros included."""
    sent = [f for f in facts if f.sent_on.year == year]
    by_medium = Counter(f.medium for f in sent)
    by_outcome = Counter(f.outcome or "pending" for f in sent)
    cross: dict[str, dict[str, int]] = {m.value: dict.fromkeys(OUTCOMES, 0) for m in Medium}
    for fact in sent:
        cross.setdefault(fact.medium, dict.fromkeys(OUTCOMES, 0))[fact.outcome or "pending"] += 1
    days = [(f.decided_on - f.sent_on).days for f in sent if f.decided_on is not None]
    return YearStatistics(
        year=year,
        total=len(sent),
        by_medium={m.value: by_medium.get(m.value, 0) for m in Medium} | dict(by_medium),
        by_outcome={o: by_outcome.get(o, 0) for o in OUTCOMES},
        by_medium_and_outcome=cross,
        time_to_decision=TimeToDecision(
            count=len(days),
            mean_days=round(statistics.fmean(days), 2) if days else None,
            median_days=float(statistics.median(days)) if days else None,
            max_days=max(days) if days else None,
        ),
    )
