"""数据有效性: automatic checks on a station's series, and the minimum counts statistics need (GB 3095)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta


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


@dataclass(frozen=True)
class Point:
    time: datetime
    value: float
    instrument_flag: str = "N"


def automatic_flags(rules: ValidityRules, parameter: str, series: Sequence[Point]) -> list[tuple[str, ...]]:
    """Reasons each point of a time-ordered series is suspect (empty: looks valid)."""
    reasons: list[list[str]] = [[] for _ in series]
    low, high = rules.physical_ranges.get(parameter, (float("-inf"), float("inf")))
    for i, point in enumerate(series):
        if point.instrument_flag not in rules.valid_instrument_flags:
            reasons[i].append(f"instrument_flag_{point.instrument_flag}")
        if point.value < 0:
            reasons[i].append("negative")
        elif not low <= point.value <= high:
            reasons[i].append("out_of_range")
    for i in _constant_run_members(rules, series):
        reasons[i].append("constant")
    for i in _spikes(rules, series):
        reasons[i].append("spike")
    return [tuple(r) for r in reasons]


def _constant_run_members(rules: ValidityRules, series: Sequence[Point]) -> set[int]:
    """Points in a run of ≥ constant_hours equal consecutive hourly values (仪器恒值)."""
    members: set[int] = set()
    start = 0
    for i in range(1, len(series) + 1):
        run_continues = (
            i < len(series)
            and series[i].value == series[start].value
            and series[i].time - series[i - 1].time == timedelta(hours=1)
        )
        if not run_continues:
            if i - start >= rules.constant_hours:
                members.update(range(start, i))
            start = i
    return members


def _spikes(rules: ValidityRules, series: Sequence[Point]) -> set[int]:
    """A value far above both neighbours (an isolated jump), ignoring small values."""
    found = set()
    for i in range(1, len(series) - 1):
        value, before, after = series[i].value, series[i - 1].value, series[i + 1].value
        if value > rules.spike_floor and value > rules.spike_factor * max(before, after, 0.0):
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
