"""The one-trip SQLite cursor gives SQLAlchemy what the stock one does: rows, counts, ids, errors, streaming."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from shared.db import create_engine
from shared.sqlite_cursor import OneTripConnection

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


async def test_statements_rows_counts_and_errors(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    try:
        async with engine.begin() as connection:
            raw = await connection.get_raw_connection()
            assert isinstance(raw.dbapi_connection, OneTripConnection)
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT UNIQUE)"))
            inserted = await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
            assert (inserted.rowcount, inserted.lastrowid) == (1, 1)
            returned = await connection.execute(text("INSERT INTO t (v) VALUES ('b'), ('c') RETURNING id, v"))
            assert returned.all() == [(2, "b"), (3, "c")]
            await connection.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "d"}, {"v": "e"}])
            assert (await connection.execute(text("UPDATE t SET v = v || '!' WHERE id > 2"))).rowcount == 3
            assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar_one() == 5
        async with engine.connect() as connection:
            with pytest.raises(IntegrityError):
                await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
            await connection.rollback()
            with pytest.raises(OperationalError):
                await connection.execute(text("SELECT nope FROM t"))
            await connection.rollback()
            streamed = await connection.stream(text("SELECT v FROM t ORDER BY id"))
            assert [row.v async for row in streamed] == ["a", "b", "c!", "d!", "e!"]
            first = (await connection.execute(text("SELECT v FROM t ORDER BY id"))).first()
            assert first is not None
            assert first.v == "a"
    finally:
        await engine.dispose()
