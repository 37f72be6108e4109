"""Chinese working-day calendar (工作日历): statutory holidays (法定节假日) and make-up working days (调休).

Short limits ("3 / 5 / 7 days") are working days (工作日); longer ones are calendar days (自然日).
Official data comes from ``chinesecalendar``, which only covers the years it shipped with; the State Council
publishes next year's arrangement each November, so an operator-editable YAML file can add or correct years
without a release. A year with neither source keeps its statutory holidays, computed from the rule of
全国年节及纪念日放假办法 (lunar dates and the Qingming solar term from ``borax``'s tables), and weekends; its bridge
days and make-up working days are not known, so the deadline is ``provisional``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

import chinese_calendar
import yaml
from borax.calendars.lunardate import LunarDate, TermUtils

from shared.yamlfile import load_yaml

_ONE_DAY = timedelta(days=1)
_OVERRIDE_KEYS = frozenset({"holidays", "workdays"})


class CalendarOverflow(ValueError):
    """A deadline past the last date Python can represent (9999-12-31); callers bound their dates first."""

    def __init__(self, start: date, days: int) -> None:
        super().__init__(f"{days} days after {start.isoformat()} is beyond {date.max.isoformat()}")


@dataclass(frozen=True)
class Deadline:
    """A computed due date (期限届满日); ``provisional`` when a year involved had no official calendar yet."""

    due_on: date
    provisional: bool


class DueDate(Protocol):
    """What a deadline computation answers (``Deadline`` is one)."""

    @property
    def due_on(self) -> date: ...

    @property
    def provisional(self) -> bool: ...


class Calendar(Protocol):
    """The working-day arithmetic the domain rules need (``WorkCalendar`` is one; tests may pass a fake)."""

    def add_working_days(self, start: date, days: int) -> DueDate: ...

    def add_calendar_days(self, start: date, days: int) -> DueDate: ...

    def working_days_between(self, start: date, end: date) -> int: ...


@dataclass(frozen=True)
class YearOverride:
    """One year's operator-entered arrangement: holidays (放假日) and make-up working days (调休上班日)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        both = self.holidays & self.workdays
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"calendar override: {listed} listed both as holiday and as workday")


class WorkCalendar:
    """Working-day arithmetic: override file first, then ``chinesecalendar``, then the statutory rule and weekends."""

    def __init__(self, overrides: Mapping[int, YearOverride] | None = None) -> None:
        self._overrides: dict[int, YearOverride] = dict(overrides or {})
        for year, override in self._overrides.items():
            stray = [d for d in override.holidays | override.workdays if d.year != year]
            if stray:
                raise ValueError(f"calendar override: {min(stray).isoformat()} is listed under year {year}")

    @classmethod
    def from_file(cls, path: Path | None) -> WorkCalendar:
        """Load the operator override file (YAML, ``{year: {holidays: [...], workdays: [...]}}``).

        ``None`` or a missing file means no overrides; a malformed file raises ``ValueError``.
        """
        if path is None or not path.exists():
            return cls()
        try:
            raw = load_yaml(path)
        except (yaml.YAMLError, ValueError) as exc:
            # PyYAML itself raises ValueError for impossible unquoted dates such as 2027-02-30.
            raise ValueError(f"calendar override {path}: not valid YAML or not a real date: {exc}") from exc
        try:
            return cls(_parse_overrides(raw))
        except ValueError as exc:
            raise ValueError(f"calendar override {path}: {exc}") from exc

    def is_workday(self, day: date) -> bool:
        """True for a working day (工作日), including a make-up working day (调休) on a weekend."""
        if type(day) is not date:  # a datetime: its date as written (equal instants may fall on different dates)
            day = date(day.year, day.month, day.day)
        override = self._overrides.get(day.year)
        if override is not None:
            if day in override.workdays:
                return True
            if day in override.holidays:
                return False
        official = _official_workday(day)
        if official is not None:
            return official
        return day.weekday() < 5 and day not in _statutory_days(day.year)

    def has_data(self, year: int) -> bool:
        """True if the year has an official arrangement (chinesecalendar) or an operator override."""
        return year in self._overrides or _official_workday(date(year, 1, 1)) is not None

    def add_working_days(self, start: date, days: int) -> Deadline:
        """The day ``days`` working days (工作日) after ``start``; the start day itself is not counted.

        With ``days == 0`` the answer is ``start`` itself.
        """
        _check_non_negative(days)
        day, remaining = start, days
        try:
            while remaining:
                day += _ONE_DAY
                if self.is_workday(day):
                    remaining -= 1
        except OverflowError:
            raise CalendarOverflow(start, days) from None
        return Deadline(due_on=day, provisional=self._provisional(start + _ONE_DAY, day))

    def add_calendar_days(self, start: date, days: int) -> Deadline:
        """``start`` plus ``days`` calendar days (自然日); a non-working end day rolls to the next working day."""
        _check_non_negative(days)
        try:
            target = start + timedelta(days=days)
            day = target
            while not self.is_workday(day):
                day += _ONE_DAY
        except OverflowError:
            raise CalendarOverflow(start, days) from None
        return Deadline(due_on=day, provisional=self._provisional(target, day))

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days in ``(start, end]``: the start day is excluded, the end day included."""
        if end < start:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        count, day = 0, start
        while day < end:
            day += _ONE_DAY
            count += self.is_workday(day)
        return count

    def _provisional(self, first: date, last: date) -> bool:
        # Only the days actually examined matter, so a deadline inside a known year stays official
        # even if the start day belongs to a year without data.
        return any(not self.has_data(year) for year in range(first.year, last.year + 1))


# 全国年节及纪念日放假办法 as revised in force from 2025-01-01 (国务院令第795号). Earlier versions differ (Spring
# Festival 3 days, Labour Day 1), but chinesecalendar has official data for every year from 2004 to 2026.
STATUTORY_RULE_FROM = 2025


def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory holidays (法定节假日) of ``year`` by the rule: no bridge days, no make-up working days.

    ``ValueError`` for a year before the rule or beyond the lunar tables (2100).
    """
    if year < STATUTORY_RULE_FROM:
        raise ValueError(f"{year} is before the statutory holiday rule in force from {STATUTORY_RULE_FROM}")
    new_year_eve = LunarDate(year, 1, 1).to_solar_date() - _ONE_DAY  # 除夕: the last day of the 12th lunar month
    days = {date(year, 1, 1): "元旦"}
    days |= {new_year_eve + timedelta(days=n): "春节" for n in range(4)}  # 除夕 to 正月初三
    days[TermUtils.nth_term_day(year, term_name="清明")] = "清明节"
    days |= {date(year, 5, 1): "劳动节", date(year, 5, 2): "劳动节"}
    days[LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    days[LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    days |= {date(year, 10, n): "国庆节" for n in (1, 2, 3)}
    return days


@lru_cache(maxsize=16_384)
def _official_workday(day: date) -> bool | None:
    """``chinesecalendar``'s answer for ``day``, None for a year it has no data for. Remembered: the library checks
    the date's year against the min and max of its whole holiday table on every call, and a deadline asks day by
    day."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@cache
def _statutory_days(year: int) -> frozenset[date]:
    try:
        return frozenset(statutory_holidays(year))
    except ValueError:  # outside the rule or the tables: weekends only
        return frozenset()


def _check_non_negative(days: int) -> None:
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")


def _parse_overrides(raw: Any) -> dict[int, YearOverride]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError("top level must be a mapping of year → {holidays, workdays}")
    return {_parse_year(key): _parse_year_entry(key, entry) for key, entry in raw.items()}


def _parse_year(key: Any) -> int:
    if isinstance(key, bool) or not isinstance(key, int | str):
        raise ValueError(f"year key {key!r} is not a year")
    try:
        year = int(key)
    except ValueError:
        raise ValueError(f"year key {key!r} is not a year") from None
    if not 1900 <= year <= 9999:
        raise ValueError(f"year key {key!r} is out of range")
    return year


def _parse_year_entry(year: Any, entry: Any) -> YearOverride:
    if entry is None:
        return YearOverride()
    if not isinstance(entry, Mapping):
        raise ValueError(f"year {year}: expected a mapping with 'holidays' and/or 'workdays'")
    unknown = set(entry) - _OVERRIDE_KEYS
    if unknown:
        raise ValueError(f"year {year}: unknown keys {sorted(map(str, unknown))}")
    return YearOverride(
        holidays=_parse_dates(year, "holidays", entry.get("holidays")),
        workdays=_parse_dates(year, "workdays", entry.get("workdays")),
    )


def _parse_dates(year: Any, field: str, values: Any) -> frozenset[date]:
    if values is None:
        return frozenset()
    if not isinstance(values, list):
        raise ValueError(f"year {year}: '{field}' must be a list of dates")
    return frozenset(_parse_date(year, field, value) for value in values)


def _parse_date(year: Any, field: str, value: Any) -> date:
    # YAML turns unquoted 2027-01-01 into a date already; quoted strings are accepted too.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            pass
    raise ValueError(f"year {year}: '{field}' entry {value!r} is not a date (YYYY-MM-DD)")
