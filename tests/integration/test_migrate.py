"""Start-up migrations (shared.db.migrate) on both databases: an empty database is brought to head, one behind is
brought forward, and one at head is left alone without Alembic running its scripts again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

import services
from shared import db
from shared.db import create_engine, head_revisions, migrate
from tests.infra import PostgresServer

MIGRATIONS = Path(services.__file__).parent / "cases" / "migrations"


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres")
        url = await server.create_database("migrate")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'cases.db'}"
    engine = create_engine(url)
    yield engine
    await engine.dispose()


async def _versions(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return {row[0] for row in await connection.execute(text("SELECT version_num FROM alembic_version"))}


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_an_empty_database_is_brought_to_head(engine: AsyncEngine) -> None:
    await migrate(engine, MIGRATIONS)
    assert await _versions(engine) == head_revisions(MIGRATIONS)
    assert {"decision", "inspection_rate"} <= await _tables(engine)


async def test_a_database_at_head_is_not_migrated_again(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    await migrate(engine, MIGRATIONS)

    def refuse(*_args: object) -> None:
        raise AssertionError("Alembic ran on a database at head")

    monkeypatch.setattr(db.command, "upgrade", refuse)
    await migrate(engine, MIGRATIONS)
    assert await _versions(engine) == head_revisions(MIGRATIONS)


async def test_a_database_behind_is_brought_forward(engine: AsyncEngine) -> None:
    first = sorted(path.stem.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("0*.py"))[0]
    await migrate(engine, MIGRATIONS, revision=first)
    assert await _versions(engine) == {first}
    assert "decision" in await _tables(engine)
    assert "inspection_rate" not in await _tables(engine)
    await migrate(engine, MIGRATIONS)
    assert await _versions(engine) == head_revisions(MIGRATIONS)
    assert "inspection_rate" in await _tables(engine)
