import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.audit import GENESIS_HASH, AuditEntry, append_audit, audit_batch, history, verify_chain
from shared.db import create_engine, session_factory

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all, tables=[AuditEntry.__table__])  # type: ignore[attr-defined]
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


async def seed(sessions: async_sessionmaker[AsyncSession], count: int = 5) -> None:
    async with sessions() as session:
        for i in range(count):
            await append_audit(
                session,
                actor=f"officer-{i}",
                entity_type="case" if i % 2 == 0 else "decision",
                entity_id="津西青环罚〔2021〕12号" if i % 2 == 0 else f"D-{i}",
                action="created" if i == 0 else "updated",
                data={"step": i, "note": "立案", "amount": 5000.5},
            )
        await session.commit()


async def raw_sql(engine: AsyncEngine, statement: str, **params: object) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(statement), params)


async def verify(sessions: async_sessionmaker[AsyncSession], batch_size: int = 1000):
    async with sessions() as session:
        return await verify_chain(session, batch_size=batch_size)


async def test_appended_chain_verifies(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed(sessions)
    async with sessions() as session:
        rows = await history(session, entity_type="case", entity_id="津西青环罚〔2021〕12号")
    assert [r.seq for r in rows] == [1, 3, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    assert rows[0].data == '{"amount":5000.5,"note":"立案","step":0}'
    report = await verify(sessions)
    assert (report.ok, report.checked, report.first_broken_seq, report.reason) == (True, 5, None, None)


async def test_links_and_timezone(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        first = await append_audit(session, actor="a", entity_type="t", entity_id="1", action="x", data={})
        second = await append_audit(session, actor="a", entity_type="t", entity_id="1", action="y", data={})
        await session.commit()
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    assert first.recorded_at.utcoffset() is not None
    assert len(first.hash) == 64
    assert int(first.hash, 16) >= 0


async def test_empty_log_verifies(sessions: async_sessionmaker[AsyncSession]) -> None:
    assert (await verify(sessions)).ok


async def test_append_does_not_commit(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await append_audit(session, actor="a", entity_type="t", entity_id="1", action="x", data={})
        await session.rollback()
    assert (await verify(sessions)).checked == 0


async def test_history_filters_by_entity(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed(sessions)
    async with sessions() as session:
        assert [r.seq for r in await history(session, entity_type="decision", entity_id="D-3")] == [4]
        assert await history(session, entity_type="case", entity_id="D-3") == []
        assert json.loads((await history(session, entity_type="decision", entity_id="D-1"))[0].data)["step"] == 1


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "intruder"),
        ("entity_type", "decision"),
        ("entity_id", "D-0"),
        ("action", "deleted"),
        ("data", '{"amount":1,"note":"立案","step":2}'),
        ("recorded_at", "2000-01-01 00:00:00.000000"),
        ("prev_hash", "a" * 64),
        ("hash", "f" * 64),
    ],
)
async def test_altered_field_is_detected(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], column: str, value: str
) -> None:
    await seed(sessions)
    await raw_sql(engine, f"UPDATE audit_log SET {column} = :value WHERE seq = 3", value=value)
    report = await verify(sessions)
    assert (report.ok, report.checked, report.first_broken_seq) == (False, 2, 3)
    assert report.reason is not None


@pytest.mark.parametrize("seq", [1, 3, 4])
async def test_deleted_row_is_detected(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], seq: int
) -> None:
    await seed(sessions)
    await raw_sql(engine, "DELETE FROM audit_log WHERE seq = :seq", seq=seq)
    report = await verify(sessions)
    assert (report.ok, report.checked, report.first_broken_seq) == (False, seq - 1, seq)
    assert report.reason is not None
    assert "missing" in report.reason


async def test_truncated_tail_is_a_known_limit(engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
    # Dropping the newest row leaves a valid shorter chain; only an externally kept head hash catches that.
    await seed(sessions)
    await raw_sql(engine, "DELETE FROM audit_log WHERE seq = 5")
    assert (await verify(sessions)).checked == 4


async def test_renumbered_row_is_detected(engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed(sessions)
    await raw_sql(engine, "UPDATE audit_log SET seq = 100 WHERE seq = 3")
    assert (await verify(sessions)).first_broken_seq == 3


async def test_swapped_rows_are_detected(engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed(sessions)
    await raw_sql(engine, "UPDATE audit_log SET seq = -1 WHERE seq = 2")
    await raw_sql(engine, "UPDATE audit_log SET seq = 2 WHERE seq = 3")
    await raw_sql(engine, "UPDATE audit_log SET seq = 3 WHERE seq = -1")
    report = await verify(sessions)
    assert (report.ok, report.first_broken_seq) == (False, 2)


async def test_relinked_forgery_is_detected(engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
    # Deleting row 3 and renumbering 4→3 keeps seq contiguous, but row 3's hash covers its old seq.
    await seed(sessions)
    await raw_sql(engine, "DELETE FROM audit_log WHERE seq = 3")
    await raw_sql(engine, "UPDATE audit_log SET seq = 3 WHERE seq = 4")
    assert (await verify(sessions)).first_broken_seq == 3


@pytest.mark.parametrize("batch_size", [1, 2, 3, 5, 7])
async def test_batches_cross_boundaries(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], batch_size: int
) -> None:
    await seed(sessions, count=6)
    assert (await verify(sessions, batch_size)).checked == 6
    await raw_sql(engine, "UPDATE audit_log SET action = 'x' WHERE seq = 5")
    report = await verify(sessions, batch_size)
    assert (report.checked, report.first_broken_seq) == (4, 5)


async def test_invalid_batch_size(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        with pytest.raises(ValueError, match="batch_size"):
            await verify_chain(session, batch_size=0)


async def test_concurrent_appends_never_fork(sessions: async_sessionmaker[AsyncSession]) -> None:
    async def append_with_retry(i: int) -> None:
        for _ in range(50):
            async with sessions() as session:
                try:
                    await append_audit(session, actor="a", entity_type="t", entity_id=str(i), action="x", data={})
                    await session.commit()
                except (IntegrityError, OperationalError):
                    # A racer took our seq (or the writer lock): the append fails cleanly and is retried.
                    await session.rollback()
                    await asyncio.sleep(0.01)
                else:
                    return
        raise AssertionError("append never succeeded")

    await asyncio.gather(*(append_with_retry(i) for i in range(8)))
    report = await verify(sessions)
    assert (report.ok, report.checked) == (True, 8)


async def test_appends_in_one_transaction_and_across_transactions_of_one_session_link(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, sessions() as other:
        for action in ("a", "b", "c"):  # the tail of the first is known to the next two
            await append_audit(session, actor="a", entity_type="t", entity_id="1", action=action, data={})
        await session.commit()
        await append_audit(other, actor="b", entity_type="t", entity_id="2", action="x", data={})
        await other.commit()
        # A new transaction of the first session: the row the other appended meanwhile is the tail now.
        last = await append_audit(session, actor="a", entity_type="t", entity_id="1", action="d", data={})
        await session.commit()
    assert last.seq == 5
    report = await verify(sessions)
    assert (report.ok, report.checked) == (True, 5)


async def test_an_append_rolled_back_with_its_savepoint_leaves_no_gap(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await append_audit(session, actor="a", entity_type="t", entity_id="1", action="kept", data={})
        savepoint = await session.begin_nested()
        await append_audit(session, actor="a", entity_type="t", entity_id="1", action="undone", data={})
        await savepoint.rollback()
        after = await append_audit(session, actor="a", entity_type="t", entity_id="1", action="next", data={})
        await session.commit()
        await append_audit(session, actor="a", entity_type="t", entity_id="1", action="dropped", data={})
        await session.rollback()
        last = await append_audit(session, actor="a", entity_type="t", entity_id="1", action="last", data={})
        await session.commit()
    assert (after.seq, last.seq) == (2, 3)
    async with sessions() as session:
        rows = await history(session, entity_type="t", entity_id="1")
    assert [(r.seq, r.action) for r in rows] == [(1, "kept"), (2, "next"), (3, "last")]
    assert (await verify(sessions)).ok


async def test_pending_changes_are_written_before_the_audit_row(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # The row is written with the change it records: what the session holds is flushed first, so a clash of
    # the change surfaces at the append, not later at commit.
    await append_and_commit(sessions, "1")
    async with sessions() as session:
        session.add(
            AuditEntry(
                seq=1,
                recorded_at=datetime.now(UTC),
                actor="x",
                entity_type="t",
                entity_id="1",
                action="x",
                data="{}",
                prev_hash=GENESIS_HASH,
                hash=GENESIS_HASH,
            )
        )
        with pytest.raises(IntegrityError):
            await append_audit(session, actor="a", entity_type="t", entity_id="1", action="x", data={})


async def append_and_commit(sessions: async_sessionmaker[AsyncSession], entity_id: str) -> None:
    async with sessions() as session:
        await append_audit(session, actor="a", entity_type="t", entity_id=entity_id, action="x", data={})
        await session.commit()


async def test_a_batch_writes_its_rows_in_one_statement_and_nothing_if_it_fails(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    inserts: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("INSERT INTO audit_log"):
            inserts.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    await append_and_commit(sessions, "0")
    async with sessions() as session:
        async with audit_batch(session):
            for action in ("created", "published", "noted"):
                await append_audit(session, actor="a", entity_type="t", entity_id="1", action=action, data={})
        after = await append_audit(session, actor="a", entity_type="t", entity_id="1", action="after", data={})
        await session.commit()
    assert (len(inserts), after.seq) == (3, 5)  # the first row, the batch, the row after it
    async with sessions() as session:

        async def failing_batch() -> None:
            async with audit_batch(session):
                await append_audit(session, actor="a", entity_type="t", entity_id="1", action="lost", data={})
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            await failing_batch()
        # Appending again in the same transaction after the failed batch: no gap in the chain.
        await append_audit(session, actor="a", entity_type="t", entity_id="1", action="again", data={})
        await session.commit()
    async with sessions() as session:
        rows = await history(session, entity_type="t", entity_id="1")
    assert [r.action for r in rows] == ["created", "published", "noted", "after", "again"]
    report = await verify(sessions)
    assert (report.ok, report.checked) == (True, 6)
