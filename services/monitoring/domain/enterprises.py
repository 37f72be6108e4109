"""Enterprises' emission data (自行监测信息公开): the permit limit in force, expected results per month, completeness.

An enterprise (排污单位) has outlets (排放口); each outlet is measured by one pollution-source station (its HJ 212
MN) and holds dated permit limits (排污许可限值) per pollutant. A limit applies to readings of the local days from
``valid_from`` to ``valid_to`` inclusive (open-ended when ``valid_to`` is None): a renewed permit is a new limit
from its first day, and a reading is judged by the limit in force on its own day.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

# How often an outlet's results are due (自行监测频次, HJ 819-2017 and the industry guidelines): automatic
# monitoring reports hourly values; manual self-monitoring a daily, monthly or quarterly result.
FREQUENCIES = ("hour", "day", "month", "quarter")
FREQUENCY_LABELS = {"hour": "自动监测（小时）", "day": "每日", "month": "每月", "quarter": "每季度"}
# The reading interval a frequency reports in: monthly and quarterly results are one day's sample.
INTERVAL_OF = {"hour": "hour", "day": "day", "month": "day", "quarter": "day"}


@dataclass(frozen=True)
class Limit:
    """A permit limit of one pollutant at one outlet, for the local days ``valid_from`` … ``valid_to``."""

    parameter: str
    limit: float
    unit: str
    valid_from: date
    valid_to: date | None

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class OverlappingLimit(ValueError):
    """Two limits of the same pollutant at the same outlet would both be in force on some day."""


def check_new_limit(existing: Iterable[Limit], new: Limit) -> Limit | None:
    """A new limit may not overlap a limit of the same pollutant: each day has at most one limit in force. A new
    open-ended limit starting after an open-ended one renews it (换证、限值调整): that one ends the day before, and is
    returned (as it was) for the caller to end; otherwise None. A limit with an end inside an open-ended one overlaps
    it (ending the permit's limit there would leave the days after it without one)."""
    if new.valid_to is not None and new.valid_to < new.valid_from:
        raise OverlappingLimit(f"{new.parameter}: valid_to {new.valid_to} is before valid_from {new.valid_from}")
    superseded = None
    for known in existing:
        if known.parameter != new.parameter:
            continue
        if known.valid_to is None and new.valid_to is None and known.valid_from < new.valid_from:
            superseded = known  # an open-ended limit renewed by another: a temporary one overlaps instead
            continue
        ends_before = new.valid_to is not None and new.valid_to < known.valid_from
        starts_after = known.valid_to is not None and known.valid_to < new.valid_from
        if not (ends_before or starts_after):
            raise OverlappingLimit(
                f"{new.parameter}: {new.valid_from}…{new.valid_to or ''} overlaps "
                f"{known.valid_from}…{known.valid_to or ''}"
            )
    return superseded


def limit_in_force(limits: Sequence[Limit], parameter: str, day: date) -> Limit | None:
    """The limit of ``parameter`` in force on ``day``, or None (no permit limit: nothing to exceed)."""
    return next((lim for lim in limits if lim.parameter == parameter and lim.in_force(day)), None)


def quarter_month(month: int) -> int:
    """The month a quarterly result is counted in (the first month of its quarter)."""
    return month - (month - 1) % 3


@dataclass(frozen=True)
class MonthCompleteness:
    """数据完整率: results reported (reviewed and valid) against results due, for one outlet and month."""

    month: int
    reported: int
    expected: int

    @property
    def ratio(self) -> float | None:
        return None if self.expected == 0 else round(min(self.reported, self.expected) / self.expected, 4)


def completeness(
    frequency: str, year: int, limits: Sequence[Limit], reported: dict[tuple[str, int], int], today: date
) -> list[MonthCompleteness]:
    """Per month of ``year``: reported results (``reported[(parameter, month)]``, each capped at what was due)
    against the results due. A result is due only for a day that has passed (up to ``today``) on which a permit
    limit of its pollutant was in force: a month to come, a year before the permit, or a pollutant limited from
    July is not counted as missing from January."""
    months = []
    parameters = sorted({lim.parameter for lim in limits})
    for month in range(1, 13):
        got = due = 0
        for parameter in parameters:
            owed = _due(frequency, year, month, [lim for lim in limits if lim.parameter == parameter], today)
            due += owed
            got += min(reported.get((parameter, month), 0), owed)
        months.append(MonthCompleteness(month, got, due))
    return months


def _due(frequency: str, year: int, month: int, limits: Sequence[Limit], today: date) -> int:
    """Results of one pollutant due in a month: its past days with a limit in force (hours of them, the days, one
    for the month, or one for the quarter counted in its first month)."""
    if frequency == "quarter" and month % 3 != 1:
        return 0
    months = range(month, month + 3) if frequency == "quarter" else range(month, month + 1)
    days = [
        day
        for m in months
        for n in range(1, calendar.monthrange(year, m)[1] + 1)
        if (day := date(year, m, n)) <= today and any(lim.in_force(day) for lim in limits)
    ]
    if frequency == "hour":
        return 24 * len(days)
    if frequency == "day":
        return len(days)
    if frequency in ("month", "quarter"):
        return 1 if days else 0
    raise ValueError(f"unknown frequency {frequency}")


@dataclass(frozen=True)
class MonthProfile:
    """One month of an outlet's pollutant for the effluent chart: the mean and the maximum of its reviewed valid
    values, and the strictest permit limit in force on any day of the month."""

    month: int
    mean: float | None
    maximum: float | None
    limit: float | None


def month_profiles(
    limits: Sequence[Limit], parameter: str, year: int, values: dict[int, list[float]]
) -> list[MonthProfile]:
    """The twelve months of ``year`` from the values by local month."""
    months = []
    for month in range(1, 13):
        found = values.get(month, [])
        days = (date(year, month, n) for n in range(1, calendar.monthrange(year, month)[1] + 1))
        in_force = [p.limit for day in days if (p := limit_in_force(limits, parameter, day))]
        mean = round(sum(found) / len(found), 3) if found else None
        months.append(MonthProfile(month, mean, max(found) if found else None, min(in_force) if in_force else None))
    return months
