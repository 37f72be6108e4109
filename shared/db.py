"""Database engines and Alembic migrations, for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, TypeDecorator, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.sqlite_cursor import use_one_trip_cursors


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out; SQLite drops the zone on storage, so it is put back on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: times are UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, a busy timeout and foreign keys, and its directory is created."""
    if is_sqlite(url):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            use_one_trip_cursors(dbapi_conn)
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


async def check_database(engine: AsyncEngine) -> None:
    """``/readyz``'s database check: a connection that answers a trivial query."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def alembic_config(migrations_dir: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return config


@functools.cache
def head_revisions(migrations_dir: Path) -> frozenset[str]:
    """The heads of a service's migration scripts, read once per process: Alembic finds them by executing every
    script file (≈ 10 ms of CPU for a service, at every start of a service)."""
    return frozenset(ScriptDirectory.from_config(alembic_config(migrations_dir)).get_heads())


async def migrate(engine: AsyncEngine, migrations_dir: Path, revision: str = "head") -> None:
    """Apply a service's migrations on the given engine (run at start-up and by ``greenlaw migrate``); a database
    already at the scripts' heads is left as it is, without loading Alembic's environment and scripts again."""

    def upgrade(connection: Connection) -> None:
        if revision == "head":
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
            if current == head_revisions(migrations_dir):
                return
        config = alembic_config(migrations_dir)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as conn:
        await conn.run_sync(upgrade)
