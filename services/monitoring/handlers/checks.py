"""Automatic validity flags at ingest, with the stored neighbours of each hourly series.

Stations send an hour at a time (HJ 212), so a stuck instrument or a spike only shows next to what is already
stored: each hourly series is checked together with its stored values around the new ones, and stored values
whose flags change (the sixth equal hour flags the five before it) are written back in the same upsert.

The neighbours of every series of a batch are read together: series whose time windows overlap (a batch from one
station, or the same hour from many stations) share one query, filtered back to each series' own window here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Row, Table, select

from services.monitoring.domain.readings import ReadingIn, local_day
from services.monitoring.domain.validity import Point, ValidityRules, automatic_flags
from services.monitoring.standards import Standards
from services.monitoring.tables import Reading
from shared.messaging import UnitOfWork

READING: Table = Reading.__table__  # type: ignore[attr-defined]
READING_COLUMNS = (
    "station_code", "parameter", "interval", "time", "value", "unit", "instrument_flag", "auto_flags", "source",
    "received_at",
)  # fmt: skip
IN_LIST = 500  # bounded IN lists


class Checked(NamedTuple):
    reading: ReadingIn
    auto_flags: tuple[str, ...]


SeriesKey = tuple[str, str, str]
Window = tuple[datetime, datetime]


def _series(readings: Sequence[ReadingIn]) -> dict[SeriesKey, list[ReadingIn]]:
    latest = {(r.station, r.parameter, r.interval, r.time): r for r in readings}  # sent twice: the later row wins
    series: dict[SeriesKey, list[ReadingIn]] = defaultdict(list)
    for key in sorted(latest):
        reading = latest[key]
        series[(reading.station, reading.parameter, reading.interval)].append(reading)
    return series


def _groups(windows: dict[SeriesKey, Window]) -> list[tuple[list[SeriesKey], Window]]:
    """Series whose windows overlap, with the union of their windows: one query each."""
    groups: list[tuple[list[SeriesKey], Window]] = []
    for key, (low, high) in sorted(windows.items(), key=lambda item: item[1]):
        if groups and low <= groups[-1][1][1]:
            keys, (group_low, group_high) = groups[-1]
            keys.append(key)
            groups[-1] = (keys, (group_low, max(group_high, high)))
        else:
            groups.append(([key], (low, high)))
    return groups


async def _stored_around(uow: UnitOfWork, windows: dict[SeriesKey, Window]) -> dict[SeriesKey, list[Row[Any]]]:
    """Stored readings of each hourly series within its window (both ends included)."""
    found: dict[SeriesKey, list[Row[Any]]] = defaultdict(list)
    for keys, (low, high) in _groups(windows):
        codes = sorted({key[0] for key in keys})
        parameters = sorted({key[1] for key in keys})
        for start in range(0, len(codes), IN_LIST):
            query = select(READING).where(
                READING.c.interval == "hour",
                READING.c.station_code.in_(codes[start : start + IN_LIST]),
                READING.c.parameter.in_(parameters),
                READING.c.time >= low,
                READING.c.time <= high,
            )
            for row in await uow.session.execute(query):
                key = (row.station_code, row.parameter, "hour")
                window = windows.get(key)
                if window is not None and window[0] <= row.time <= window[1]:
                    found[key].append(row)
    return found


async def check_readings(
    uow: UnitOfWork, standards: Standards, readings: Sequence[ReadingIn]
) -> tuple[list[Checked], list[tuple[Any, ...]]]:
    """The new readings with their flags, and rows (tuples of ``READING_COLUMNS``) of stored readings whose flags
    the new ones changed."""
    checked: list[Checked] = []
    reflagged: list[tuple[Any, ...]] = []
    series = _series(readings)
    rules_of = {key: standards.validity.in_force(local_day(points[0].time)) for key, points in series.items()}
    # Twice the span of a run: a stored value the new ones can affect (within one span) then sees enough of its
    # own run to keep a flag it already had. Only hourly series: the series rules are in hours; other intervals
    # get the per-value checks only.
    windows = {
        key: (points[0].time - 2 * _reach(rules_of[key]), points[-1].time + 2 * _reach(rules_of[key]))
        for key, points in series.items()
        if key[2] == "hour"
    }
    stored = await _stored_around(uow, windows) if windows else {}
    for key, points in series.items():
        rules = rules_of[key]
        around = stored.get(key)
        if not around:
            flags = automatic_flags(rules, key[1], [Point(p.time, p.value, p.flag) for p in points])
            checked.extend(map(Checked, points, flags))
            continue
        merged: dict[datetime, ReadingIn | Row[Any]] = {row.time: row for row in around}
        merged.update({p.time: p for p in points})
        ordered = [item for _, item in sorted(merged.items(), key=lambda pair: pair[0])]
        flags = automatic_flags(rules, key[1], [_point(item) for item in ordered])
        reach = (points[0].time - _reach(rules), points[-1].time + _reach(rules))
        for item, found in zip(ordered, flags, strict=True):
            if isinstance(item, ReadingIn):
                checked.append(Checked(item, found))
            elif item.auto_flags != ",".join(found) and reach[0] <= item.time <= reach[1]:
                values = dict(item._mapping) | {"auto_flags": ",".join(found)}
                reflagged.append(tuple(values[column] for column in READING_COLUMNS))
    return checked, reflagged


def _reach(rules: ValidityRules) -> timedelta:
    return timedelta(hours=rules.constant_hours)


def _point(item: ReadingIn | Row[Any]) -> Point:
    if isinstance(item, ReadingIn):
        return Point(item.time, item.value, item.flag)
    return Point(item.time, item.value, item.instrument_flag)
