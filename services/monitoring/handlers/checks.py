"""Automatic validity flags at ingest, with the stored neighbours of each hourly series.

Stations send an hour at a time (HJ 212), so a stuck instrument or a spike only shows next to what is already
stored: each hourly series is checked together with its stored values around the new ones, and stored values
whose flags change (the sixth equal hour flags the five before it) are written back in the same upsert.

The neighbours of every series of a batch are read together: series whose time windows overlap (a batch from one
station, or the same hour from many stations) share one query, filtered back to each series' own window here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from itertools import compress, repeat
from operator import add, mul
from typing import NamedTuple

from sqlalchemy import Table, select

from services.monitoring.domain.readings import Columns, ReadingIn, local_day
from services.monitoring.domain.standards import Standards
from services.monitoring.domain.validity import Point, ValidityRules, automatic_flags, series_flags
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


class StoredSeries(NamedTuple):
    """The stored neighbours of one series as columns, in time order: what each has now (its flags as stored)."""

    times: list[datetime]
    values: list[float]
    instrument_flags: list[str]
    auto_flags: list[str]


async def _stored_around(uow: UnitOfWork, windows: dict[SeriesKey, Window]) -> dict[SeriesKey, StoredSeries]:
    """Stored readings of each hourly series within its window (both ends included); only series with some."""
    found: dict[SeriesKey, list[tuple[datetime, float, str, str]]] = defaultdict(list)
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
                    found[key].append((time, value, instrument_flag, auto_flags))
    return {key: StoredSeries(*map(list, zip(*sorted(rows), strict=True))) for key, rows in found.items()}


class Checks(NamedTuple):
    """The checks of a batch given as columns. ``order``: the rows to store, series by series (in key order), each
    by time (a time sent twice in a series: the later row); ``flags``: the automatic flags of the rows that have
    some; ``reflagged``: the stored readings whose flags they changed ``(auto_flags, station, parameter, interval,
    time)``; ``fresh``: every reading is hourly and none of their keys was stored when the neighbours were read (so
    they can be inserted without a conflict unless another transaction stores one of those keys in the meantime);
    ``last``: the position in ``order`` of each series' newest row."""

    order: list[int]
    flags: dict[int, tuple[str, ...]]
    reflagged: list[tuple[str, str, str, str, datetime]]
    fresh: bool
    last: list[int]


def _ordered(columns: Columns) -> tuple[list[SeriesKey], list[int], list[int]]:
    """The series in key order, the rows to store (see :class:`Checks`) and where each series starts in
    them. Rows are ranked by one integer (series, time) and deduplicated by a dict, all in C loops."""
    stations, intervals = set(columns.station), set(columns.interval)
    numbers: Iterator[int]
    if len(stations) == 1 and len(intervals) == 1:  # a station's own batch of one interval: a series a parameter
        (station,), (interval,) = stations, intervals
        parameters = sorted(set(columns.parameter))
        series = [(station, parameter, interval) for parameter in parameters]
        numbers = map({parameter: i for i, parameter in enumerate(parameters)}.__getitem__, columns.parameter)
    else:
        keys = list(zip(columns.station, columns.parameter, columns.interval, strict=True))
        series = sorted(set(keys))
        numbers = map({key: i for i, key in enumerate(series)}.__getitem__, keys)
    moments = sorted(set(columns.time))
    rank = {moment: i for i, moment in enumerate(moments)}
    span = len(moments)
    ranks = map(add, map(mul, numbers, repeat(span)), map(rank.__getitem__, columns.time))
    latest = dict(zip(ranks, range(columns.size), strict=False))  # a (series, time) sent twice: the later row
    ranked = sorted(latest)
    starts = [bisect_left(ranked, i * span) for i in range(len(series))]
    return series, list(map(latest.__getitem__, ranked)), starts


StoredReader = Callable[[UnitOfWork, dict[SeriesKey, Window]], Awaitable[dict[SeriesKey, StoredSeries]]]


async def check_columns(
    uow: UnitOfWork, standards: Standards, columns: Columns, *, read_stored: StoredReader | None = None
) -> Checks:
    """The automatic flags of the new readings and of their stored neighbours (see :class:`Checks`): each series'
    times and values are lists the rules of :func:`series_flags` read whole; the stored neighbours (in time order)
    are cut by bisection into those before and after them, or merged by time when one falls among the new times.
    ``read_stored``: another way to read the same rows as :func:`_stored_around`."""
    series, order, starts = _ordered(columns)
    ends = [*starts[1:], len(order)]
    time_of, value_of, flag_of = columns.time.__getitem__, columns.value.__getitem__, columns.flag.__getitem__
    first = [time_of(order[start]) for start in starts]
    last = [time_of(order[end - 1]) for end in ends]
    # A batch has a few distinct first times (an hour from many stations): the rules in force looked up once each.
    in_force = {moment: standards.validity.in_force(local_day(moment)) for moment in set(first)}
    rules_of = list(map(in_force.__getitem__, first))
    # Twice the span of a run: a stored value the new ones can affect (within one span) then sees enough of its
    # own run to keep a flag it already had. Only hourly series: the series rules are in hours; other intervals
    # get the per-value checks only.
    windows = {
        key: (first[i] - 2 * _reach(rules_of[i]), last[i] + 2 * _reach(rules_of[i]))
        for i, key in enumerate(series)
        if key[2] == "hour"
    }
    stored = await (read_stored or _stored_around)(uow, windows) if windows else {}
    # An hourly series' window covers all its new times, so its stored neighbours include any stored twin.
    fresh = len(windows) == len(series)
    flags: dict[int, tuple[str, ...]] = {}
    reflagged: list[tuple[str, str, str, str, datetime]] = []
    for i, key in enumerate(series):
        rows = order[starts[i] : ends[i]]
        times = list(map(time_of, rows))
        values = list(map(value_of, rows))
        instrument_flags = list(map(flag_of, rows))
        rules = rules_of[i]
        around = stored.get(key)
        if around is None:
            for position, reasons in series_flags(rules, key[1], times, values, instrument_flags).items():
                flags[rows[position]] = reasons
            continue
        low, high = bisect_left(around.times, first[i]), bisect_right(around.times, last[i])
        if low < high:  # a stored value among the new times: merge by time
            new_times = set(times)
            fresh = fresh and not any(moment in new_times for moment in around.times[low:high])
            _merged(rules, key, rows, times, values, instrument_flags, around, flags, reflagged)
            continue
        found = series_flags(
            rules, key[1], [*around.times[:low], *times, *around.times[high:]],
            [*around.values[:low], *values, *around.values[high:]],
            [*around.instrument_flags[:low], *instrument_flags, *around.instrument_flags[high:]],
        )  # fmt: skip
        offset, count = low, len(rows)
        for position, reasons in found.items():
            if offset <= position < offset + count:
                flags[rows[position - offset]] = reasons
        _reflag(rules, key, around, found, (offset, count), (first[i], last[i]), reflagged)
    return Checks(order, flags, reflagged, fresh, [end - 1 for end in ends])


def _reflag(
    rules: ValidityRules,
    key: SeriesKey,
    around: StoredSeries,
    found: dict[int, tuple[str, ...]],
    new: tuple[int, int],
    span: Window,
    reflagged: list[tuple[str, str, str, str, datetime]],
) -> None:
    """The stored neighbours (before the ``new`` rows at ``offset, count`` of the checked series, and after them)
    whose flags change: only those with flags now or found now can, and only within one span of a run."""
    offset, count = new
    stored_flags = around.auto_flags
    candidates = set(compress(range(len(stored_flags)), stored_flags))
    candidates.update(p if p < offset else p - count for p in found if not offset <= p < offset + count)
    reach = (span[0] - _reach(rules), span[1] + _reach(rules))
    for i in sorted(candidates):
        now = ",".join(found.get(i if i < offset else i + count, ()))
        moment = around.times[i]
        if stored_flags[i] != now and reach[0] <= moment <= reach[1]:
            reflagged.append((now, *key, moment))


def _merged(
    rules: ValidityRules,
    key: SeriesKey,
    rows: list[int],
    times: list[datetime],
    values: list[float],
    instrument_flags: list[str],
    around: StoredSeries,
    flags: dict[int, tuple[str, ...]],
    reflagged: list[tuple[str, str, str, str, datetime]],
) -> None:
    """A series with stored values among its new times: new and stored merged by time (a new value replaces a
    stored twin)."""
    merged: dict[datetime, tuple[Point, int | str]] = {
        moment: (Point(moment, value, instrument_flag), auto_flags)
        for moment, value, instrument_flag, auto_flags in zip(*around, strict=True)
    }
    for row, moment, value, instrument_flag in zip(rows, times, values, instrument_flags, strict=True):
        merged[moment] = (Point(moment, value, instrument_flag), row)
    ordered = [merged[moment] for moment in sorted(merged)]
    found = automatic_flags(rules, key[1], [point for point, _ in ordered])
    reach = (times[0] - _reach(rules), times[-1] + _reach(rules))
    for (point, origin), reasons in zip(ordered, found, strict=True):
        if isinstance(origin, int):
            if reasons:
                flags[origin] = reasons
        elif origin != ",".join(reasons) and reach[0] <= point.time <= reach[1]:
            reflagged.append((",".join(reasons), *key, point.time))


_REACH: dict[int, timedelta] = {}


def _reach(rules: ValidityRules) -> timedelta:
    reach = _REACH.get(rules.constant_hours)
    if reach is None:
        reach = _REACH[rules.constant_hours] = timedelta(hours=rules.constant_hours)
    return reach
