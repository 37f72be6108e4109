"""Fixtures shared by the integration tests of this folder."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.stack import Stack, StackConfig


@pytest.fixture
async def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Stack]:
    """The embedded stack (SQLite, in-process bus) with penalties published as soon as they are issued.

    A module that needs another stack under this name defines its own ``local``, which takes precedence."""
    monkeypatch.setenv("GREENLAW_DISCLOSURE_PUBLISH_MODES", json.dumps({"penalty": "auto"}))
    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)) as running:
        yield running
