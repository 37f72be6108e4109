"""Bulk ``INSERT … ON CONFLICT`` for PostgreSQL and SQLite, executed executemany-style (one statement, many rows)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

CHUNK = 5_000  # rows per executemany call: bounded memory per round trip


def dialect_insert(session: AsyncSession, table: Table) -> Any:
    """PostgreSQL's or SQLite's INSERT, the two that take ON CONFLICT."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


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
