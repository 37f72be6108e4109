"""When a decision must be public (行政执法公示期限)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from shared.errors import Invalid

if TYPE_CHECKING:
    from shared.workdays import Calendar


@dataclass(frozen=True)
class PublicationDue:
    due_on: date
    working_days: int
    provisional: bool


def publication_due_date(calendar: Calendar, *, decided_on: date, working_days: int) -> PublicationDue:
    """The decision date plus the kind's working days (its entry in the decision-kinds table on the decision date);
    the decision day itself is not counted."""
    deadline = calendar.add_working_days(decided_on, working_days)
    return PublicationDue(due_on=deadline.due_on, working_days=working_days, provisional=deadline.provisional)


def withdrawal_due_date(calendar: Calendar, *, changed_on: date, working_days: int) -> date:
    """行政处罚法 §48 ¶2: a changed, revoked, unlawful or void decision is withdrawn within 3 working days."""
    return calendar.add_working_days(changed_on, working_days).due_on


def is_at_risk(calendar: Calendar, *, due_on: date, today: date, within: int) -> bool:
    """Still unpublished, not yet overdue, and due within ``within`` working days of today."""
    if due_on < today:
        return False
    return calendar.working_days_between(today, due_on) <= within


def check_published_on(published_on: date, *, decided_on: date, today: date) -> None:
    """审核发布 / 补录: a publication date lies between the decision date and today (Asia/Shanghai)."""
    if published_on > today:
        raise Invalid("发布日期不能晚于今天 published_on is in the future")
    if published_on < decided_on:
        raise Invalid("发布日期早于决定日期 published_on is before the decision date")


def is_overdue(*, due_on: date, today: date) -> bool:
    """Overdue from the first day after the due date (the due date itself is still on time)."""
    return today > due_on


@dataclass(frozen=True)
class OnTimeRate:
    """公示及时率 for a period: publications due in it, how many were (or are) late, and the share on time."""

    period: str
    due: int
    on_time: int
    late: int
    pending_not_due: int

    @property
    def rate(self) -> float | None:
        return on_time_share(self.on_time, self.late)


def on_time_share(on_time: int, late: int) -> float | None:
    """公示及时率: on time / (on time + late), to four places; None when nothing was decided either way."""
    decided = on_time + late
    return round(on_time / decided, 4) if decided else None


def on_time_rate(period: str, items: list[tuple[date, date | None]], *, today: date) -> OnTimeRate:
    """``items`` are (due_on, published_on) of the publications due in the period; unpublished past due are late."""
    on_time = sum(1 for due, published in items if published is not None and published <= due)
    late = sum(
        1
        for due, published in items
        if (published is not None and published > due) or (published is None and today > due)
    )
    waiting = sum(1 for due, published in items if published is None and today <= due)
    return OnTimeRate(period=period, due=len(items), on_time=on_time, late=late, pending_not_due=waiting)
