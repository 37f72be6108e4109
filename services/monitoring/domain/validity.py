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
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import compress, islice, repeat
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
    times = [point.time for point in series]
    values = [point.value for point in series]
    instrument_flags = [point.instrument_flag for point in series]
    flags: list[tuple[str, ...]] = [()] * len(series)
    for i, found in series_flags(rules, parameter, times, values, instrument_flags).items():
        flags[i] = found
    return flags


def series_flags(
    rules: ValidityRules,
    parameter: str,
    times: Sequence[datetime],
    values: Sequence[float],
    instrument_flags: Sequence[str],
) -> dict[int, tuple[str, ...]]:
    """:func:`automatic_flags` over a series given as columns: only the suspect points, by position (most are
    not). Each rule first looks at the whole column at C speed (``min``, ``max``, ``map``) and visits points one
    by one only where it may hold."""
    reasons: dict[int, list[str]] = {}
    count = len(values)
    if not count:
        return {}
    valid_flags = rules.valid_instrument_flags
    if not set(instrument_flags) <= valid_flags:
        for i, instrument_flag in enumerate(instrument_flags):
            if instrument_flag not in valid_flags:
                reasons[i] = [f"instrument_flag_{instrument_flag}"]
    low, high = rules.physical_ranges.get(parameter, (float("-inf"), float("inf")))
    if min(values) < 0 or not low <= min(values) or not max(values) <= high:
        for i, value in enumerate(values):
            if value < 0:
                reasons.setdefault(i, []).append("negative")
            elif not low <= value <= high:
                reasons.setdefault(i, []).append("out_of_range")
    for i in sorted(_constant_runs(rules, times, values)):
        reasons.setdefault(i, []).append("constant")
    for i in _spike_positions(rules, values):
        reasons.setdefault(i, []).append("spike")
    return {i: tuple(found) for i, found in reasons.items()}


def _constant_runs(rules: ValidityRules, times: Sequence[datetime], values: Sequence[float]) -> set[int]:
    """Points in a run of ≥ constant_hours equal consecutive hourly values (仪器恒值): only the pairs of equal
    neighbours are visited."""
    members: set[int] = set()
    needed = rules.constant_hours
    if len(values) < needed:
        return members
    if needed <= 1:  # every point is a run of itself
        return set(range(len(values)))
    # Pair i links point i and i + 1: equal values one hour apart.
    equal = list(map(operator.eq, values, islice(values, 1, None)))
    if equal.count(True) < needed - 1:
        return members
    start = end = -2  # the current run of linked points, [start, end]
    for i in compress(range(len(equal)), equal):
        if times[i + 1] - times[i] != HOUR:
            continue
        if i == end:
            end = i + 1
            continue
        if start >= 0 and end - start + 1 >= needed:
            members.update(range(start, end + 1))
        start, end = i, i + 1
    if start >= 0 and end - start + 1 >= needed:
        members.update(range(start, end + 1))
    return members


def _spike_positions(rules: ValidityRules, values: Sequence[float]) -> list[int]:
    """A value far above both neighbours (an isolated jump), ignoring small values."""
    if len(values) < 3:
        return []
    floor, factor = rules.spike_floor, rules.spike_factor
    middle = values[1:-1]
    if 0.0 <= factor < math.inf:
        # factor · max(a, b, 0) is max(factor · a, factor · b, 0) (rounding keeps the order): one comparison over
        # the column, with the value before; the others only where it holds, which is seldom.
        scaled = list(map(operator.mul, values, repeat(factor)))
        above = list(map(operator.gt, middle, scaled))  # middle[i] is values[i + 1]: scaled[i] is its value before
        if True not in above:
            return []
        return [
            i + 1 for i in compress(range(len(middle)), above) if middle[i] > scaled[i + 2] and middle[i] > 0.0
            and middle[i] > floor
        ]  # fmt: skip
    neighbours = map(max, values[:-2], values[2:], repeat(0.0))
    above = list(map(operator.gt, middle, map(operator.mul, repeat(factor), neighbours)))
    if True not in above:
        return []
    return [i + 1 for i in compress(range(len(middle)), above) if middle[i] > floor]


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
