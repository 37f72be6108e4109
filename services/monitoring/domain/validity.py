"""数据有效性: what makes a value valid, the automatic checks on a station's series, and the minimum counts
statistics need (GB 3095).

A stored value is valid (有效数据) when all three hold, and only valid values count in any read that computes from
data (aggregations, AQI, water class, noise, exceedances, bulletins):

- its instrument flag is ``N`` (the station says it measured normally);
- it has no automatic flag (negative, out of the physical range, ``constant``, ``spike``, or an instrument flag the
  rules in force do not accept);
- its station-day (Asia/Shanghai) has not been invalidated by a reviewer (数据审核). Pending and confirmed days count.

:func:`counts_as_valid` is that rule for values in memory; ``handlers/queries.valid_reading`` is the same rule as
one SQL condition, used by every query.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

VALID_INSTRUMENT_FLAG = "N"
NO_AUTOMATIC_FLAG = ""  # ``auto_flags`` as stored: the reasons comma-separated, empty when there are none
INVALIDATED = "invalidated"  # the review status of a day whose data does not count
CONFIRMED = "confirmed"  # the review status of a day a reviewer found sound (审核通过): the data published openly
PENDING = "pending"


def counts_as_valid(instrument_flag: str, auto_flags: str | Sequence[str], day_status: str | None) -> bool:
    """Whether a value counts in statistics (see the module); ``day_status`` None: the day has no review row."""
    return instrument_flag == VALID_INSTRUMENT_FLAG and not auto_flags and day_status != INVALIDATED


@dataclass(frozen=True)
class ValidityRules:
    name: str
    effective_from: date
    min_hourly_values_per_day: int
    min_hourly_values_o3_8h: int
    min_daily_values_per_month: int
    min_daily_values_february: int
    min_daily_values_per_year: int
    valid_instrument_flags: frozenset[str]
    constant_hours: int
    spike_factor: float
    spike_floor: float
    physical_ranges: Mapping[str, tuple[float, float]]


class Point(NamedTuple):
    time: datetime
    value: float
    instrument_flag: str = "N"


HOUR = timedelta(hours=1)


def automatic_flags(rules: ValidityRules, parameter: str, series: Sequence[Point]) -> list[tuple[str, ...]]:
    """Reasons each point of a time-ordered series is suspect (empty: looks valid)."""
    reasons: dict[int, list[str]] = {}  # only the suspect points: most are not
    low, high = rules.physical_ranges.get(parameter, (float("-inf"), float("inf")))
    valid_flags = rules.valid_instrument_flags
    for i, (_time, value, instrument_flag) in enumerate(series):
        if instrument_flag not in valid_flags:
            reasons.setdefault(i, []).append(f"instrument_flag_{instrument_flag}")
        if value < 0:
            reasons.setdefault(i, []).append("negative")
        elif not low <= value <= high:
            reasons.setdefault(i, []).append("out_of_range")
    for i in sorted(_constant_run_members(rules, series)):
        reasons.setdefault(i, []).append("constant")
    for i in sorted(_spikes(rules, series)):
        reasons.setdefault(i, []).append("spike")
    flags: list[tuple[str, ...]] = [()] * len(series)
    for i, found in reasons.items():
        flags[i] = tuple(found)
    return flags


def _constant_run_members(rules: ValidityRules, series: Sequence[Point]) -> set[int]:
    """Points in a run of ≥ constant_hours equal consecutive hourly values (仪器恒值)."""
    members: set[int] = set()
    count = len(series)
    if count < rules.constant_hours:
        return members
    start = 0
    start_value = series[0].value
    previous_time = series[0].time
    for i in range(1, count + 1):
        if i < count:
            time, value, _flag = series[i]
            if value == start_value and time - previous_time == HOUR:
                previous_time = time
                continue
        if i - start >= rules.constant_hours:
            members.update(range(start, i))
        if i < count:
            start, start_value, previous_time = i, value, time
    return members


def _spikes(rules: ValidityRules, series: Sequence[Point]) -> set[int]:
    """A value far above both neighbours (an isolated jump), ignoring small values."""
    found = set()
    floor, factor = rules.spike_floor, rules.spike_factor
    values = [point.value for point in series]
    for i in range(1, len(values) - 1):
        value = values[i]
        if value > floor and value > factor * max(values[i - 1], values[i + 1], 0.0):
            found.add(i)
    return found


def daily_mean(rules: ValidityRules, hourly: Sequence[float]) -> float | None:
    """24h average from valid hourly values; None with fewer than the minimum (≥ 20)."""
    if len(hourly) < rules.min_hourly_values_per_day:
        return None
    return sum(hourly) / len(hourly)


def max_8h_average(rules: ValidityRules, hourly: Mapping[int, float]) -> float | None:
    """O3 日最大 8 小时滑动平均: windows ending 08:00–24:00 (hours 0–23 of the day), each with ≥ 6 values."""
    best: float | None = None
    for end in range(7, 24):
        window = [hourly[h] for h in range(end - 7, end + 1) if h in hourly]
        if len(window) >= rules.min_hourly_values_o3_8h:
            mean = sum(window) / len(window)
            best = mean if best is None else max(best, mean)
    return best


def month_is_valid(rules: ValidityRules, year: int, month: int, valid_days: int) -> bool:
    needed = rules.min_daily_values_february if month == 2 else rules.min_daily_values_per_month
    return valid_days >= min(needed, calendar.monthrange(year, month)[1])
