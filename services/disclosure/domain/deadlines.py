"""When a decision must be public (行政执法公示期限)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from shared.contracts.common import DecisionKind


class Deadline(Protocol):
    @property
    def due_on(self) -> date: ...

    @property
    def provisional(self) -> bool: ...


class WorkingDayCalendar(Protocol):
    def add_working_days(self, start: date, days: int) -> Deadline: ...


@dataclass(frozen=True)
class PublicationDue:
    due_on: date
    working_days: int
    provisional: bool


def publication_due_date(
    calendar: WorkingDayCalendar, *, kind: DecisionKind, decided_on: date, working_days: Mapping[DecisionKind, int]
) -> PublicationDue:
    """The decision date plus the kind's working days; the decision day itself is not counted."""
    days = working_days[kind]
    deadline = calendar.add_working_days(decided_on, days)
    return PublicationDue(due_on=deadline.due_on, working_days=days, provisional=deadline.provisional)
