"""Bulletin figures (监测简报): per-town water class distribution and air quality, with rankings."""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from services.monitoring.domain.water import WaterTable, worse_than_target


def period_of(kind: str, start: date) -> tuple[date, date]:
    """The inclusive period of a bulletin: a day, the week from a Monday, or a calendar month."""
    if start.year in (date.min.year, date.max.year):
        # Its neighbours (the previous month, the day after) would fall off the calendar.
        raise ValueError(f"no bulletin for the year {start.year}")
    if kind == "air_daily":
        return start, start
    if kind == "air_weekly":
        if start.weekday() != 0:
            raise ValueError("a weekly bulletin starts on a Monday")
        return start, start + timedelta(days=6)
    if start.day != 1:
        raise ValueError("a monthly bulletin starts on the first of the month")
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def previous_month(start: date) -> date:
    return (start - timedelta(days=1)).replace(day=1)


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


def air_by_town(days: Sequence[TownDay], good_upper: int) -> list[dict[str, Any]]:
    """Mean AQI, share of good-or-better days (AQI ≤ 100), PM2.5 mean, most frequent primary pollutant; ranked by
    mean AQI, best first. A daily bulletin is the one-day case."""
    towns: dict[str, list[TownDay]] = defaultdict(list)
    for day in days:
        if day.aqi is not None:
            towns[day.town].append(day)
    rows: list[dict[str, Any]] = []
    for town, members in towns.items():
        pm25 = [d.pm25 for d in members if d.pm25 is not None]
        primaries = Counter(p for d in members for p in d.primary)
        categories = Counter(d.category for d in members)
        rows.append({
            "town": town, "valid_days": len(members),
            "aqi": round(sum(d.aqi or 0 for d in members) / len(members)),
            "category": categories.most_common(1)[0][0],
            "primary_pollutant": primaries.most_common(1)[0][0] if primaries else None,
            "good_days_share": round(sum(1 for d in members if (d.aqi or 0) <= good_upper) / len(members), 4),
            "pm25_mean": round(sum(pm25) / len(pm25), 1) if pm25 else None,
        })  # fmt: skip
    rows.sort(key=lambda r: (r["aqi"], r["town"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows
