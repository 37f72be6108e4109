"""Append-only, hash-chained audit log (审计日志).

Every row carries the SHA-256 of its own content and of its predecessor's hash, so altering, deleting or
re-ordering a row breaks the chain and ``verify_chain`` reports where. The chain holds no secret: it proves
that rows were not edited by hand in the database, not that nobody rewrote the whole tail; truncating the
newest rows is only detectable against an externally kept head hash.

Functions write but never commit: the caller's unit of work owns the transaction, so an audit row is
written exactly when the change it records is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Index, Table, text
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

GENESIS_HASH = "0" * 64

# Fixed key for pg_advisory_xact_lock: the ASCII bytes of "glaudit1" as a signed bigint.
_PG_LOCK_KEY = int.from_bytes(b"glaudit1", "big")


class AuditEntry(SQLModel, table=True):
    """One audit row; ``seq`` is gapless (1, 2, 3, …) because appends allocate it under a lock."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    seq: int | None = Field(default=None, primary_key=True)
    recorded_at: datetime = Field(sa_type=DateTime(timezone=True))
    actor: str = Field(max_length=200)
    entity_type: str = Field(max_length=50)
    entity_id: str = Field(max_length=100)
    action: str = Field(max_length=100)
    data: str
    prev_hash: str = Field(min_length=64, max_length=64)
    hash: str = Field(min_length=64, max_length=64)


@dataclass(frozen=True)
class ChainReport:
    """Outcome of ``verify_chain``: ``checked`` counts rows found intact before the first break."""

    ok: bool
    checked: int
    first_broken_seq: int | None
    reason: str | None


def canonical_json(data: Mapping[str, Any]) -> str:
    """The stored form of ``data``: sorted keys and fixed separators, so the text and its hash are stable."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(
    *,
    seq: int,
    recorded_at: datetime,
    actor: str,
    entity_type: str,
    entity_id: str,
    action: str,
    data: str,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) over a JSON array of the row's fields; JSON quoting keeps field boundaries unambiguous.

    Naive ``recorded_at`` values are taken as UTC.
    """
    fields = [seq, _as_utc(recorded_at).isoformat(), actor, entity_type, entity_id, action, data, prev_hash]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditRecord:
    """An appended row, as written."""

    seq: int
    recorded_at: datetime
    actor: str
    entity_type: str
    entity_id: str
    action: str
    data: str
    prev_hash: str
    hash: str


async def append_audit(
    session: AsyncSession,
    *,
    actor: str,
    entity_type: str,
    entity_id: str,
    action: str,
    data: Mapping[str, Any],
) -> AuditRecord:
    """Append one row at the end of the chain (written, not committed).

    Whatever the session holds unwritten is flushed first, as before any statement, so the row is written with
    the change it records and a constraint clash still surfaces here. The row itself goes by a Core insert and the
    tail is read as two columns (no ORM object, no validated model): this is on every audited request's and
    event's path.
    """
    if session.new or session.dirty or session.deleted:
        await session.flush()
    connection = await session.connection()
    transaction = _innermost(connection)
    cached = session.info.get(_TAIL_KEY)
    if cached is not None and cached[0] is transaction:
        # This transaction appended the tail itself and still holds the chain (the advisory lock on PostgreSQL,
        # the write lock on SQLite), so nobody can have appended since: no lock, no read.
        _, seq, prev_hash = cached
        seq += 1
    else:
        await _lock_chain(session)
        tail = (await connection.execute(_TAIL)).first()
        # seq is allocated here rather than by the database sequence so the chain stays gapless (a rolled-back
        # PostgreSQL transaction would otherwise burn a sequence value) and verify_chain can flag any gap.
        seq, prev_hash = (tail.seq + 1, tail.hash) if tail is not None else (1, GENESIS_HASH)
    recorded_at = datetime.now(UTC)
    text_data = canonical_json(data)
    digest = entry_hash(
        seq=seq,
        recorded_at=recorded_at,
        actor=actor,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        data=text_data,
        prev_hash=prev_hash,
    )
    record = AuditRecord(seq, recorded_at, actor, entity_type, entity_id, action, text_data, prev_hash, digest)
    batch: list[AuditRecord] | None = session.info.get(_BATCH_KEY)
    if batch is not None:
        batch.append(record)
    else:
        await connection.execute(_AUDIT_TABLE.insert().values(**record.__dict__))
    # Keyed by the innermost (sub)transaction object: a savepoint rolled back, a commit or a rollback makes the next
    # append in this session find a different transaction and read the tail again.
    session.info[_TAIL_KEY] = (transaction, seq, digest)
    return record


@asynccontextmanager
async def audit_batch(session: AsyncSession) -> AsyncIterator[None]:
    """Rows appended inside the block are written together when it ends, by one statement (one round trip).

    For a use case that records several acts at once; nothing inside the block may read the audit log. If the
    block raises, its rows are not written (the transaction is rolled back anyway).
    """
    if _BATCH_KEY in session.info:
        raise RuntimeError("audit_batch blocks do not nest")
    pending: list[AuditRecord] = []
    session.info[_BATCH_KEY] = pending
    written = False
    try:
        yield
        if pending:
            connection = await session.connection()
            await connection.execute(_AUDIT_TABLE.insert(), [record.__dict__ for record in pending])
        written = True
    finally:
        del session.info[_BATCH_KEY]
        if not written:
            # The remembered tail counted rows that were not written: the next append reads the table again.
            session.info.pop(_TAIL_KEY, None)


_AUDIT_TABLE: Table = AuditEntry.__table__  # type: ignore[attr-defined]
_TAIL = sa_select(_AUDIT_TABLE.c.seq, _AUDIT_TABLE.c.hash).order_by(_AUDIT_TABLE.c.seq.desc()).limit(1)
_TAIL_KEY = "greenlaw.audit_tail"
_BATCH_KEY = "greenlaw.audit_batch"


def _innermost(connection: AsyncConnection) -> object:
    sync = connection.sync_connection
    assert sync is not None
    return sync.get_nested_transaction() or sync.get_transaction()


async def history(session: AsyncSession, *, entity_type: str, entity_id: str) -> list[AuditEntry]:
    """All rows about one entity, oldest first."""
    statement = (
        select(AuditEntry)
        .where(col(AuditEntry.entity_type) == entity_type, col(AuditEntry.entity_id) == entity_id)
        .order_by(col(AuditEntry.seq))
    )
    return list((await session.exec(statement)).all())


async def verify_chain(session: AsyncSession, *, batch_size: int = 1000) -> ChainReport:
    """Walk the whole chain in ``seq`` order, ``batch_size`` rows at a time, and report the first break."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    checked, last_seq, prev_hash = 0, 0, GENESIS_HASH
    while True:
        batch = await _read_batch(session, after=last_seq, limit=batch_size)
        for row in batch:
            reason = _check_row(row, expected_seq=last_seq + 1, prev_hash=prev_hash)
            if reason is not None:
                broken = last_seq + 1 if row.seq != last_seq + 1 else row.seq
                return ChainReport(ok=False, checked=checked, first_broken_seq=broken, reason=reason)
            checked, last_seq, prev_hash = checked + 1, row.seq, row.hash
        if len(batch) < batch_size:
            return ChainReport(ok=True, checked=checked, first_broken_seq=None, reason=None)


async def _read_batch(session: AsyncSession, *, after: int, limit: int) -> list[AuditRecord]:
    # Core columns, not ORM objects: the identity map could otherwise hand back cached attribute values
    # instead of what is actually stored, and verification must see the database.
    statement = (
        sa_select(
            col(AuditEntry.seq),
            col(AuditEntry.recorded_at),
            col(AuditEntry.actor),
            col(AuditEntry.entity_type),
            col(AuditEntry.entity_id),
            col(AuditEntry.action),
            col(AuditEntry.data),
            col(AuditEntry.prev_hash),
            col(AuditEntry.hash),
        )
        .where(col(AuditEntry.seq) > after)
        .order_by(col(AuditEntry.seq))
        .limit(limit)
    )
    connection = await session.connection()
    return [AuditRecord(**row._asdict()) for row in await connection.execute(statement)]


def _check_row(row: AuditRecord, *, expected_seq: int, prev_hash: str) -> str | None:
    if row.seq != expected_seq:
        return f"row {expected_seq} missing (next row is {row.seq}): deleted or re-numbered"
    if row.hash != _hash_of(row, row.seq):
        return f"row {row.seq} content does not match its hash: altered"
    if row.prev_hash != prev_hash:
        return f"row {row.seq} does not link to row {row.seq - 1}: chain re-ordered or rows replaced"
    return None


def _hash_of(row: AuditEntry | AuditRecord, seq: int) -> str:
    return entry_hash(
        seq=seq,
        recorded_at=row.recorded_at,
        actor=row.actor,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        action=row.action,
        data=row.data,
        prev_hash=row.prev_hash,
    )


def _as_utc(moment: datetime) -> datetime:
    # SQLite drops the offset and returns naive values; everything is written in UTC, so naive means UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


async def _lock_chain(session: AsyncSession) -> None:
    """Serialise appenders so two transactions never read the same tail and fork the chain.

    PostgreSQL: a transaction-scoped advisory lock, released at commit/rollback; under READ COMMITTED the tail
    read that follows sees the previous holder's committed row. SQLite: no lock taken, its single writer lock
    suffices - inserts are serialised, and a racer that read the same tail then collides on the ``seq``
    primary key (IntegrityError; the caller retries), so a race fails and never forks the chain.
    """
    if session.get_bind().dialect.name == "postgresql":
        connection = await session.connection()
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
