"""Time limits of a referral (domain §4) and whether each is met, at risk or overdue.

The amounts and units are data (``DeadlineRule`` values from settings); which moment starts a limit and which step
meets it is the structure of the procedure, kept here. Legal dates are Asia/Shanghai dates; a 24-hour limit is a
moment. "3 days" are working days (domain §0), 30 days calendar days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the protocol only: the rules run on any calendar that does its arithmetic
    from shared.workdays import Calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")

Unit = Literal["hours", "working_days", "calendar_days"]
Obligor = Literal["bureau", "police"]


@dataclass(frozen=True)
class DeadlineRule:
    amount: int
    unit: Unit


class DeadlineState(StrEnum):
    MET = "met"
    MET_LATE = "met_late"
    PENDING = "pending"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class ReferralClock:
    """The moments of a referral that start or meet a time limit."""

    approved_at: datetime
    reported_on: date | None = None
    sent_at: datetime | None = None
    received_at: datetime | None = None
    notice_at: datetime | None = None
    supplemented_at: datetime | None = None
    first_decision: str | None = None  # the police's first answer; a reconsideration answer may change it
    first_decided_at: datetime | None = None
    decision: str | None = None  # the current answer
    decided_at: datetime | None = None
    decision_track: str = "normal"
    reconsideration_requested_at: datetime | None = None
    reconsideration_answered_at: datetime | None = None
    reconsideration_answer: str | None = None
    supervision_requested_at: datetime | None = None
    exhibits_handed_over_at: datetime | None = None


@dataclass(frozen=True)
class Deadline:
    name: str
    obligor: Obligor
    starts_on: date
    due_on: date
    due_at: datetime | None  # for limits in hours; otherwise the end of ``due_on`` in Shanghai
    provisional: bool
    met_at: datetime | None


def shanghai_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def due(calendar: Calendar, rule: DeadlineRule, start: datetime | date) -> tuple[date, datetime | None, bool]:
    """(due date, due moment for hour limits, provisional) of a limit starting at ``start``."""
    if rule.unit == "hours":
        if not isinstance(start, datetime):
            start = _start_of(start)
        moment = start + timedelta(hours=rule.amount)
        return shanghai_date(moment), moment, False
    day = shanghai_date(start) if isinstance(start, datetime) else start
    if rule.unit == "working_days":
        found = calendar.add_working_days(day, rule.amount)
    else:
        found = calendar.add_calendar_days(day, rule.amount)
    return found.due_on, None, found.provisional


def referral_deadlines(
    clock: ReferralClock,
    *,
    calendar: Calendar,
    rules: Mapping[str, DeadlineRule],
    decision_tracks: Mapping[str, DeadlineRule],
) -> list[Deadline]:
    """Every limit that has started, in procedural order, with the moment it was met (if it was)."""
    out: list[Deadline] = []

    def add(name: str, obligor: Obligor, start: datetime | date | None, met: datetime | date | None) -> None:
        if start is None:
            return
        rule = decision_tracks[clock.decision_track] if name == "decision" else rules[name]
        due_on, due_at, provisional = due(calendar, rule, start)
        starts_on = shanghai_date(start) if isinstance(start, datetime) else start
        met_at = met if isinstance(met, datetime) or met is None else _start_of(met)
        out.append(Deadline(name, obligor, starts_on, due_on, due_at, provisional, met_at))

    add("approval", "bureau", clock.reported_on, clock.approved_at)
    add("transfer", "bureau", clock.approved_at, clock.sent_at)
    add("receipt", "police", clock.sent_at, clock.received_at)
    add("supplement", "bureau", clock.notice_at, clock.supplemented_at)
    add("decision", "police", _decision_start(clock), clock.first_decided_at)
    _contest_deadlines(clock, add)
    if clock.decision == "accepted":
        add("exhibits_handover", "bureau", clock.decided_at, clock.exhibits_handed_over_at)
    return out


def _decision_start(clock: ReferralClock) -> datetime | None:
    # The police's clock restarts once the bureau supplements the file.
    if clock.supplemented_at is not None and clock.received_at is not None:
        return max(clock.received_at, clock.supplemented_at)
    return clock.received_at


def _contest_deadlines(clock: ReferralClock, add: _Adder) -> None:
    if clock.first_decision != "declined":
        return
    # §9: the refusal is contested within 3 days by a reconsideration request or, directly, a supervision request.
    contested = clock.reconsideration_requested_at or clock.supervision_requested_at
    add("reconsideration_request", "bureau", clock.first_decided_at, contested)
    add("reconsideration_answer", "police", clock.reconsideration_requested_at, clock.reconsideration_answered_at)
    if clock.reconsideration_answer == "declined":
        add("supervision_request", "bureau", clock.reconsideration_answered_at, clock.supervision_requested_at)


class _Adder(Protocol):
    def __call__(
        self, name: str, obligor: Obligor, start: datetime | date | None, met: datetime | date | None
    ) -> None: ...


def deadline_state(
    deadline: Deadline,
    *,
    now: datetime,
    calendar: Calendar,
    at_risk_hours: int,
    at_risk_working_days: int,
) -> DeadlineState:
    """Met (on time or late), or, while open: overdue, at risk (close to the limit) or pending."""
    if deadline.met_at is not None:
        return DeadlineState.MET if not _late(deadline, deadline.met_at) else DeadlineState.MET_LATE
    if _late(deadline, now):
        return DeadlineState.OVERDUE
    if deadline.due_at is not None:
        close = deadline.due_at - now <= timedelta(hours=at_risk_hours)
    else:
        close = calendar.working_days_between(shanghai_date(now), deadline.due_on) <= at_risk_working_days
    return DeadlineState.AT_RISK if close else DeadlineState.PENDING


def _late(deadline: Deadline, moment: datetime) -> bool:
    if deadline.due_at is not None:
        return moment > deadline.due_at
    return shanghai_date(moment) > deadline.due_on
