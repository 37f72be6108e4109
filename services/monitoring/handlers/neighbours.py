"""The stored neighbours of the hourly series a write checks, read series by series along the primary key.

Storing an hour means reading back the stored hours around it (twice the span of a run each side) for the validity
checks. Every writer reads them here (the batch API, the HJ 212 writer for the series it does not remember:
``handlers/stored_hours``). On PostgreSQL each series is one range of the primary key (station, parameter, interval,
time) with every column of it bound (a lateral join over the series), so no plan the statistics could choose reads
a station's other parameters or its whole history, as an index scan bound by the station alone would: a table just
bulk-loaded has none, and the newest hours are always beyond them. Each series' rows come back as arrays
(``array_agg``, decoded by asyncpg in C) handed on as columns (no object per row). SQLite takes the IN lists of
``checks._stored_around`` along the same key. The rows are exactly those ``checks._stored_around`` reads (a test
compares both), so the flags are unchanged.
"""

from __future__ import annotations

from datetime import datetime

from services.monitoring.handlers.bulk import dialect_name
from services.monitoring.handlers.checks import SeriesKey, StoredSeries, Window, _stored_around
from shared.messaging import UnitOfWork

_SERIES_ARRAYS = """
SELECT k.station_code, k.parameter, s.times, s.values, s.instrument_flags, s.auto_flags
FROM unnest($1::varchar[], $2::varchar[], $3::timestamptz[], $4::timestamptz[]) AS k(station_code, parameter, low, high)
CROSS JOIN LATERAL (
    SELECT array_agg(r.time ORDER BY r.time) AS times, array_agg(r.value ORDER BY r.time) AS values,
           array_agg(r.instrument_flag ORDER BY r.time) AS instrument_flags,
           array_agg(r.auto_flags ORDER BY r.time) AS auto_flags
    FROM reading AS r
    WHERE r.station_code = k.station_code AND r.parameter = k.parameter AND r.interval = 'hour'
      AND r.time >= k.low AND r.time <= k.high
) AS s
WHERE s.times IS NOT NULL
"""
SERIES_A_STATEMENT = 5_000  # bounded arrays


async def stored_around(uow: UnitOfWork, windows: dict[SeriesKey, Window]) -> dict[SeriesKey, StoredSeries]:
    """Stored readings of each hourly series within its window (both ends included), as ``_stored_around``."""
    if dialect_name(uow.session) != "postgresql":
        return await _stored_around(uow, windows)
    connection = await uow.session.connection()
    found: dict[SeriesKey, StoredSeries] = {}
    series = sorted(windows.items())
    for start in range(0, len(series), SERIES_A_STATEMENT):
        chunk = series[start : start + SERIES_A_STATEMENT]
        arguments = (
            [key[0] for key, _ in chunk],
            [key[1] for key, _ in chunk],
            [window[0] for _, window in chunk],
            [window[1] for _, window in chunk],
        )
        result = await connection.exec_driver_sql(_SERIES_ARRAYS, arguments)
        rows: list[tuple[str, str, list[datetime], list[float], list[str], list[str]]] = result.all()  # type: ignore[assignment]
        for code, parameter, times, values, instrument_flags, auto_flags in rows:
            found[(code, parameter, "hour")] = StoredSeries(times, values, instrument_flags, auto_flags)
    return found
