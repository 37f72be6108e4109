"""Automatic validity flags at ingest, with the stored neighbours of each hourly series.

Stations send an hour at a time (HJ 212), so a stuck instrument or a spike only shows next to what is already
stored: each hourly series is checked together with its stored values around the new ones, and stored values
whose flags change (the sixth equal hour flags the five before it) are written back in the same upsert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from services.monitoring.domain.readings import ReadingIn
from services.monitoring.domain.validity import Point, ValidityRules, automatic_flags
from services.monitoring.standards import Standards
from services.monitoring.tables import Reading
from shared.messaging import UnitOfWork


@dataclass(frozen=True)
class Checked:
    reading: ReadingIn
    auto_flags: tuple[str, ...]


SeriesKey = tuple[str, str, str]


def _series(readings: Sequence[ReadingIn]) -> dict[SeriesKey, list[ReadingIn]]:
    latest = {r.key: r for r in readings}  # a key sent twice in one batch: the later row wins
    series: dict[SeriesKey, list[ReadingIn]] = defaultdict(list)
    for reading in sorted(latest.values(), key=lambda r: r.key):
        series[(reading.station, reading.parameter, reading.interval)].append(reading)
    return series


async def _stored_around(
    uow: UnitOfWork, key: SeriesKey, points: Sequence[ReadingIn], rules: ValidityRules
) -> list[Reading]:
    if key[2] != "hour":
        return []  # the series rules are in hours; other intervals get the per-value checks only
    # Twice the span of a run: a stored value the new ones can affect (within one span) then sees enough of its
    # own run to keep a flag it already had.
    span = 2 * _reach(rules)
    query = select(Reading).where(
        Reading.station_code == key[0],
        Reading.parameter == key[1],
        Reading.interval == key[2],
        col(Reading.time) >= points[0].time - span,
        col(Reading.time) <= points[-1].time + span,
    )
    return list((await uow.session.execute(query)).scalars())


async def check_readings(
    uow: UnitOfWork, standards: Standards, readings: Sequence[ReadingIn]
) -> tuple[list[Checked], list[dict[str, Any]]]:
    """The new readings with their flags, and rows of stored readings whose flags the new ones changed."""
    checked: list[Checked] = []
    reflagged: list[dict[str, Any]] = []
    for key, points in _series(readings).items():
        rules = standards.validity.in_force(points[0].local_day)
        merged: dict[datetime, ReadingIn | Reading] = {r.time: r for r in await _stored_around(uow, key, points, rules)}
        merged.update({p.time: p for p in points})
        ordered = sorted(merged.items())
        flags = automatic_flags(rules, key[1], [_point(item) for _, item in ordered])
        reach = (points[0].time - _reach(rules), points[-1].time + _reach(rules))
        for (_time, item), found in zip(ordered, flags, strict=True):
            if isinstance(item, ReadingIn):
                checked.append(Checked(item, found))
            elif item.auto_flags != ",".join(found) and reach[0] <= item.time <= reach[1]:
                reflagged.append(item.model_dump() | {"auto_flags": ",".join(found)})
    return checked, reflagged


def _reach(rules: ValidityRules) -> timedelta:
    return timedelta(hours=rules.constant_hours)


def _point(item: ReadingIn | Reading) -> Point:
    if isinstance(item, ReadingIn):
        return Point(item.time, item.value, item.flag)
    return Point(item.time, item.value, item.instrument_flag)
