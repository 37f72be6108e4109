"""Bulk ``INSERT … ON CONFLICT`` for PostgreSQL and SQLite.

``upsert`` takes dicts through SQLAlchemy (small sets). ``Bulk`` is the ingest path for tens of thousands of rows:
tuples already in the driver's form, sent as one prepared ``executemany`` on the session's own connection (so in
the unit of work's transaction), or on PostgreSQL, for large sets, ``COPY`` into a temporary staging table and one
``INSERT … SELECT … ON CONFLICT`` from it. No per-row SQLAlchemy bind processing either way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

CHUNK = 5_000  # rows per executemany call: bounded memory per round trip
COPY_MIN_ROWS = 1_000  # below this, COPY's extra round trips cost more than they save
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


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
        self, connection: AsyncConnection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> bool:
        """``COPY`` into the table itself; False (nothing written) if a key turned out to be stored."""
        import asyncpg  # the PostgreSQL driver; SQLite never comes here

        await connection.exec_driver_sql("SAVEPOINT bulk_copy_new")  # also begins the transaction if need be
        driver: Any = (await connection.get_raw_connection()).driver_connection
        if not driver.is_in_transaction():
            raise RuntimeError("bulk COPY outside the unit of work's transaction")
        try:
            await driver.copy_records_to_table(table, records=rows, columns=list(columns))
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
        rows: Sequence[tuple[Any, ...]],
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
        await driver.copy_records_to_table(stage, records=rows, columns=list(columns))
        names = _quoted(columns)
        # TRUNCATE as well: a second upsert in the same transaction must not see these rows again.
        await driver.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{stage}" {conflict}; TRUNCATE "{stage}"'  # noqa: S608
        )
