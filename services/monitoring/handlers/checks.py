"""Automatic validity flags at ingest, with the stored neighbours of each hourly series.

Stations send an hour at a time (HJ 212), so a stuck instrument or a spike only shows next to what is already
stored: each hourly series is checked together with its stored values around the new ones, and stored values
whose flags change (the sixth equal hour flags the five before it) are written back in the same upsert.

The neighbours of every series of a batch are read together: series whose time windows overlap (a batch from one
station, or the same hour from many stations) share one query, filtered back to each series' own window here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Table, select

from services.monitoring.domain.readings import ReadingIn, local_day
from services.monitoring.domain.standards import Standards
from services.monitoring.domain.validity import Point, ValidityRules, automatic_flags
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


class Checks(NamedTuple):
    """The new readings with their flags; the stored readings whose flags they changed ``(auto_flags, station,
    parameter, interval, time)``; and ``fresh``: every reading is hourly and none of their keys was stored when the
    neighbours were read (so they can be inserted without a conflict unless another transaction stores one of
    those keys in the meantime)."""

    checked: list[Checked]
    reflagged: list[tuple[str, str, str, str, datetime]]
    fresh: bool


SeriesKey = tuple[str, str, str]
Window = tuple[datetime, datetime]


def _series(readings: Sequence[ReadingIn]) -> dict[SeriesKey, list[ReadingIn]]:
    """Each series' readings by time, the series in key order; a time sent twice: the later row wins."""
    by_time: dict[SeriesKey, dict[datetime, ReadingIn]] = defaultdict(dict)
    for r in readings:
        by_time[(r.station, r.parameter, r.interval)][r.time] = r
    series: dict[SeriesKey, list[ReadingIn]] = {}
    for key in sorted(by_time):
        times = by_time[key]
        series[key] = [times[moment] for moment in sorted(times)]
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


class Stored(NamedTuple):
    """A stored neighbour: its point and the flags it has now."""

    point: Point
    auto_flags: str


async def _stored_around(uow: UnitOfWork, windows: dict[SeriesKey, Window]) -> dict[SeriesKey, list[Stored]]:
    """Stored readings of each hourly series within its window (both ends included)."""
    found: dict[SeriesKey, list[Stored]] = defaultdict(list)
    c = READING.c
    for keys, (low, high) in _groups(windows):
        codes = sorted({key[0] for key in keys})
        parameters = sorted({key[1] for key in keys})
        for start in range(0, len(codes), IN_LIST):
            query = select(c.station_code, c.parameter, c.time, c.value, c.instrument_flag, c.auto_flags).where(
                c.interval == "hour",
                c.station_code.in_(codes[start : start + IN_LIST]),
                c.parameter.in_(parameters),
                c.time >= low,
                c.time <= high,
            )
            for code, parameter, time, value, instrument_flag, auto_flags in await uow.session.execute(query):
                key = (code, parameter, "hour")
                window = windows.get(key)
                if window is not None and window[0] <= time <= window[1]:
                    found[key].append(Stored(Point(time, value, instrument_flag), auto_flags))
    return found


StoredReader = Callable[[UnitOfWork, dict[SeriesKey, Window]], Awaitable[dict[SeriesKey, list[Stored]]]]


async def check_readings(
    uow: UnitOfWork, standards: Standards, readings: Sequence[ReadingIn], *, read_stored: StoredReader | None = None
) -> Checks:
    """The new readings with their flags, the stored readings whose flags they changed, and whether they are all
    new keys (see :class:`Checks`). ``read_stored``: another way to read the same rows as :func:`_stored_around`."""
    checked: list[Checked] = []
    reflagged: list[tuple[str, str, str, str, datetime]] = []
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
    stored = await (read_stored or _stored_around)(uow, windows) if windows else {}
    # An hourly series' window covers all its new times, so its stored neighbours include any stored twin.
    fresh = len(windows) == len(series)
    for key, points in series.items():
        rules = rules_of[key]
        around = stored.get(key)
        if not around:
            flags = automatic_flags(rules, key[1], [Point(p.time, p.value, p.flag) for p in points])
            checked.extend(map(Checked, points, flags))
            continue
        merged: dict[datetime, tuple[Point, ReadingIn | str]] = {n.point.time: (n.point, n.auto_flags) for n in around}
        if fresh and any(p.time in merged for p in points):
            fresh = False
        merged.update({p.time: (Point(p.time, p.value, p.flag), p) for p in points})
        ordered = [merged[moment] for moment in sorted(merged)]
        flags = automatic_flags(rules, key[1], [point for point, _ in ordered])
        reach = (points[0].time - _reach(rules), points[-1].time + _reach(rules))
        for (point, origin), found in zip(ordered, flags, strict=True):
            if isinstance(origin, ReadingIn):
                checked.append(Checked(origin, found))
            elif origin != ",".join(found) and reach[0] <= point.time <= reach[1]:
                reflagged.append((",".join(found), *key, point.time))
    return Checks(checked, reflagged, fresh)


_REACH: dict[int, timedelta] = {}


def _reach(rules: ValidityRules) -> timedelta:
    reach = _REACH.get(rules.constant_hours)
    if reach is None:
        reach = _REACH[rules.constant_hours] = timedelta(hours=rules.constant_hours)
    return reach
