"""Stored hours a writer remembers between its transactions (the HJ 212 group commit), instead of reading them back.

Storing an hour means checking it with the stored hours around it (``handlers/checks``): a station sending every
hour had its last twelve or so hours read back for each new one, the largest part of a packet's cost in the
service and in PostgreSQL. A writer that wrote those hours itself already knows them, as long as nobody else wrote
the station's readings since. It knows that from ``station_reading_version``: every writer of readings adds one to
its stations' counts first in its transaction (``ingest.bump_reading_versions``), so when the count this write
got is the one this writer left plus one, the hours it remembers are exactly what is stored. Otherwise (another
process, replica or the batch API wrote the station; a write of its own whose commit it never saw) the series
are read again, as before.

What is remembered of a series is every stored hour within a range of time (``low`` to ``high``), the range the
last read covered: a window of the checks within it is answered from memory. A read reaches ``AHEAD`` past the
window it needs, so a station sending hour after hour is read again about once a day. A write that did not commit
(rolled back, failed) changes nothing here: only :meth:`HoursRead.committed` does.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from services.monitoring.domain.readings import Columns
from services.monitoring.handlers.checks import (
    Checks,
    SeriesKey,
    StoredReader,
    StoredSeries,
    Window,
)
from shared.messaging import UnitOfWork

AHEAD = timedelta(hours=24)
MAX_STATIONS = 50_000  # bounded: the stations written least recently are forgotten first


class _Known(NamedTuple):
    """Every stored hour of a series from ``low`` to ``high`` (both included)."""

    low: datetime
    high: datetime
    series: StoredSeries


@dataclass
class _Station:
    version: int  # the station's count after the write that left these hours
    series: dict[SeriesKey, _Known] = field(default_factory=dict)


def _cut(series: StoredSeries, low: datetime, high: datetime) -> StoredSeries | None:
    first, last = bisect_left(series.times, low), bisect_right(series.times, high)
    if first >= last:
        return None
    if first == 0 and last == len(series.times):
        return series
    return StoredSeries(
        series.times[first:last], series.values[first:last], series.instrument_flags[first:last],
        series.auto_flags[first:last],
    )  # fmt: skip


class StoredHours:
    """One writer's memory (see the module). Not shared: its transactions run one after the other."""

    def __init__(self, *, ahead: timedelta = AHEAD, max_stations: int = MAX_STATIONS) -> None:
        self.ahead, self.max_stations = ahead, max_stations
        self.stations: dict[str, _Station] = {}

    def begin(self, versions: Mapping[str, int], read_stored: StoredReader) -> HoursRead:
        """The stored-hours reader of one transaction, whose own count bump gave ``versions``; what it does not
        remember it reads with ``read_stored``."""
        return HoursRead(self, dict(versions), read_stored)

    def known(self, key: SeriesKey, version: int) -> _Known | None:
        station = self.stations.get(key[0])
        if station is None or station.version + 1 != version:
            return None
        return station.series.get(key)


class HoursRead:
    """A :data:`StoredReader` for one transaction, answering from memory what it can, and what it used, for
    :meth:`committed`."""

    def __init__(self, memory: StoredHours, versions: dict[str, int], read_stored: StoredReader) -> None:
        self.memory, self.versions, self.read_stored = memory, versions, read_stored
        self.used: dict[SeriesKey, _Known] = {}
        self.remembered = self.read = 0  # series answered from memory / read back

    async def __call__(self, uow: UnitOfWork, windows: dict[SeriesKey, Window]) -> dict[SeriesKey, StoredSeries]:
        found: dict[SeriesKey, StoredSeries] = {}
        missing: dict[SeriesKey, Window] = {}
        for key, (low, high) in windows.items():
            known = self.memory.known(key, self.versions[key[0]])
            if known is not None and known.low <= low and high <= known.high:
                self.used[key] = known
                cut = _cut(known.series, low, high)
                if cut is not None:
                    found[key] = cut
            else:
                missing[key] = (low, high + self.memory.ahead)
        self.remembered += len(windows) - len(missing)
        self.read += len(missing)
        if missing:
            read = await self.read_stored(uow, missing)
            for key, (low, high) in missing.items():
                series = read.get(key) or StoredSeries([], [], [], [])  # its own lists: committed() adds to them
                self.used[key] = _Known(low, high, series)
                cut = _cut(series, low, windows[key][1])
                if cut is not None:
                    found[key] = cut
        return found

    def committed(self, columns: Columns, checks: Checks) -> None:
        """The transaction committed what ``store_columns`` wrote with these checks: remembered are the hours it
        used, as they are stored now (its new rows, and the stored rows' new flags)."""
        memory = self.memory
        for code, version in self.versions.items():
            station = memory.stations.pop(code, None)  # put back last: the most recently written
            if station is None or station.version + 1 != version:
                station = _Station(version)  # somebody else wrote it since: what was known of it is not
            station.version = version
            memory.stations[code] = station
        reflagged: dict[SeriesKey, dict[datetime, str]] = defaultdict(dict)
        for flags, station_code, parameter, interval, moment in checks.reflagged:
            reflagged[(station_code, parameter, interval)][moment] = flags
        station_of, parameter_of, interval_of = columns.station, columns.parameter, columns.interval
        time_of, value_of, flag_of = columns.time.__getitem__, columns.value.__getitem__, columns.flag.__getitem__
        flags_of, order, used, stations, begin = checks.flags.get, checks.order, self.used, memory.stations, 0
        for last in checks.last:  # the rows of each series, by time (see ``Checks``)
            first_row, rows, begin = order[begin], order[begin : last + 1], last + 1
            key = (station_of[first_row], parameter_of[first_row], interval_of[first_row])
            known = used.get(key)
            if known is None:
                continue
            stored, fixes = known.series, reflagged.get(key)
            if fixes is None and (not stored.times or stored.times[-1] < time_of(first_row)):
                # Only newer hours (a station sending hour after hour): added to the end of the lists, which are
                # this memory's own (read for this write, or remembered), and which the checks are done with.
                stored.times.extend(map(time_of, rows))
                stored.values.extend(map(value_of, rows))
                stored.instrument_flags.extend(map(flag_of, rows))
                stored.auto_flags.extend(",".join(flags_of(row, ())) for row in rows)
                stations[key[0]].series[key] = known
                continue
            by_time = dict(zip(stored.times, zip(stored.values, stored.instrument_flags, stored.auto_flags,
                                                 strict=True), strict=True))  # fmt: skip
            for moment, flags in (fixes or {}).items():
                if moment in by_time:
                    value, instrument_flag, _ = by_time[moment]
                    by_time[moment] = (value, instrument_flag, flags)
            for row in rows:
                by_time[time_of(row)] = (value_of(row), flag_of(row), ",".join(flags_of(row, ())))
            ordered = sorted(by_time)
            values, instrument_flags, auto_flags = zip(*map(by_time.__getitem__, ordered), strict=True)
            stations[key[0]].series[key] = _Known(
                known.low, known.high, StoredSeries(ordered, list(values), list(instrument_flags), list(auto_flags))
            )
        while len(memory.stations) > memory.max_stations:
            del memory.stations[next(iter(memory.stations))]
