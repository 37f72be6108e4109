"""Services of the project running inside the test process, on a chosen database and transport."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import httpx
import uvicorn
from fastapi import FastAPI

from services.catalogue import UPSTREAMS, service
from services.ops.cli import PROXY_HEADERS
from services.ops.migrate import all_topics
from shared.auth import issue_token
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
            assert self.config.postgres is not None
            return await self.config.postgres.create_database(service)
        return None  # SQLite file under data_dir

    async def __aenter__(self) -> Stack:
        if self.config.kafka is not None:
            await self.ensure_topics()
        fast = {"relay_poll_interval": 0.2, "consumer_max_retries": 2}
        for name in self.config.services:
            settings_class, create = service(name).settings_class(), service(name).app_factory()
            url = await self._database_url(name)
            overrides = self.config.overrides.get(name, {})
            settings = settings_class(common=self.common, database_url=url, **{**fast, **overrides})
            wired = name == "disclosure" and "cases" in self.apps
            extra = {"cases_transport": httpx.ASGITransport(app=self.apps["cases"])} if wired else {}
            self.apps[name] = create(settings, bus=self.bus, **extra)
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
