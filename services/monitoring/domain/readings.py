"""Readings as sent (batch JSON/CSV rows): parsed and checked one by one, so bad rows are reported by index.

A batch holds tens of thousands of rows, so the common shape (a dict of text fields, a number value, a time seen
before in the batch) is taken by a fast path; anything else goes through :func:`parse_row`, which says what is wrong.
"""

from __future__ import annotations

import csv
import io
import math
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import chain, repeat
from operator import attrgetter, is_
from typing import NamedTuple
from zoneinfo import ZoneInfo

import msgspec

LOCAL = ZoneInfo("Asia/Shanghai")
INTERVALS = ("rtd", "minute", "hour", "day")
# HJ 212 data flags: N normal, F stopped, M maintenance, S manual, D fault, C calibration, T over range, B comms.
INSTRUMENT_FLAGS = frozenset("NFMSDCTB")
CSV_COLUMNS = ("station", "parameter", "time", "value", "unit", "flag", "interval")
REQUIRED = ("station", "parameter", "time", "value")


class ReadingIn(NamedTuple):
    station: str
    parameter: str
    interval: str
    time: datetime  # UTC, start of the period
    value: float
    unit: str
    flag: str

    @property
    def key(self) -> tuple[str, str, str, datetime]:
        return (self.station, self.parameter, self.interval, self.time)

    @property
    def local_day(self) -> date:
        return local_day(self.time)


@lru_cache(maxsize=16_384)  # a batch asks for each of its times' day several times (parse, rules, review days)
def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


class DayOutOfRange(ValueError):
    """The first or last day of the calendar: its UTC range, or that range read back locally, overflows."""


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A local (Asia/Shanghai) day as a UTC half-open range."""
    if day in (date.min, date.max):
        raise DayOutOfRange(f"day {day.isoformat()} is out of range")
    start = datetime(day.year, day.month, day.day, tzinfo=LOCAL).astimezone(UTC)
    return start, start + timedelta(days=1)


def parse_time(text: str) -> datetime:
    """ISO 8601; a time without an offset is Beijing time (as HJ 212 stations send it)."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment.astimezone(UTC)


class RowError(ValueError):
    pass


def _text(row: Mapping[str, object], name: str, default: str = "", limit: int = 64) -> str:
    value = row.get(name)
    if value is None or value == "":
        if default or name not in REQUIRED:
            return default
        raise RowError(f"missing {name}")
    if not isinstance(value, str):
        raise RowError(f"{name} must be text")
    if len(value) > limit:
        raise RowError(f"{name} longer than {limit}")
    if not value.isprintable():  # NUL (which PostgreSQL cannot store), other controls, bidi marks
        raise RowError(f"{name} contains control characters")
    return value.strip()


def _value(row: Mapping[str, object]) -> float:
    raw = row.get("value")
    if raw is None or raw == "":
        raise RowError("missing value")
    if isinstance(raw, bool):
        raise RowError("value must be a number")
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError) as exc:
        raise RowError(f"value {str(raw)[:40]!r} is not a number") from exc
    if not math.isfinite(value):
        raise RowError("value must be finite")
    return value


def parse_row(row: object) -> ReadingIn:
    if not isinstance(row, Mapping):
        raise RowError("a reading must be an object")
    unknown = sorted(set(row) - set(CSV_COLUMNS))
    if unknown:
        raise RowError(f"unknown fields: {', '.join(map(str, unknown))}")
    interval = _text(row, "interval", "hour")
    if interval not in INTERVALS:
        raise RowError(f"interval must be one of {', '.join(INTERVALS)}")
    flag = _text(row, "flag", "N")
    if flag not in INSTRUMENT_FLAGS:
        raise RowError(f"flag {flag!r} is not an HJ 212 data flag")
    try:
        moment = parse_time(_text(row, "time"))
        local_day(moment)  # the first and last days of the calendar have no local day on both sides
    except (ValueError, OverflowError) as exc:
        raise RowError(f"time: {exc}") from exc
    return ReadingIn(
        station=_text(row, "station"),
        parameter=_text(row, "parameter", limit=30),
        interval=interval,
        time=moment,
        value=_value(row),
        unit=_text(row, "unit", limit=20),
        flag=flag,
    )


_COLUMNS = frozenset(CSV_COLUMNS)
_LIMITS = {"station": 64, "parameter": 30, "unit": 20, "interval": 64, "flag": 64}


def _fast_text(row: dict[str, object], name: str, default: str) -> str | None:
    """What ``_text`` gives for a well-formed field, or None when only ``_text`` can say (missing, wrong, long)."""
    value = row.get(name)
    if value is None or value == "":
        return default or None
    if type(value) is not str or len(value) > _LIMITS[name] or not value.isprintable():
        return None
    return value.strip()


Texts = tuple[str, str, str, str, str]  # station, parameter, interval, unit, flag as parse_row gives them


def _fast_texts(row: dict[str, object]) -> Texts | None:
    interval = _fast_text(row, "interval", "hour")
    flag = _fast_text(row, "flag", "N")
    station = _fast_text(row, "station", "")
    parameter = _fast_text(row, "parameter", "")
    unit = _fast_text(row, "unit", "")
    if unit is None and row.get("unit") not in (None, ""):
        return None
    if station is None or parameter is None or interval not in INTERVALS:
        return None
    if flag is None or flag not in INSTRUMENT_FLAGS:
        return None
    return station, parameter, interval or "", unit or "", flag


class _Seen:
    """What one batch has already judged: its rows repeat a few texts and times."""

    def __init__(self) -> None:
        self.texts: dict[tuple[object, ...], Texts | None] = {}
        self.times: dict[str, datetime | None] = {}


def _fast_row(row: object, seen: _Seen) -> ReadingIn | None:
    """The reading :func:`parse_row` would give, for the common well-formed row; None for anything else."""
    if type(row) is not dict or not row.keys() <= _COLUMNS:
        return None
    get = row.get
    key = (get("station"), get("parameter"), get("interval"), get("unit"), get("flag"))
    try:
        texts = seen.texts[key]
    except KeyError:
        texts = seen.texts[key] = _fast_texts(row)
    except TypeError:  # an unhashable field: not a text, parse_row says so
        return None
    text = get("time")
    if texts is None or type(text) is not str:
        return None
    try:
        moment = seen.times[text]
    except KeyError:
        moment = seen.times[text] = _fast_time(text)
    raw = get("value")
    kind = type(raw)
    if moment is None or not (kind is float or kind is int or kind is str):
        return None
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        return None
    if not math.isfinite(value):
        return None
    station, parameter, interval, unit, flag = texts
    return ReadingIn(station, parameter, interval, moment, value, unit, flag)


def _fast_time(text: str) -> datetime | None:
    if not text or len(text) > 64 or not text.isprintable():
        return None
    try:
        moment = parse_time(text)
        local_day(moment)
    except (ValueError, OverflowError):
        return None
    return moment


def parse_rows(rows: Iterable[object]) -> tuple[list[tuple[int, ReadingIn]], list[tuple[int, str]]]:
    good: list[tuple[int, ReadingIn]] = []
    bad: list[tuple[int, str]] = []
    seen = _Seen()
    for index, row in enumerate(rows):
        fast = _fast_row(row, seen)
        if fast is not None:
            good.append((index, fast))
            continue
        try:
            good.append((index, parse_row(row)))
        except RowError as exc:
            bad.append((index, str(exc)))
    return good, bad


def rows_from_csv(text: str) -> list[dict[str, str]]:
    """A header row naming the columns, then one reading per line."""
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise RowError(f"CSV header lacks {', '.join(missing)}")
        return [{k: v for k, v in row.items() if k is not None and v is not None} for row in reader]
    except csv.Error as exc:
        raise RowError(f"CSV: {exc}") from exc


class Columns(NamedTuple):
    """A batch as columns: row ``i`` is the reading ``(station[i], parameter[i], interval[i], time[i], value[i],
    unit[i], flag[i])``. A batch repeats a few texts and times, so the columns share their objects."""

    station: list[str]
    parameter: list[str]
    interval: list[str]
    time: list[datetime]
    value: list[float]
    unit: list[str]
    flag: list[str]

    @property
    def size(self) -> int:
        """The number of rows."""
        return len(self.value)

    @classmethod
    def of(cls, readings: Iterable[ReadingIn]) -> Columns:
        """The readings turned into columns."""
        columns = [list(column) for column in zip(*readings, strict=True)]
        return cls(*columns) if columns else cls([], [], [], [], [], [], [])

    def readings(self) -> list[ReadingIn]:
        return list(map(ReadingIn, *self))

    def row(self, i: int) -> ReadingIn:
        return ReadingIn(
            self.station[i],
            self.parameter[i],
            self.interval[i],
            self.time[i],
            self.value[i],
            self.unit[i],
            self.flag[i],
        )


_TEXT_FIELDS = ("station", "parameter", "interval", "unit", "flag")
_DEFAULTS = {"station": "", "parameter": "", "interval": "hour", "unit": "", "flag": "N"}
_NUMBER_TYPES = frozenset((float, int, str))


def _judged_text(name: str, text: object) -> str | None:
    """What ``_text`` gives for this field's text, or None when only ``parse_row`` can say what is wrong."""
    if text is None or text == "":
        return None if name in REQUIRED else _DEFAULTS[name]
    return _fast_text({name: text}, name, "")


def _judged_texts(name: str, raw: list[object]) -> list[str] | None:
    """The column as ``parse_row`` reads it, each distinct text judged once; None if one needs ``parse_row``."""
    judged: dict[object, str] = {}
    for text in set(raw):
        fast = _judged_text(name, text)
        if fast is None:
            return None
        judged[text] = fast
    if name == "interval" and not set(judged.values()) <= set(INTERVALS):
        return None
    if name == "flag" and not set(judged.values()) <= INSTRUMENT_FLAGS:
        return None
    if all(text is fast for text, fast in judged.items()):  # every text as sent (no default, nothing stripped)
        return raw  # type: ignore[return-value]
    return list(map(judged.__getitem__, raw))


def _judged_times(raw: list[object]) -> list[datetime] | None:
    """The times as ``parse_row`` reads them, each distinct text parsed once by ``map`` (what ``_fast_time`` does
    to one); None if one needs ``parse_row``. Raises ``ValueError`` or ``OverflowError`` for a time that is none."""
    distinct = list(set(raw))  # only a text equals a text: the types can be judged on the distinct values
    if set(map(type, distinct)) != {str}:
        return None
    texts: list[str] = distinct  # type: ignore[assignment]
    if min(map(len, texts)) == 0 or max(map(len, texts)) > 64 or not all(map(str.isprintable, texts)):
        return None
    parsed = list(map(datetime.fromisoformat, map(str.strip, texts)))
    if None in set(map(attrgetter("tzinfo"), parsed)):  # no offset: Beijing time, as parse_time reads it
        parsed = [moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL) for moment in parsed]
    moments = list(map(datetime.astimezone, parsed, repeat(UTC)))
    deque(map(local_day, moments), maxlen=0)  # the first and last days of the calendar have no local day
    moment_of: dict[object, datetime] = dict(zip(texts, moments, strict=True))
    return list(map(moment_of.__getitem__, raw))


def _known_fields_only(dicts: list[dict[str, object]], raw: list[list[object]], texts: list[list[str] | None]) -> bool:
    """No row has a field beyond ``CSV_COLUMNS``. A text column judged as sent (``texts[j] is raw[j]``) has no
    None: no row lacks that field. When no row lacks any (time and value are checked apart), a row of seven
    fields has only known ones, which ``len`` tells without reading the keys."""
    if all(map(is_, texts, raw)):
        return max(map(len, dicts)) == len(CSV_COLUMNS)
    return set(chain.from_iterable(dicts)) <= _COLUMNS


def _all_finite(values: list[float]) -> bool:
    # An infinity or NaN makes the sum infinite or NaN; a finite sum that overflowed is checked value by value.
    return math.isfinite(sum(values)) or all(map(math.isfinite, values))


def parse_columns(rows: list[object]) -> Columns | None:
    """The whole batch at once, column by column (the loops run in C: ``map``, ``set``, ``zip``), when every row is
    well formed; None when one is not, and then :func:`parse_rows` says which and why, row by row. Gives exactly the
    readings ``parse_row`` gives (a property test holds it)."""
    if not rows:
        return Columns([], [], [], [], [], [], [])
    if set(map(type, rows)) != {dict}:
        return None
    dicts: list[dict[str, object]] = rows  # type: ignore[assignment]
    try:
        raw_texts = [list(map(dict.get, dicts, repeat(name))) for name in _TEXT_FIELDS]
        texts = list(map(_judged_texts, _TEXT_FIELDS, raw_texts))
        if not _known_fields_only(dicts, raw_texts, texts):
            return None
        return _columns(texts, list(map(dict.get, dicts, repeat("time"))), list(map(dict.get, dicts, repeat("value"))))
    except (TypeError, ValueError, OverflowError):  # an unhashable field, a text that is no number or no time
        return None


class _Row(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A batch row as JSON sends it: its known fields only, texts or null, the value a number or a text (no
    container in it, so the garbage collector need not track it)."""

    station: str | None = None
    parameter: str | None = None
    interval: str | None = None
    unit: str | None = None
    flag: str | None = None
    time: str | None = None
    value: int | float | str | None = None


_BATCH = msgspec.json.Decoder(list[_Row])


def decode_columns(body: bytes) -> Columns | None:
    """:func:`parse_columns` of a JSON batch, straight from its bytes: the rows are decoded into their seven fields
    (no dict a row), which the same rules then judge column by column. None when the body is anything else (not
    UTF-8, a field unknown or of another type, a number beyond a float, nesting, no rows) or a row is not well
    formed: then the body is parsed as any JSON (``parse_json``) and judged by :func:`parse_columns` or row by
    row. Gives what ``parse_columns(parse_json(body))`` gives whenever it gives columns (a property test holds it)."""
    try:
        rows = _BATCH.decode(body)
    except msgspec.DecodeError:  # also its ValidationError: a type or field the row path must name
        return None
    if not rows:
        return None
    try:
        texts = [_judged_texts(name, list(map(attrgetter(name), rows))) for name in _TEXT_FIELDS]
        return _columns(texts, list(map(attrgetter("time"), rows)), list(map(attrgetter("value"), rows)))
    except (TypeError, ValueError, OverflowError):  # a text that is no number or no time
        return None


def _columns(texts: list[list[str] | None], raw_times: list[object], raw_values: list[object]) -> Columns | None:
    """The columns, from the judged texts and the times and values as sent; None when one is not well formed."""
    times = _judged_times(raw_times)
    kinds = set(map(type, raw_values))
    if not kinds <= _NUMBER_TYPES:
        return None
    values: list[float] = raw_values if kinds == {float} else list(map(float, raw_values))  # type: ignore[assignment, arg-type]
    if times is None or not _all_finite(values):
        return None
    station, parameter, interval, unit, flag = texts
    if station is None or parameter is None or interval is None or unit is None or flag is None:
        return None
    return Columns(station, parameter, interval, times, values, unit, flag)
