"""Bulk ``INSERT … ON CONFLICT`` for PostgreSQL and SQLite.

``upsert`` takes dicts through SQLAlchemy (small sets). ``Bulk`` is the ingest path for tens of thousands of rows:
tuples already in the driver's form, sent as one prepared ``executemany`` on the session's own connection (so in
the unit of work's transaction), or on PostgreSQL, for large sets, ``COPY`` into a temporary staging table and one
``INSERT … SELECT … ON CONFLICT`` from it. No per-row SQLAlchemy bind processing either way.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import chain, repeat
from operator import floordiv, sub
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

CHUNK = 5_000  # rows per executemany call: bounded memory per round trip
COPY_MIN_ROWS = 1_000  # below this, COPY's extra round trips cost more than they save
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
# PostgreSQL's binary COPY: a signature, flags and header extension length; each row its field count then each
# field's length and bytes (big-endian); -1 at the end.
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
COPY_TRAILER = struct.pack("!h", -1)
_FLOAT8 = struct.Struct("!id")
_INT8 = struct.Struct("!iq")
_POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def dialect_name(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def dialect_insert(session: AsyncSession, table: Table) -> Any:
    """PostgreSQL's or SQLite's INSERT, the two that take ON CONFLICT."""
    return (postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert)(table)


async def upsert(
    session: AsyncSession,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str],
    where: Any = None,
) -> None:
    """Insert rows; on a key conflict update ``update`` columns (only where ``where(stmt)`` holds, if given)."""
    if not rows:
        return
    stmt = dialect_insert(session, table)
    if update:
        set_ = {name: getattr(stmt.excluded, name) for name in update}
        condition: ColumnElement[bool] | None = where(stmt) if where is not None else None
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=set_, where=condition)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    for start in range(0, len(rows), CHUNK):
        await session.execute(stmt, list(rows[start : start + CHUNK]))


def _identifier(name: str) -> str:
    """Table and column names come from this code, never from input; checked anyway before going into SQL."""
    if not IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f'"{_identifier(name)}"' for name in names)


def conflict_clause(table: str, keys: Sequence[str], update: Sequence[str], where: str | None) -> str:
    """``ON CONFLICT (keys) DO UPDATE SET c = excluded.c … [WHERE where]`` (or DO NOTHING), for both dialects."""
    if not update:
        return f"ON CONFLICT ({_quoted(keys)}) DO NOTHING"
    assignments = ", ".join(f'"{name}" = excluded."{name}"' for name in update)
    condition = f" WHERE {where}" if where else ""
    return f"ON CONFLICT ({_quoted(keys)}) DO UPDATE SET {assignments}{condition}"


class _NotEncodable(TypeError):
    """A column holds a value :func:`binary_copy` does not write."""


class _Mapped(NamedTuple):
    """A column of few distinct values: each one's field, encoded once, and the column (mapped at the end)."""

    fields: dict[Any, bytes]
    column: Sequence[Any]


def _text_fields(column: Sequence[Any]) -> _Mapped:
    """text/varchar: UTF-8."""
    distinct = set(column)
    if set(map(type, distinct)) != {str}:
        raise _NotEncodable
    return _Mapped(
        {text: struct.pack("!i", len(data)) + data for text in distinct for data in (text.encode(),)}, column
    )


def _time_fields(column: Sequence[Any]) -> _Mapped:
    """timestamptz: microseconds since 2000-01-01 UTC."""
    distinct = list(set(column))
    if set(map(type, distinct)) != {datetime}:
        raise _NotEncodable
    try:
        micros = map(floordiv, map(sub, distinct, repeat(_POSTGRES_EPOCH)), repeat(_MICROSECOND))
        return _Mapped(dict(zip(distinct, map(_INT8.pack, repeat(8), micros), strict=True)), column)
    except TypeError as exc:  # a naive time cannot be subtracted from an aware one
        raise ValueError("naive datetimes are not stored: times are UTC") from exc


def _float_fields(column: Sequence[Any]) -> list[bytes]:
    """double precision (``struct`` refuses anything that is not a number)."""
    if set(map(type, column)) - {float, int}:  # a bool is no number here
        raise _NotEncodable
    return list(map(_FLOAT8.pack, repeat(8), column))


_ENCODERS: dict[type, Callable[[Sequence[Any]], _Mapped | list[bytes]]] = {
    str: _text_fields,
    datetime: _time_fields,
    float: _float_fields,
}


def _zero(value: object) -> bool:
    """0.0 and -0.0 are equal but not the same value: a column of zeros is encoded value by value."""
    return type(value) is float and value == 0.0


def _one_field(encoded: _Mapped | list[bytes]) -> bytes:
    return next(iter(encoded.fields.values())) if isinstance(encoded, _Mapped) else encoded[0]


Piece = bytes | _Mapped | list[bytes]


def _joined(pieces: list[Piece], field: Piece) -> None:
    """Appends ``field`` to a row's pieces, joining what can be joined without touching each row: two constant
    pieces, or a constant and a column of few distinct values (the constant added to each of those once)."""
    last = pieces[-1]
    if isinstance(field, bytes) and isinstance(last, bytes):
        pieces[-1] = last + field
    elif isinstance(field, bytes) and isinstance(last, _Mapped):
        pieces[-1] = _Mapped({value: data + field for value, data in last.fields.items()}, last.column)
    elif isinstance(field, _Mapped) and isinstance(last, bytes):
        pieces[-1] = _Mapped({value: last + data for value, data in field.fields.items()}, field.column)
    else:
        pieces.append(field)


def _picked(piece: Piece, order: Sequence[int] | None) -> Iterable[bytes]:
    """A piece's bytes for each row written: the same bytes each time, or the rows' own (in ``order``)."""
    if isinstance(piece, bytes):
        return repeat(piece)
    if isinstance(piece, _Mapped):
        column = piece.column if order is None else map(piece.column.__getitem__, order)
        return map(piece.fields.__getitem__, column)
    return piece if order is None else map(piece.__getitem__, order)


def binary_copy(columns: Sequence[Sequence[Any]], order: Sequence[int] | None = None) -> bytes | None:
    """The rows given as columns (equal lengths, at least one row) in PostgreSQL's binary ``COPY`` format, written
    column by column in C loops (``map`` over distinct values, one ``join``) instead of a Python call per row and
    field. Columns of ``str`` (text/varchar), ``float`` (double precision) or aware ``datetime`` (timestamptz)
    only; None for any other (the caller then sends records). A column of one value (a batch's station, source,
    time received) is encoded once and joined to its neighbour: to a column of one value, or to each distinct
    value of a text or time column; what is left is a few pieces a row, and one ``join``. ``order``: the rows to
    write, in that order (their pieces are picked once encoded: one lookup a row, not one a field)."""
    count = len(columns[0])
    pieces: list[Piece] = [struct.pack("!h", len(columns))]
    for column in columns:
        first = column[0]
        encoder = _ENCODERS.get(type(first))
        if encoder is None:
            return None
        try:
            # list.count compares by identity first: a column of one shared object is counted at C speed (the
            # last value looked at first: most columns that are not of one value end on another).
            single = column[-1] == first and column.count(first) == count and not _zero(first)
            field: Piece = _one_field(encoder([first])) if single else encoder(column)
        except _NotEncodable:
            return None
        _joined(pieces, field)
    if len(pieces) == 1 and isinstance(pieces[0], bytes):  # every column of one value: the same row each time
        rows: Iterable[bytes] = repeat(pieces[0], count if order is None else len(order))
    else:  # the columns' pieces, row by row (picked in order), bound the zip; the one-value pieces repeat
        rows = chain.from_iterable(zip(*(_picked(piece, order) for piece in pieces), strict=False))
    return b"".join(chain((COPY_HEADER,), rows, (COPY_TRAILER,)))


class Bulk:
    """Raw bulk writes on a session's connection, in its transaction, with values bound as the driver takes them.

    Times are bound as SQLAlchemy binds ``UTCDateTime``: an aware datetime for asyncpg, and on SQLite the UTC text
    ``YYYY-MM-DD HH:MM:SS.ffffff`` (so range queries through SQLAlchemy compare the same text); days as ``date``
    or ISO text.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.postgres = dialect_name(session) == "postgresql"
        self._times: dict[datetime, Any] = {}

    def time(self, moment: datetime) -> Any:
        if self.postgres:
            return moment
        text = self._times.get(moment)
        if text is None:
            if moment.tzinfo is None:
                raise ValueError("naive datetimes are not stored: times are UTC")
            utc = moment.astimezone(UTC)
            text = self._times[moment] = f"{utc:%Y-%m-%d %H:%M:%S}.{utc.microsecond:06d}"
        return text

    def day(self, day: date) -> Any:
        return day if self.postgres else day.isoformat()

    async def upsert(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        *,
        keys: Sequence[str],
        update: Sequence[str],
        where: str | None = None,
        new_keys: bool = False,
    ) -> None:
        """Insert rows (tuples in ``columns`` order, bound by :meth:`time`/:meth:`day`); on a key conflict update
        ``update`` (only where the SQL condition ``where`` holds). Keys must be unique within ``rows``.

        ``new_keys``: the caller has read that none of the keys is stored. On PostgreSQL a large set then goes by
        ``COPY`` straight into the table, in a savepoint; if another transaction stored one of the keys meanwhile
        (a unique violation), the savepoint is rolled back and the rows take the upsert."""
        if not rows:
            return
        connection = await self.session.connection()
        table = _identifier(table)
        conflict = conflict_clause(table, keys, update, where)
        if self.postgres and len(rows) >= COPY_MIN_ROWS:
            if not (new_keys and await self._copy_new(connection, table, columns, rows)):
                await self._copy_upsert(connection, table, columns, rows, conflict)
            return
        if self.postgres:
            marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
        else:
            marks = ", ".join("?" for _ in columns)
        sql = f'INSERT INTO "{table}" ({_quoted(columns)}) VALUES ({marks}) {conflict}'  # noqa: S608 - identifiers checked
        for start in range(0, len(rows), CHUNK):
            await connection.exec_driver_sql(sql, list(rows[start : start + CHUNK]))

    async def upsert_columns(
        self,
        table: str,
        columns: Sequence[str],
        data: Sequence[list[Any]],
        *,
        keys: Sequence[str],
        update: Sequence[str],
        where: str | None = None,
        new_keys: bool = False,
        order: Sequence[int] | None = None,
    ) -> None:
        """:meth:`upsert` for rows given as columns (``data[j]`` the values of ``columns[j]``, times as aware
        datetimes), the rows ``order`` names in that order (all, as given, without it): on PostgreSQL a large set is
        written in the binary ``COPY`` format from the columns (:func:`binary_copy`); otherwise the rows are zipped
        and bound as :meth:`upsert` binds them."""
        count = (len(order) if order is not None else len(data[0])) if data else 0
        if not count:
            return
        payload = binary_copy(data, order) if self.postgres and count >= COPY_MIN_ROWS else None
        if payload is None:
            bound = [list(map(self.time, column)) if isinstance(column[0], datetime) else column for column in data]
            rows = list(zip(*bound, strict=True))
            if order is not None:
                rows = list(map(rows.__getitem__, order))
            await self.upsert(table, columns, rows, keys=keys, update=update, where=where, new_keys=new_keys)
            return
        connection = await self.session.connection()
        table = _identifier(table)
        conflict = conflict_clause(table, keys, update, where)
        if not (new_keys and await self._copy_new(connection, table, columns, payload)):
            await self._copy_upsert(connection, table, columns, payload, conflict)

    async def update(
        self, table: str, columns: Sequence[str], keys: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """``UPDATE table SET columns WHERE keys``, one prepared statement for all rows (``columns`` then ``keys``
        values in each)."""
        if not rows:
            return
        names = [*columns, *keys]
        marks = [f"${i}" for i in range(1, len(names) + 1)] if self.postgres else ["?"] * len(names)
        assignments = ", ".join(f'"{_identifier(n)}" = {m}' for n, m in zip(columns, marks, strict=False))
        condition = " AND ".join(f'"{_identifier(n)}" = {m}' for n, m in zip(keys, marks[len(columns) :], strict=True))
        sql = f'UPDATE "{_identifier(table)}" SET {assignments} WHERE {condition}'  # noqa: S608 - identifiers checked
        connection = await self.session.connection()
        for start in range(0, len(rows), CHUNK):
            await connection.exec_driver_sql(sql, list(rows[start : start + CHUNK]))

    async def _copy_new(
        self, connection: AsyncConnection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]] | bytes
    ) -> bool:
        """``COPY`` into the table itself; False (nothing written) if a key turned out to be stored."""
        import asyncpg  # the PostgreSQL driver; SQLite never comes here

        await connection.exec_driver_sql("SAVEPOINT bulk_copy_new")  # also begins the transaction if need be
        driver: Any = (await connection.get_raw_connection()).driver_connection
        if not driver.is_in_transaction():
            raise RuntimeError("bulk COPY outside the unit of work's transaction")
        try:
            await _copy(driver, table, columns, rows)
        except asyncpg.UniqueViolationError:
            await driver.execute("ROLLBACK TO SAVEPOINT bulk_copy_new; RELEASE SAVEPOINT bulk_copy_new")
            return False
        await driver.execute("RELEASE SAVEPOINT bulk_copy_new")
        return True

    async def _copy_upsert(
        self,
        connection: AsyncConnection,
        table: str,
        columns: Sequence[str],
        rows: Sequence[tuple[Any, ...]] | bytes,
        conflict: str,
    ) -> None:
        stage = f"{table}_stage"
        # Per connection, emptied at commit; created (or found) through SQLAlchemy, which also begins the
        # transaction the driver calls below then run in.
        await connection.exec_driver_sql(
            f'CREATE TEMPORARY TABLE IF NOT EXISTS "{stage}" (LIKE "{table}" INCLUDING DEFAULTS) ON COMMIT DELETE ROWS'
        )
        driver: Any = (await connection.get_raw_connection()).driver_connection
        if not driver.is_in_transaction():
            raise RuntimeError("bulk COPY outside the unit of work's transaction")
        await _copy(driver, stage, columns, rows)
        names = _quoted(columns)
        # TRUNCATE as well: a second upsert in the same transaction must not see these rows again.
        await driver.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{stage}" {conflict}; TRUNCATE "{stage}"'  # noqa: S608
        )


async def _copy(driver: Any, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]] | bytes) -> None:
    """``COPY`` records (asyncpg encodes them) or a payload already in the binary format."""
    if isinstance(rows, bytes):
        # A memoryview: asyncpg would take bytes for a file name (bytes are path-like).
        await driver.copy_to_table(table, source=memoryview(rows), columns=list(columns), format="binary")
    else:
        await driver.copy_records_to_table(table, records=rows, columns=list(columns))
