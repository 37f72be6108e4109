"""Legal time limits of a case (domain.md §0–1): which day each step is due, and the clock stops.

Working-day periods (3/5/7 days) and calendar-day periods (15/30/90 days) follow §0: the start day is not counted;
a calendar-day deadline landing on a non-working day moves to the next working day. The calendar is passed in
(anything with ``add_working_days`` / ``add_calendar_days``), so these rules stay pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from dateutil.relativedelta import relativedelta


class DueDate(Protocol):
    @property
    def due_on(self) -> date: ...

    @property
    def provisional(self) -> bool: ...


class Calendar(Protocol):
    def add_working_days(self, start: date, days: int) -> DueDate: ...

    def add_calendar_days(self, start: date, days: int) -> DueDate: ...


@dataclass(frozen=True)
class Limits:
    """The numbers of the rules, from settings (data, so a rule change is an edit)."""

    lead_days: int = 15
    lead_extension_days: int = 15
    decision_days: int = 90
    head_extension_days: int = 30
    answer_working_days: int = 5
    service_working_days: int = 7
    payment_days: int = 15
    surcharge_percent_per_day: int = 3
    court_enforcement_months: int = 3
    reconsideration_days: int = 60  # 行政复议法: 60 days to apply for reconsideration
    litigation_months: int = 6  # 行政诉讼法 §46: 6 months to sue
    demand_days: int = 10  # 行政强制法 §54: the party's 10 days after the demand (催告) is served
    time_bar_years: int = 2  # 行政处罚法 §36: not discovered within 2 years → no penalty
    time_bar_harm_years: int = 5  # … 5 where life, health or financial safety was harmed with consequences
    preservation_working_days: int = 7  # 行政处罚法 §56: evidence registered and preserved, disposed within 7 days
    hearing_notice_working_days: int = 7  # 行政处罚法 §64(二): hearing notified at least 7 days before


@dataclass(frozen=True)
class ClockStop:
    """A period not counted in the 90 days (中止, 听证, 检测鉴定, 公告, 送达, 涉嫌犯罪移送): [started_on, ended_on)."""

    started_on: date
    ended_on: date | None
    reason: str


@dataclass(frozen=True)
class Due:
    due_on: date
    provisional: bool
    opens_on: date | None = None  # a window (court enforcement) that cannot be met before this day


def stopped_days(stops: Iterable[ClockStop], *, today: date) -> int:
    """Calendar days the clock stood still; an open stop counts up to today. Overlapping stops count once."""
    days: set[date] = set()
    for stop in stops:
        end = stop.ended_on or today
        day = stop.started_on
        while day < end:
            days.add(day)
            day += timedelta(days=1)
    return len(days)


def lead_filing_due(cal: Calendar, received_on: date, *, extended: bool, limits: Limits) -> Due:
    """线索 → decide whether to file within 15 days, +15 with the head's approval."""
    days = limits.lead_days + (limits.lead_extension_days if extended else 0)
    return _due(cal.add_calendar_days(received_on, days))


def decision_due(
    cal: Calendar,
    filed_on: date,
    *,
    stops: Iterable[ClockStop] = (),
    head_extension: bool = False,
    collective_extension_days: int = 0,
    today: date,
    limits: Limits,
) -> Due:
    """作出决定: 90 days from filing, +30 (head), plus the period the collective discussion set for a further
    extension (no fixed length), plus every stopped day."""
    days = limits.decision_days + stopped_days(stops, today=today)
    days += limits.head_extension_days if head_extension else 0
    days += collective_extension_days
    return _due(cal.add_calendar_days(filed_on, days))


def answer_due(cal: Calendar, notice_received_on: date, *, limits: Limits) -> Due:
    """陈述申辩 / 听证申请: the party answers within 5 working days of receiving the notice."""
    return _due(cal.add_working_days(notice_received_on, limits.answer_working_days))


def service_due(cal: Calendar, decided_on: date, *, limits: Limits) -> Due:
    """送达: within 7 working days of the decision (unless served on the spot)."""
    return _due(cal.add_working_days(decided_on, limits.service_working_days))


def payment_due(cal: Calendar, served_on: date, *, limits: Limits) -> Due:
    """缴纳罚款: within 15 days of service."""
    return _due(cal.add_calendar_days(served_on, limits.payment_days))


def late_surcharge_fen(fine_fen: int, *, due_on: date, paid_on: date, limits: Limits) -> int:
    """加处罚款: 3 % of the fine per day late, never more than the fine itself (行政处罚法 §72(一), 行政强制法 §45).

    ``fine_fen`` is the fine alone: confiscated gains or property carry no surcharge."""
    days_late = max(0, (paid_on - due_on).days)
    return min(fine_fen, fine_fen * limits.surcharge_percent_per_day * days_late // 100)


def court_enforcement_window(cal: Calendar, served_on: date, demand_on: date | None, *, limits: Limits) -> Due:
    """申请法院强制执行 (行政强制法 §53/§54): due on the window's last day; ``opens_on`` is its first.

    The bureau may apply only once the reconsideration (60 days) and litigation (6 months) periods from service have
    run out unused and the party's 10 days after a served demand (催告) have passed; the application is due within
    3 months from the end of those periods. Without a demand recorded, ``opens_on`` is the earliest day a demand
    served in time allows. A period ending on a non-working day runs to the next working day (§0)."""
    reconsideration = cal.add_calendar_days(served_on, limits.reconsideration_days)
    litigation = cal.add_calendar_days(add_months(served_on, limits.litigation_months), 0)
    periods_end = max(reconsideration.due_on, litigation.due_on)
    found = [reconsideration, litigation]
    opens_on = periods_end + timedelta(days=1)
    if demand_on is not None:
        demand = cal.add_calendar_days(demand_on, limits.demand_days)
        found.append(demand)
        opens_on = max(opens_on, demand.due_on + timedelta(days=1))
    closes = cal.add_calendar_days(add_months(periods_end, limits.court_enforcement_months), 0)
    found.append(closes)
    return Due(closes.due_on, any(f.provisional for f in found), opens_on=opens_on)


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later; the month's last day when it is shorter (e.g. 31 Jan + 1 → 28/29 Feb)."""
    later: date = day + relativedelta(months=months)
    return later


def _due(found: DueDate) -> Due:
    return Due(due_on=found.due_on, provisional=found.provisional)


def time_bar_ends_on(committed_on: date, ended_on: date | None, *, serious_harm: bool, limits: Limits) -> date:
    """追诉时效 (行政处罚法 §36): the last day on which the violation may still be discovered. Counted from the day
    it was committed or, for a continuing violation (连续或者继续状态), from the day it ended; 2 years, 5 where life,
    health or financial safety was harmed with consequences. The start day is not counted: a violation ended on
    2019-06-01 may be discovered until 2021-06-01. A limitation period is not a step to take, so it does not move
    to the next working day."""
    years = limits.time_bar_harm_years if serious_harm else limits.time_bar_years
    return add_months(ended_on or committed_on, 12 * years)


def preservation_due(cal: Calendar, preserved_on: date, *, limits: Limits) -> Due:
    """先行登记保存: a disposal decision within 7 working days, or the preservation lapses (§56, §85)."""
    return _due(cal.add_working_days(preserved_on, limits.preservation_working_days))


def earliest_hearing(cal: Calendar, notified_on: date, *, limits: Limits) -> Due:
    """听证: the party is notified at least 7 working days before (§64(二), §85): the hearing may be held on the
    7th working day after the notice at the earliest."""
    return _due(cal.add_working_days(notified_on, limits.hearing_notice_working_days))
