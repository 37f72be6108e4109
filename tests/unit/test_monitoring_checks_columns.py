"""The ingest checks with the stored neighbours as columns cut by bisection give what the plain rule gives: every
series, new and stored, merged by time and flagged whole by ``automatic_flags``. No database: the stored rows come
from a reader over a list, cut to each series' window as the real readers do."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.monitoring.data.loader import STANDARDS_DIR, load_standards
from services.monitoring.domain.readings import Columns, ReadingIn, local_day
from services.monitoring.domain.standards import Standards, Versions
from services.monitoring.domain.validity import Point, automatic_flags
from services.monitoring.handlers.checks import SeriesKey, StoredSeries, Window, check_columns

pytestmark = pytest.mark.unit

STANDARDS = load_standards([STANDARDS_DIR])
START = datetime(2021, 6, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
SERIES = [("S1", "pm25"), ("S1", "so2"), ("S2", "pm25")]
VALUES = st.sampled_from([12.0, 12.0, 12.0, 3.0, 80.0, -1.0, 5.5])
FLAGS = st.sampled_from(["", "", "constant", "spike", "negative"])  # stored flags, possibly stale

Row = tuple[datetime, float, str, str]  # time, value, instrument flag, auto flags


def reader_of(stored: dict[SeriesKey, list[Row]]) -> Any:
    async def read(_uow: Any, windows: dict[SeriesKey, Window]) -> dict[SeriesKey, StoredSeries]:
        found = {}
        for key, (low, high) in windows.items():
            rows = sorted(row for row in stored.get(key, []) if low <= row[0] <= high)
            if rows:
                found[key] = StoredSeries(*map(list, zip(*rows, strict=True)))
        return found

    return read


def expected(
    stored: dict[SeriesKey, list[Row]], new: list[ReadingIn], standards: Standards = STANDARDS
) -> tuple[dict[int, Any], list[Any], bool]:
    """The plain rule: per series, stored hours within twice a run's span of the new ones, merged by time with them
    (a new value replaces its stored twin, the later of two new ones its earlier twin) and flagged whole with the
    rules in force on the series' first new hour (local day); a stored hour within one span is re-flagged when its
    flags differ."""
    latest = {(r.station, r.parameter, r.interval, r.time): row for row, r in enumerate(new)}
    by_series: dict[SeriesKey, list[int]] = defaultdict(list)
    for row, reading in enumerate(new):
        if latest[(reading.station, reading.parameter, reading.interval, reading.time)] == row:
            by_series[(reading.station, reading.parameter, reading.interval)].append(row)
    flags: dict[int, Any] = {}
    reflagged: list[Any] = []
    fresh = True
    for key, rows in by_series.items():
        first, last = min(new[r].time for r in rows), max(new[r].time for r in rows)
        rules = standards.validity.in_force(local_day(first))
        span = timedelta(hours=rules.constant_hours)
        merged: dict[datetime, tuple[Point, int | str]] = {
            t: (Point(t, v, f), a) for t, v, f, a in stored.get(key, []) if first - 2 * span <= t <= last + 2 * span
        }
        fresh = fresh and not any(new[r].time in merged for r in rows)
        for r in rows:
            merged[new[r].time] = (Point(new[r].time, new[r].value, new[r].flag), r)
        ordered = [merged[t] for t in sorted(merged)]
        for (point, origin), reasons in zip(
            ordered, automatic_flags(rules, key[1], [p for p, _ in ordered]), strict=True
        ):
            if isinstance(origin, int):
                if reasons:
                    flags[origin] = reasons
            elif origin != ",".join(reasons) and first - span <= point.time <= last + span:
                reflagged.append((",".join(reasons), *key, point.time))
    # Only an hourly series' stored neighbours are read, so only then is it known that no key was stored.
    return flags, sorted(reflagged), fresh and all(key[2] == "hour" for key in by_series)


@st.composite
def batches(draw: st.DrawFn) -> tuple[dict[SeriesKey, list[Row]], list[ReadingIn]]:
    stored: dict[SeriesKey, list[Row]] = {}
    for station, parameter in SERIES:
        hours = draw(st.sets(st.integers(0, 40), max_size=30))
        stored[(station, parameter, "hour")] = [
            (START + h * HOUR, draw(VALUES), draw(st.sampled_from("NND")), draw(FLAGS)) for h in sorted(hours)
        ]
    new = []
    for station, parameter in draw(st.lists(st.sampled_from(SERIES), min_size=1, max_size=3, unique=True)):
        hours = draw(st.sets(st.integers(-5, 45), min_size=1, max_size=8))
        interval = draw(st.sampled_from(["hour", "hour", "rtd"]))  # a station's batch may mix intervals
        new += [ReadingIn(station, parameter, interval, START + h * HOUR, draw(VALUES), "µg/m³", "N") for h in hours]
    return stored, new


@settings(max_examples=300, deadline=None)
@given(batches())
def test_columns_cut_by_bisection_give_the_plain_rules_flags(
    batch: tuple[dict[SeriesKey, list[Row]], list[ReadingIn]],
) -> None:
    stored, new = batch
    checks = asyncio.run(check_columns(None, STANDARDS, Columns.of(new), read_stored=reader_of(stored)))  # type: ignore[arg-type]
    flags, reflagged, fresh = expected(stored, new)
    assert sorted(checks.order) == list(range(len(new)))  # one row per (series, time): no twins in a batch here
    assert checks.flags == flags
    assert sorted(checks.reflagged) == reflagged
    assert checks.fresh == fresh


def test_a_sixth_equal_hour_flags_the_stored_five_before_it() -> None:
    key = ("S1", "pm25", "hour")
    stored = {key: [(START + h * HOUR, 12.0, "N", "") for h in range(5)]}
    new = [ReadingIn("S1", "pm25", "hour", START + 5 * HOUR, 12.0, "µg/m³", "N")]
    checks = asyncio.run(check_columns(None, STANDARDS, Columns.of(new), read_stored=reader_of(stored)))  # type: ignore[arg-type]
    assert checks.flags == {0: ("constant",)}
    assert sorted(checks.reflagged) == [("constant", *key, START + h * HOUR) for h in range(5)]
    assert checks.fresh


# Two rules tables, the second (shorter constant runs) in force from a local day the batches cross: START is 08:00
# local, so hours 16 to 40 fall on 2021-06-02 local.
(FIRST_RULES,) = STANDARDS.validity.tables
TWO_TABLES = replace(
    STANDARDS,
    validity=Versions.of([FIRST_RULES, replace(FIRST_RULES, effective_from=date(2021, 6, 2), constant_hours=3)]),
)


@st.composite
def batches_with_twins(draw: st.DrawFn) -> tuple[dict[SeriesKey, list[Row]], list[ReadingIn]]:
    """As ``batches``, and a (series, hour) may be sent twice in a batch, the rows of series interleaved."""
    stored, _ = draw(batches())
    new = [
        ReadingIn(
            station,
            parameter,
            "hour",
            START + draw(st.integers(-5, 45)) * HOUR,
            draw(VALUES),
            "µg/m³",
            draw(st.sampled_from("NNND")),
        )
        for station, parameter in draw(st.lists(st.sampled_from(SERIES), min_size=1, max_size=14))
    ]
    return stored, new


@settings(max_examples=300, deadline=None)
@given(batches_with_twins(), st.sampled_from([STANDARDS, TWO_TABLES]))
def test_twins_two_rules_tables_and_day_boundaries_give_the_plain_rules_flags(
    batch: tuple[dict[SeriesKey, list[Row]], list[ReadingIn]], standards: Standards
) -> None:
    stored, new = batch
    checks = asyncio.run(check_columns(None, standards, Columns.of(new), read_stored=reader_of(stored)))  # type: ignore[arg-type]
    flags, reflagged, fresh = expected(stored, new, standards)
    latest = {(r.station, r.parameter, r.interval, r.time): row for row, r in enumerate(new)}
    assert checks.order == [latest[key] for key in sorted(latest)]  # series by series, by time, the later twin
    assert checks.flags == flags
    assert sorted(checks.reflagged) == reflagged
    assert checks.fresh == fresh
    newest: dict[SeriesKey, int] = {}
    for key in sorted(latest):  # by series, then time: each series' newest row assigned last
        newest[key[:3]] = latest[key]
    assert [checks.order[i] for i in checks.last] == list(newest.values())
