"""The gateway's own database for tests of its accounts and sign-in guard: migrated, on SQLite or PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.app import MIGRATIONS_DIR
from shared.db import create_engine, migrate


@contextlib.asynccontextmanager
async def gateway_database(request: pytest.FixtureRequest, tmp_path: Path, name: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh, migrated gateway database: on PostgreSQL when the fixture's ``request.param`` is
    ``"postgres"`` (a database ``name`` on the session's server), else a SQLite file ``name``.db in ``tmp_path``."""
    if request.param == "postgres":
        url = await request.getfixturevalue("postgres").create_database(name)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}"
    engine = create_engine(url)
    try:
        await migrate(engine, MIGRATIONS_DIR)
        yield engine
    finally:
        await engine.dispose()
