"""Services of the project running inside the test process, on a chosen database and transport."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import httpx
import uvicorn
from fastapi import FastAPI

import services
from services.catalogue import UPSTREAMS, service
from services.ops.cli import PROXY_HEADERS
from services.ops.migrate import all_topics
from shared.auth import issue_token
from shared.db import create_engine, is_sqlite, migrate
from shared.messaging import InProcessBus
from shared.messaging.kafka import ensure_topics
from shared.service import ServiceRuntime
from shared.settings import CommonSettings
from tests.infra import KafkaBroker, PostgresServer, free_port


@dataclass
class StackConfig:
    database: Literal["sqlite", "postgres"]
    transport: Literal["inprocess", "kafka"]
    data_dir: Path
    namespace: str = ""
    postgres: PostgresServer | None = None
    kafka: KafkaBroker | None = None
    services: tuple[str, ...] = UPSTREAMS
    # Per-service settings overrides, e.g. {"disclosure": {"publish_modes": {...}}}.
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Start on copies of databases migrated once per test process (the services still run their migrations at
    # start-up, which finds them at head); False: every database is migrated from empty by the service itself.
    from_templates: bool = True


_SQLITE_TEMPLATES: dict[str, Path] = {}


async def _migrate_empty(url: str, service: str) -> None:
    engine = create_engine(url)
    try:
        await migrate(engine, Path(services.__file__).parent / service / "migrations")
    finally:
        await engine.dispose()


async def sqlite_template(service: str) -> Path:
    """A SQLite file with the service's migrations applied, made once per test process."""
    path = _SQLITE_TEMPLATES.get(service)
    if path is None:
        directory = Path(tempfile.mkdtemp(prefix="greenlaw-template-"))
        atexit.register(shutil.rmtree, directory, True)
        path = directory / f"{service}.db"
        await _migrate_empty(f"sqlite+aiosqlite:///{path}", service)
        _SQLITE_TEMPLATES[service] = path
    return path


async def postgres_template(server: PostgresServer, service: str) -> str:
    """The name of a database on ``server`` with the service's migrations applied, made once per server."""
    name = server.templates.get(service)
    if name is None:
        url = await server.create_database(f"template_{service}")
        await _migrate_empty(url, service)
        name = server.templates[service] = url.rsplit("/", 1)[1]
    return name


async def copy_sqlite_template(service: str, url: str) -> None:
    """Put the migrated template where a service's SQLite URL points, unless a database is there already (a
    restarted stack keeps its data)."""
    _copy_unless_present(await sqlite_template(service), Path(url.split("///", 1)[1]))


def _copy_unless_present(template: Path, target: Path) -> None:
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + suffix))


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.common = CommonSettings(
            environment="test",
            data_dir=config.data_dir,
            transport=config.transport,
            kafka_bootstrap_servers=config.kafka.bootstrap if config.kafka else "127.0.0.1:9",
            kafka_idempotent_producer=config.kafka.idempotent if config.kafka else False,
            kafka_namespace=config.namespace,
        )
        self.bus = InProcessBus() if config.transport == "inprocess" else None
        self.apps: dict[str, FastAPI] = {}
        self._exit = contextlib.AsyncExitStack()

    async def _database_url(self, service: str) -> str | None:
        if self.config.database == "postgres":
            server = self.config.postgres
            assert server is not None
            template = await postgres_template(server, service) if self.config.from_templates else None
            return await server.create_database(service, template=template)
        return None  # SQLite file under data_dir

    async def _settings(self, name: str, settings_class: Any, database_url: str | None, **values: Any) -> Any:
        settings = settings_class(common=self.common, database_url=database_url, **values)
        url = settings.resolved_database_url()
        if self.config.from_templates and is_sqlite(url):
            await copy_sqlite_template(name, url)
        return settings

    async def __aenter__(self) -> Stack:
        if self.config.kafka is not None:
            await self.ensure_topics()
        fast = {"relay_poll_interval": 0.2, "consumer_max_retries": 2}
        # The services' databases made at once: on PostgreSQL each is a CREATE DATABASE of ≈ 0.1 s. Their templates
        # first, one at a time: Alembic's `context` and `op` are process-wide, so two migrations cannot interleave.
        if self.config.database == "postgres" and self.config.from_templates:
            assert self.config.postgres is not None
            for name in self.config.services:
                await postgres_template(self.config.postgres, name)
        urls = await asyncio.gather(*(self._database_url(name) for name in self.config.services))
        for name, url in zip(self.config.services, urls, strict=True):
            settings_class, create = service(name).settings_class(), service(name).app_factory()
            overrides = self.config.overrides.get(name, {})
            settings = await self._settings(name, settings_class, url, **{**fast, **overrides})
            wired = name == "disclosure" and "cases" in self.apps
            extra = {"cases_transport": httpx.ASGITransport(app=self.apps["cases"])} if wired else {}
            self.apps[name] = create(settings, bus=self.bus, **extra)
        if "disclosure" in self.apps and "referral" in self.apps:
            self.apps["disclosure"].state.referral_transport = httpx.ASGITransport(app=self.apps["referral"])
        for app in self.apps.values():
            await self._exit.enter_async_context(app.router.lifespan_context(app))
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._exit.aclose()

    async def ensure_topics(self) -> None:
        assert self.config.kafka is not None
        names = [self.config.namespace + t for t in all_topics()]
        await ensure_topics(self.config.kafka.bootstrap, names, partitions=3)

    def runtime(self, service: str) -> ServiceRuntime:
        runtime: ServiceRuntime = self.apps[service].state.runtime
        return runtime

    def token(self, *roles: str, subject: str = "tester") -> str:
        return issue_token(self.common, subject=subject, roles=roles, zone="staff")

    def police_token(self, unit: str = "西青公安分局", subject: str = "xiqing-police") -> str:
        return issue_token(self.common, subject=subject, roles=["police"], zone="police", unit=unit)

    def client(self, service: str, *roles: str, token: str | None = None) -> httpx.AsyncClient:
        """An in-process client of one service; with roles, a staff token; or pass any ``token``."""
        token = token or (self.token(*roles) if roles else None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.apps[service]), base_url="http://test", headers=headers
        )


@contextlib.asynccontextmanager
async def serve(app: Any, *, lifespan: bool = False, log_level: str = "warning") -> AsyncIterator[str]:
    """An ASGI app on a real loopback socket for as long as the block runs (with its lifespan if asked); yields
    its base URL. A server that fails to start raises its error here. ``log_level="info"``: with access logs."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        log_level=log_level,
        lifespan="on" if lifespan else "off",
        proxy_headers=PROXY_HEADERS,  # as `greenlaw serve` runs it
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    deadline = asyncio.get_running_loop().time() + 10
    while not server.started:
        if task.done():
            task.result()  # surfaces the start-up error
            raise RuntimeError("the server stopped before it started")
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"the server on port {port} did not start")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def eventually(check: Any, *, timeout: float = 30.0, interval: float = 0.1) -> Any:
    """Poll an async predicate until it returns a truthy value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        await asyncio.sleep(interval)
