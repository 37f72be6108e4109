"""Bulletin figures (监测简报): per-town water class distribution and air quality, with rankings."""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from services.monitoring.domain.water import WaterTable, worse_than_target

KIND_NAMES = {
    "air_daily": "空气质量日报",
    "air_weekly": "空气质量周报",
    "air_monthly": "空气质量月报",
    "water_monthly": "地表水水质月报",
    "noise_annual": "声环境质量年报",
}
AIR_KINDS = ("air_daily", "air_weekly", "air_monthly")


def period_of(kind: str, start: date) -> tuple[date, date]:
    """The inclusive period of a bulletin: a day, the week from a Monday, a calendar month, or a year."""
    if start.year in (date.min.year, date.max.year):
        # Its neighbours (the previous month, the day after) would fall off the calendar.
        raise ValueError(f"no bulletin for the year {start.year}")
    if kind == "air_daily":
        return start, start
    if kind == "noise_annual":
        if (start.month, start.day) != (1, 1):
            raise ValueError("an annual bulletin starts on 1 January")
        return start, date(start.year, 12, 31)
    if kind == "air_weekly":
        if start.weekday() != 0:
            raise ValueError("a weekly bulletin starts on a Monday")
        return start, start + timedelta(days=6)
    if start.day != 1:
        raise ValueError("a monthly bulletin starts on the first of the month")
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def previous_month(start: date) -> date:
    return (start - timedelta(days=1)).replace(day=1)


def period_label(kind: str, first: date, last: date) -> str:
    """The period in the one style of every title: 2021年6月7日, 2021年6月7日至13日, 2021年6月."""
    if kind.endswith("_monthly"):
        return f"{first.year}年{first.month}月"
    if kind.endswith("_annual"):
        return f"{first.year}年"
    label = f"{first.year}年{first.month}月{first.day}日"
    if last == first:
        return label
    end = f"{last.day}日"
    if last.month != first.month or last.year != first.year:
        end = f"{last.month}月{end}"
    if last.year != first.year:
        end = f"{last.year}年{end}"
    return f"{label}至{end}"


def bulletin_title(kind: str, first: date, last: date) -> str:
    return f"{period_label(kind, first, last)}{KIND_NAMES[kind]}"


def a_year_before(day: date) -> date:
    """The same date a year earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def same_period_last_year(kind: str, first: date, last: date) -> tuple[date, date]:
    """同比: the same calendar month, or the same dates (as many days) a year earlier."""
    if kind.endswith("_monthly"):
        return period_of(kind, first.replace(year=first.year - 1))
    before = a_year_before(first)
    return before, before + (last - first)


@dataclass(frozen=True)
class SectionMonth:
    code: str
    name: str
    town: str
    water_class: str | None
    target: str | None


def water_by_town(
    table: WaterTable, sections: Sequence[SectionMonth], previous: Sequence[SectionMonth]
) -> list[dict[str, Any]]:
    """Class distribution, share meeting target, change from last month; ranked by share meeting target."""
    before = _share_by_town(table, previous)
    towns: dict[str, list[SectionMonth]] = defaultdict(list)
    for section in sections:
        if section.water_class is not None:
            towns[section.town].append(section)
    rows: list[dict[str, Any]] = []
    for town, members in towns.items():
        share = _share(table, members)
        distribution = Counter(s.water_class for s in members)
        rows.append({
            "town": town, "sections": len(members),
            "distribution": {c: distribution.get(c, 0) for c in (*table.classes, table.worse_than_all)},
            "share_meeting_target": share,
            "change_from_last_month": None if town not in before else round(share - before[town], 4),
        })  # fmt: skip
    rows.sort(key=lambda r: (-r["share_meeting_target"], r["town"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def _share(table: WaterTable, members: Sequence[SectionMonth]) -> float:
    meeting = [
        s for s in members if s.target and s.water_class and not worse_than_target(table, s.water_class, s.target)
    ]
    return round(len(meeting) / len(members), 4) if members else 0.0


def _share_by_town(table: WaterTable, sections: Sequence[SectionMonth]) -> dict[str, float]:
    towns: dict[str, list[SectionMonth]] = defaultdict(list)
    for section in sections:
        if section.water_class is not None:
            towns[section.town].append(section)
    return {town: _share(table, members) for town, members in towns.items()}


@dataclass(frozen=True)
class TownDay:
    town: str
    day: date
    aqi: int | None
    category: str | None
    primary: tuple[str, ...]
    pm25: float | None
    pm10: float | None = None


def _mean(values: Sequence[float | None], digits: int) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), digits) if present else None


def air_by_town(days: Sequence[TownDay], good_upper: int, last_year: Sequence[TownDay] = ()) -> list[dict[str, Any]]:
    """Mean AQI, share of good-or-better days (AQI ≤ 100), PM2.5 and PM10 means, most frequent primary pollutant;
    ranked by mean AQI, best first; with the change on the same period last year (同比) where that has data. A
    daily bulletin is the one-day case."""
    rows = _air_rows(days, good_upper)
    before = {row["town"]: row for row in _air_rows(last_year, good_upper)}
    for row in rows:
        row.update(_change(row, before.get(row["town"])))
    return rows


def _change(row: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    """AQI and good-day share as differences; PM2.5 and PM10 as relative changes (同比升降率)."""

    def relative(name: str) -> float | None:
        now: float | None = row[name]
        then: float | None = None if before is None else before[name]
        if now is None or not then:
            return None
        return round((now - then) / then, 4)

    return {
        "aqi_change_from_last_year": None if before is None else row["aqi"] - before["aqi"],
        "good_days_share_change_from_last_year": (
            None if before is None else round(row["good_days_share"] - before["good_days_share"], 4)
        ),
        "pm25_change_from_last_year": relative("pm25_mean"),
        "pm10_change_from_last_year": relative("pm10_mean"),
    }


def _air_rows(days: Sequence[TownDay], good_upper: int) -> list[dict[str, Any]]:
    towns: dict[str, list[TownDay]] = defaultdict(list)
    for day in days:
        if day.aqi is not None:
            towns[day.town].append(day)
    rows: list[dict[str, Any]] = []
    for town, members in towns.items():
        primaries = Counter(p for d in members for p in d.primary)
        categories = Counter(d.category for d in members)
        rows.append({
            "town": town, "valid_days": len(members),
            "aqi": round(sum(d.aqi or 0 for d in members) / len(members)),
            "category": categories.most_common(1)[0][0],
            "primary_pollutant": primaries.most_common(1)[0][0] if primaries else None,
            "good_days_share": round(sum(1 for d in members if (d.aqi or 0) <= good_upper) / len(members), 4),
            "pm25_mean": _mean([d.pm25 for d in members], 1),
            "pm10_mean": _mean([d.pm10 for d in members], 1),
        })  # fmt: skip
    rows.sort(key=lambda r: (r["aqi"], r["town"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows
