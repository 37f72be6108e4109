"""Storing readings from the batch API and the HJ 212 listener: one bulk upsert per table, never row by row.

A batch is handled as columns (:class:`Columns`): a batch repeats a few texts and times, so grouping, ordering,
the validity rules and the ``COPY`` payload run over whole lists in C loops rather than one Python object a row.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from services.monitoring.domain.readings import Columns, ReadingIn, local_day
from services.monitoring.domain.standards import Standards
from services.monitoring.handlers.bulk import Bulk, dialect_name
from services.monitoring.handlers.checks import (
    READING,
    READING_COLUMNS,
    Checked,
    Checks,
    StoredReader,
    check_columns,
)
from services.monitoring.handlers.neighbours import stored_around
from shared.messaging import UnitOfWork
from shared.messaging.tables import utcnow

if TYPE_CHECKING:
    from services.monitoring.handlers.stored_hours import HoursRead, StoredHours

READING_KEY = ("station_code", "parameter", "interval", "time")
READING_VALUES = ("value", "unit", "instrument_flag", "auto_flags", "source", "received_at")
LATEST_COLUMNS = ("station_code", "parameter", "interval", "time", "value", "unit", "instrument_flag")
REVIEW_COLUMNS = ("station_code", "day", "status", "reason", "version")


class Ingested(NamedTuple):
    """What :func:`store_columns` stored: the rows of ``columns`` in ``checks.order`` with their flags; ``hours``:
    the remembered stored hours this write read, to be told once it has committed (``HoursRead.committed``)."""

    columns: Columns
    checks: Checks
    hours: HoursRead | None = None

    @property
    def stored(self) -> int:
        return len(self.checks.order)

    def checked(self, stations: Collection[str] | None = None) -> list[Checked]:
        """The stored readings with their flags (of these stations only, if given), series by series."""
        flags, station = self.checks.flags, self.columns.station
        return [
            Checked(self.columns.row(i), flags.get(i, ()))
            for i in self.checks.order
            if stations is None or station[i] in stations
        ]


def _newest(columns: Columns, checks: Checks) -> list[int]:
    """The row of the newest reading per station and parameter (a tie between intervals: the later series)."""
    newest: dict[tuple[str, str], int] = {}
    time = columns.time
    for position in checks.last:
        row = checks.order[position]
        pair = (columns.station[row], columns.parameter[row])
        known = newest.get(pair)
        if known is None or time[known] <= time[row]:
            newest[pair] = row
    return [newest[pair] for pair in sorted(newest)]


def _days(columns: Columns) -> list[tuple[str, date]]:
    """The (station, local day) pairs of the readings, sorted (rows locked in one order)."""
    day_of: dict[datetime, date] = {moment: local_day(moment) for moment in set(columns.time)}
    stations = set(columns.station)
    if len(stations) == 1:  # a station's own batch: its days are the days of the batch's times
        return [(station, day) for station in stations for day in sorted(set(day_of.values()))]
    pairs = set(zip(columns.station, columns.time, strict=True))
    return sorted({(station, day_of[moment]) for station, moment in pairs})


_BUMP_POSTGRES = """
INSERT INTO station_reading_version AS v (station_code, version)
SELECT code, 1 FROM unnest($1::varchar[]) AS code ORDER BY code
ON CONFLICT (station_code) DO UPDATE SET version = v.version + 1
RETURNING station_code, version
"""
_BUMP_CHUNK = 500  # SQLite: rows a statement (bound parameters)


async def bump_reading_versions(uow: UnitOfWork, stations: Collection[str]) -> dict[str, int]:
    """Adds one to each station's count of writes to its readings (``station_reading_version``) and returns the new
    counts. Called by every writer of readings first in its transaction, in key order: the row locks also make two
    writers of one station wait for each other before either reads the stored hours the checks need."""
    connection = await uow.session.connection()
    codes = sorted(stations)
    if dialect_name(uow.session) == "postgresql":
        result = await connection.exec_driver_sql(_BUMP_POSTGRES, (codes,))
        rows: list[tuple[str, int]] = result.all()  # type: ignore[assignment]
        return dict(rows)
    versions: dict[str, int] = {}
    for start in range(0, len(codes), _BUMP_CHUNK):
        chunk = codes[start : start + _BUMP_CHUNK]
        sql = (
            "INSERT INTO station_reading_version (station_code, version) VALUES "  # noqa: S608 - only marks added
            + ", ".join(["(?, 1)"] * len(chunk))
            + " ON CONFLICT (station_code) DO UPDATE SET version = version + 1 RETURNING station_code, version"
        )
        result = await connection.exec_driver_sql(sql, tuple(chunk))
        versions.update(result.all())  # type: ignore[arg-type]
    return versions


async def store_readings(
    uow: UnitOfWork,
    standards: Standards,
    readings: Sequence[ReadingIn],
    *,
    source: str,
    read_stored: StoredReader | None = None,
) -> list[Checked]:
    """Upsert readings, the latest value per station and parameter, and mark their days as awaiting review."""
    columns = Columns.of(readings)
    return (await store_columns(uow, standards, columns, source=source, read_stored=read_stored)).checked()


async def store_columns(
    uow: UnitOfWork,
    standards: Standards,
    columns: Columns,
    *,
    source: str,
    read_stored: StoredReader | None = None,
    memory: StoredHours | None = None,
) -> Ingested:
    """:func:`store_readings` for readings given as columns. ``memory``: stored hours a writer remembers between
    its transactions (what it does not remember, or no longer can trust, is read with ``read_stored``, by default
    series by series along the primary key: ``handlers/neighbours``)."""
    read_stored = read_stored or stored_around
    hours: HoursRead | None = None
    if columns.size:
        versions = await bump_reading_versions(uow, set(columns.station))
        if memory is not None:
            hours = memory.begin(versions, read_stored)
        checks = await check_columns(uow, standards, columns, read_stored=hours or read_stored)
    else:
        checks = Checks([], {}, [], True, [])
    bulk = Bulk(uow.session)
    time = bulk.time
    order = checks.order
    if order:
        count = columns.size
        auto = [""] * count
        for row, reasons in checks.flags.items():  # few rows have flags
            auto[row] = ",".join(reasons)
        data: list[list[Any]] = [*columns, auto, [source] * count, [utcnow()] * count]
        # In key order (series, then time), as every writer of readings: two transactions upserting the same keys
        # lock them in one order, so they wait for each other instead of deadlocking.
        await bulk.upsert_columns(
            READING.name, READING_COLUMNS, data, keys=READING_KEY, update=READING_VALUES, new_keys=checks.fresh,
            order=order,
        )  # fmt: skip
    # Stored readings whose flags the new ones changed (the sixth equal hour flags the five before it).
    changed = [
        (flags, station, parameter, interval, time(moment))
        for flags, station, parameter, interval, moment in checks.reflagged
    ]
    await bulk.update(READING.name, ("auto_flags",), READING_KEY, changed)
    latest = [
        (columns.station[i], columns.parameter[i], columns.interval[i], time(columns.time[i]), columns.value[i],
         columns.unit[i], columns.flag[i])
        for i in _newest(columns, checks)
    ]  # fmt: skip
    await bulk.upsert(
        "latest_reading", LATEST_COLUMNS, latest, keys=("station_code", "parameter"),
        update=("interval", "time", "value", "unit", "instrument_flag"),
        where='"latest_reading"."time" <= excluded."time"',
    )  # fmt: skip
    review = [(station, bulk.day(day), "pending", "", 1) for station, day in _days(columns)]
    # New data on a confirmed day needs another look; an invalidated day stays invalidated.
    await bulk.upsert(
        "day_review", REVIEW_COLUMNS, review, keys=("station_code", "day"), update=("status",),
        where="\"day_review\".\"status\" = 'confirmed'",
    )  # fmt: skip
    return Ingested(columns, checks, hours)
