"""Storing readings from the batch API and the HJ 212 listener: one bulk upsert per table, never row by row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, literal

from services.monitoring.bulk import upsert
from services.monitoring.domain.readings import ReadingIn
from services.monitoring.handlers.checks import Checked, check_readings
from services.monitoring.standards import Standards
from services.monitoring.tables import DayReview, LatestReading, Reading
from shared.messaging import UnitOfWork
from shared.messaging.tables import utcnow

READING: Table = Reading.__table__  # type: ignore[attr-defined]
LATEST: Table = LatestReading.__table__  # type: ignore[attr-defined]
REVIEW: Table = DayReview.__table__  # type: ignore[attr-defined]
READING_KEY = ("station_code", "parameter", "interval", "time")
READING_VALUES = ("value", "unit", "instrument_flag", "auto_flags", "source", "received_at")


def _reading_row(item: Checked, source: str, now: Any) -> dict[str, Any]:
    r = item.reading
    return {
        "station_code": r.station, "parameter": r.parameter, "interval": r.interval, "time": r.time,
        "value": r.value, "unit": r.unit, "instrument_flag": r.flag, "auto_flags": ",".join(item.auto_flags),
        "source": source, "received_at": now,
    }  # fmt: skip


def _latest_rows(checked: Sequence[Checked]) -> list[dict[str, Any]]:
    newest: dict[tuple[str, str], ReadingIn] = {}
    for item in checked:
        r = item.reading
        if (r.station, r.parameter) not in newest or newest[(r.station, r.parameter)].time <= r.time:
            newest[(r.station, r.parameter)] = r
    return [
        {"station_code": r.station, "parameter": r.parameter, "interval": r.interval, "time": r.time,
         "value": r.value, "unit": r.unit, "instrument_flag": r.flag}
        for r in newest.values()
    ]  # fmt: skip


async def store_readings(
    uow: UnitOfWork, standards: Standards, readings: Sequence[ReadingIn], *, source: str
) -> list[Checked]:
    """Upsert readings, the latest value per station and parameter, and mark their days as awaiting review."""
    checked, reflagged = await check_readings(uow, standards, readings)
    now = utcnow()
    session = uow.session
    rows = [_reading_row(c, source, now) for c in checked] + reflagged
    await upsert(session, READING, rows, keys=READING_KEY, update=READING_VALUES)
    await upsert(
        session, LATEST, _latest_rows(checked), keys=("station_code", "parameter"),
        update=("interval", "time", "value", "unit", "instrument_flag"),
        where=lambda stmt: LATEST.c.time <= stmt.excluded.time,
    )  # fmt: skip
    days = sorted({(c.reading.station, c.reading.local_day) for c in checked})
    review_rows = [{"station_code": s, "day": d, "status": "pending", "reason": "", "version": 1} for s, d in days]
    # New data on a confirmed day needs another look; an invalidated day stays invalidated.
    await upsert(
        session, REVIEW, review_rows, keys=("station_code", "day"), update=("status",),
        where=lambda _stmt: REVIEW.c.status == literal("confirmed"),
    )  # fmt: skip
    return checked
