"""The public pages cache: never older than the last commit, 304 without a query, the change counter kept by the
database (SQLite and PostgreSQL triggers), and concurrent counter reads shared without missing a commit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.disclosure.app import create_app
from services.disclosure.public_cache import PublicChanges, page_cache
from shared.db import create_engine, migrate
from tests.factories import decision_body
from tests.infra import PostgresServer
from tests.stack import Stack
from tests.support.disclosure import issue, published

pytestmark = pytest.mark.integration

MIGRATIONS = Path(create_app.__code__.co_filename).parent / "migrations"
LIST = "/public/v1/decisions"


async def test_a_cached_list_shows_a_new_publication_at_once(local: Stack) -> None:
    first = await issue(local, decision_body())
    await published(local, first["id"])
    async with local.client("disclosure") as public:
        before = await public.get(LIST, params={"kind": "penalty"})
        assert [i["document_number"] for i in before.json()["items"]] == [first["document_number"]]
        etag = before.headers["etag"]
        again = await public.get(LIST, params={"kind": "penalty"}, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.headers["etag"] == etag
        # the same page under another spelling of the query is the same page
        assert (await public.get(LIST + "?kind=penalty&limit=20")).headers["etag"] == etag
        # answered before routing next time: the page is kept under its path and query string as sent
        cache = page_cache(local.apps["disclosure"])
        assert cache.get(("query", LIST, b"kind=penalty&limit=20"), await cache.changes.read()) is not None

        second = await issue(local, decision_body())
        await published(local, second["id"])
        after = await public.get(LIST, params={"kind": "penalty"}, headers={"If-None-Match": etag})
        assert after.status_code == 200
        assert len(after.json()["items"]) == 2
        assert after.headers["etag"] != etag
        single = await public.get(f"{LIST}/{after.json()['items'][0]['id']}")
        assert single.status_code == 200
        assert (await public.get(f"{LIST}/none")).status_code == 404
        assert (await public.get(LIST, params={"limit": 0})).status_code == 422

    assert len(cache) > 0
    seq = await cache.changes.read()
    async with local.runtime("disclosure").uow() as uow:
        await uow.session.execute(text("UPDATE publication SET status = 'withdrawn'"))
        await uow.commit()
    assert await cache.changes.read() > seq
    async with local.client("disclosure") as public:
        gone = (await public.get(LIST, params={"kind": "penalty"})).json()["items"]
        assert {i["status"] for i in gone} == {"withdrawn"}
        assert all(i["party_name"] is None for i in gone)


async def counter(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT seq FROM public_change"))).scalar_one())


async def check_counter_follows_commits(engine: AsyncEngine) -> None:
    await migrate(engine, MIGRATIONS)
    start = await counter(engine)
    insert = text(
        "INSERT INTO publication (id, decision_id, kind, document_number, party_name, decided_on, due_on, "
        "due_provisional, status, "
        "created_at, version, publish_mode, party_type, public_party_name, authority, public_facts, "
        "public_legal_basis, public_violation_type, public_penalty, redaction_report, decision) VALUES "
        "('p1', 'd1', 'penalty', 'N1', 'P', '2024-01-02', '2024-01-10', false, 'pending', "
        "'2024-01-02T00:00:00+00:00', 1, 'auto', 'organisation', '', '', '', '', '', '{}', '[]', '{}')"
    )
    async with engine.connect() as connection:
        await connection.execute(insert)
        await connection.rollback()
    assert await counter(engine) == start  # nothing committed, nothing counted
    async with engine.begin() as connection:
        await connection.execute(insert)
    after_insert = await counter(engine)
    assert after_insert > start
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE publication SET status = 'published' WHERE id = 'p1'"))
    assert await counter(engine) > after_insert
    after_update = await counter(engine)
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM publication"))
    assert await counter(engine) > after_update


async def test_the_counter_follows_commits_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'disclosure.db'}")
    try:
        await check_counter_follows_commits(engine)
    finally:
        await engine.dispose()


async def test_the_counter_follows_commits_on_postgres(postgres: PostgresServer) -> None:
    engine = create_engine(await postgres.create_database("public_cache"))
    try:
        await check_counter_follows_commits(engine)
        async with engine.connect() as connection:
            indexes = set(
                (
                    await connection.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'publication'"))
                ).scalars()
            )
        assert "ix_publication_listing" in indexes
    finally:
        await engine.dispose()


class CountingChanges(PublicChanges):
    """Reads a value that a test changes, slowly, counting the reads."""

    def __init__(self) -> None:
        super().__init__(engine=None)  # type: ignore[arg-type]
        self.value = 0
        self.reads = 0

    async def read(self) -> int:
        self.reads += 1
        seen = self.value
        await asyncio.sleep(0.01)
        return seen


async def test_concurrent_readers_share_reads_and_never_miss_a_commit() -> None:
    changes = CountingChanges()
    first = [asyncio.create_task(changes.current()) for _ in range(50)]
    await asyncio.sleep(0.001)  # the first read is running
    changes.value = 1  # a commit: whoever asks from now on must see it
    later = [asyncio.create_task(changes.current()) for _ in range(50)]
    assert set(await asyncio.gather(*first)) <= {0, 1}
    assert set(await asyncio.gather(*later)) == {1}
    assert changes.reads <= 3
