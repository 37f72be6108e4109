"""Storing readings from the batch API and the HJ 212 listener: one bulk upsert per table, never row by row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from services.monitoring.domain.readings import ReadingIn, local_day
from services.monitoring.domain.standards import Standards
from services.monitoring.handlers.bulk import Bulk
from services.monitoring.handlers.checks import READING, READING_COLUMNS, Checked, StoredReader, check_readings
from shared.messaging import UnitOfWork
from shared.messaging.tables import utcnow

READING_KEY = ("station_code", "parameter", "interval", "time")
READING_VALUES = ("value", "unit", "instrument_flag", "auto_flags", "source", "received_at")
LATEST_COLUMNS = ("station_code", "parameter", "interval", "time", "value", "unit", "instrument_flag")
REVIEW_COLUMNS = ("station_code", "day", "status", "reason", "version")


def _newest(checked: Sequence[Checked]) -> list[ReadingIn]:
    """The newest reading per station and parameter."""
    newest: dict[tuple[str, str], ReadingIn] = {}
    for item in checked:
        r = item.reading
        known = newest.get((r.station, r.parameter))
        if known is None or known.time <= r.time:
            newest[(r.station, r.parameter)] = r
    return [newest[key] for key in sorted(newest)]


def _days(checked: Sequence[Checked]) -> list[tuple[str, date]]:
    """The (station, local day) pairs of the readings, sorted (rows locked in one order)."""
    day_of: dict[datetime, date] = {}
    days: set[tuple[str, date]] = set()
    for item in checked:
        moment = item.reading.time
        day = day_of.get(moment)
        if day is None:
            day = day_of[moment] = local_day(moment)
        days.add((item.reading.station, day))
    return sorted(days)


async def store_readings(
    uow: UnitOfWork,
    standards: Standards,
    readings: Sequence[ReadingIn],
    *,
    source: str,
    read_stored: StoredReader | None = None,
) -> list[Checked]:
    """Upsert readings, the latest value per station and parameter, and mark their days as awaiting review."""
    checked, reflagged, fresh = await check_readings(uow, standards, readings, read_stored=read_stored)
    bulk = Bulk(uow.session)
    time = bulk.time
    now = time(utcnow())
    rows = [
        (r.station, r.parameter, r.interval, time(r.time), r.value, r.unit, r.flag, ",".join(flags), source, now)
        for r, flags in checked
    ]
    await bulk.upsert(READING.name, READING_COLUMNS, rows, keys=READING_KEY, update=READING_VALUES, new_keys=fresh)
    # Stored readings whose flags the new ones changed (the sixth equal hour flags the five before it).
    changed = [
        (flags, station, parameter, interval, time(moment)) for flags, station, parameter, interval, moment in reflagged
    ]
    await bulk.update(READING.name, ("auto_flags",), READING_KEY, changed)
    latest = [(r.station, r.parameter, r.interval, time(r.time), r.value, r.unit, r.flag) for r in _newest(checked)]
    await bulk.upsert(
        "latest_reading", LATEST_COLUMNS, latest, keys=("station_code", "parameter"),
        update=("interval", "time", "value", "unit", "instrument_flag"),
        where='"latest_reading"."time" <= excluded."time"',
    )  # fmt: skip
    review = [(station, bulk.day(day), "pending", "", 1) for station, day in _days(checked)]
    # New data on a confirmed day needs another look; an invalidated day stays invalidated.
    await bulk.upsert(
        "day_review", REVIEW_COLUMNS, review, keys=("station_code", "day"), update=("status",),
        where="\"day_review\".\"status\" = 'confirmed'",
    )  # fmt: skip
    return checked
