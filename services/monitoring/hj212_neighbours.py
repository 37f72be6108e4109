"""The stored neighbours of the HJ 212 writer's hourly series, one row per series (PostgreSQL).

Storing an hour means reading back the stored hours around it (twice the span of a run each side) for the validity
checks: ≈ 12 rows per series to write one, the largest part of a packet's cost (profiled: the row-by-row read was
≈ 40 % of the listener process). PostgreSQL returns each series' rows as arrays instead (``array_agg``, decoded by
asyncpg in C), which the window of each series then cuts by bisection and hands on as columns (no object per row).
The rows are read in the same transaction and are exactly those ``checks._stored_around`` reads (a test compares
both), so the flags are unchanged. The writer reads this way only the series it does not remember as it left them
(``handlers/stored_hours``: first seen, or written since by another process, replica or the batch API). SQLite
keeps the row-by-row read.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime

from services.monitoring.handlers.bulk import dialect_name
from services.monitoring.handlers.checks import IN_LIST, SeriesKey, StoredSeries, Window, _groups, _stored_around
from shared.messaging import UnitOfWork

_SERIES_ARRAYS = """
SELECT station_code, parameter, array_agg(time ORDER BY time), array_agg(value ORDER BY time),
       array_agg(instrument_flag ORDER BY time), array_agg(auto_flags ORDER BY time)
FROM reading
WHERE interval = 'hour' AND station_code = ANY($1) AND parameter = ANY($2) AND time >= $3 AND time <= $4
GROUP BY station_code, parameter
"""


async def stored_around(uow: UnitOfWork, windows: dict[SeriesKey, Window]) -> dict[SeriesKey, StoredSeries]:
    """Stored readings of each hourly series within its window (both ends included), as ``_stored_around``."""
    if dialect_name(uow.session) != "postgresql":
        return await _stored_around(uow, windows)
    connection = await uow.session.connection()
    found: dict[SeriesKey, StoredSeries] = {}
    for keys, (low, high) in _groups(windows):
        codes = sorted({key[0] for key in keys})
        parameters = sorted({key[1] for key in keys})
        for start in range(0, len(codes), IN_LIST):
            result = await connection.exec_driver_sql(
                _SERIES_ARRAYS, (codes[start : start + IN_LIST], parameters, low, high)
            )
            rows: list[tuple[str, str, list[datetime], list[float], list[str], list[str]]] = result.all()  # type: ignore[assignment]
            for code, parameter, times, values, instrument_flags, auto_flags in rows:
                key = (code, parameter, "hour")
                window = windows.get(key)
                if window is None:  # a parameter of another series of the group
                    continue
                first, last = bisect_left(times, window[0]), bisect_right(times, window[1])
                if first < last:
                    found[key] = StoredSeries(
                        times[first:last], values[first:last], instrument_flags[first:last], auto_flags[first:last]
                    )
    return found
