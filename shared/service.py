"""The composition root every domain service shares: engine, migrations, messaging, and the HTTP app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.middleware import Middleware

from shared.audit_schedule import audit_chain_check
from shared.auth import Principal, Role, Zone, principal_dependency, require_roles
from shared.db import check_database, create_engine, migrate, session_factory
from shared.json_guard import JsonBodyGuard
from shared.messaging import InProcessBus, Messaging, Subscription, UnitOfWork
from shared.settings import ServiceSettings
from shared.web import create_http_app


@dataclass
class ServiceRuntime:
    """What a running service holds; reached from requests through ``request.app.state.runtime``."""

    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    messaging: Messaging
    extras: dict[str, Any] = field(default_factory=dict)

    def uow(self) -> UnitOfWork:
        return self.messaging.uow()


def runtime_of(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    title: str
    description: str
    migrations_dir: Path
    routers: Sequence[APIRouter]
    subscriptions: Callable[[ServiceSettings], Sequence[Subscription]] = lambda _settings: ()
    # Extra things the service runs while it is up (e.g. a TCP listener, a scheduled check), entered after the
    # messaging has started and left before it stops.
    hooks: Sequence[Callable[[FastAPI, ServiceRuntime], AbstractAsyncContextManager[None]]] = ()
    # Paths whose routes read their JSON body themselves, within parse_json's bounds: the JSON guard leaves it to them.
    own_json_paths: frozenset[str] = frozenset()


def build_service_app(spec: ServiceSpec, settings: ServiceSettings, *, bus: InProcessBus | None = None) -> FastAPI:
    """Nothing connects until the lifespan starts: engines, migrations, consumers, then the relay."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.resolved_database_url())
        await migrate(engine, spec.migrations_dir)
        sessions = session_factory(engine)
        messaging = Messaging(settings, sessions, spec.subscriptions(settings), bus=bus)
        runtime = ServiceRuntime(settings=settings, engine=engine, sessions=sessions, messaging=messaging)
        app.state.runtime = runtime
        await runtime.messaging.start_consumers()
        await runtime.messaging.start_relay()
        try:
            async with AsyncExitStack() as hooks:
                # Every service's migrations create the audit log, so every service checks its chain.
                for hook in (*spec.hooks, audit_chain_check):
                    await hooks.enter_async_context(hook(app, runtime))
                yield
        finally:
            await runtime.messaging.stop()
            await engine.dispose()

    async def database_ready() -> None:
        await check_database(app.state.runtime.engine)

    async def bus_ready() -> None:
        await app.state.runtime.messaging.ready_check()

    app = create_http_app(
        service=spec.name,
        title=spec.title,
        description=spec.description,
        lifespan=lifespan,
        ready_checks=[("database", database_ready), ("bus", bus_ready)],
        routers=spec.routers,
    )
    # Innermost, so a refused body's problem carries the request ID.
    app.user_middleware.append(Middleware(JsonBodyGuard, own_paths=spec.own_json_paths))
    app.state.settings = settings
    app.state.current_principal = principal_dependency(settings.common)
    return app


async def current_principal(request: Request) -> Principal:
    """Verify the bearer token again in the service: the gateway is not the only lock."""
    principal: Principal = await request.app.state.current_principal(request)
    return principal


def requires(*roles: Role, zone: Zone = "staff") -> Callable[..., Any]:
    """Dependency: a verified caller holding one of ``roles`` (admin always passes) in ``zone``."""
    return require_roles(current_principal, *roles, zone=zone)
