"""Composition root of the gateway: ``create_gateway_app(settings)``. Nothing connects at import time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from services.gateway import accounts
from services.gateway.admin import admin_router
from services.gateway.auth import authorize, token_router
from services.gateway.limits import ApiCORS, BodyLimitMiddleware, RateLimiter, client_key
from services.gateway.openapi import OpenAPIAggregator, docs_router
from services.gateway.proxies import ClientAddressMiddleware, TrustedProxies
from services.gateway.revocation import AccountStates
from services.gateway.routing import ProxyHandler, ProxyMiddleware, UpstreamClient, build_clients, route_for
from services.gateway.settings import GatewaySettings
from shared.db import create_engine, migrate, session_factory
from shared.guessing import GuessGuard, GuessPolicy
from shared.tasks import running
from shared.web import Lifespan, ReadyCheck, create_http_app

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
PROXIED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@dataclass
class GatewayRuntime:
    """What the lifespan opens and closes: the accounts database, the accounts' token states kept fresh from it, and
    one HTTP client per service."""

    engine: AsyncEngine | None = None
    sessions: async_sessionmaker[AsyncSession] | None = None
    clients: dict[str, UpstreamClient] = field(default_factory=dict)
    states: AccountStates = field(init=False)

    def __post_init__(self) -> None:
        self.states = AccountStates(self.session)

    def session(self) -> AsyncSession:
        if self.sessions is None:
            raise RuntimeError("the gateway is not started (its lifespan has not run)")
        return self.sessions()


def create_gateway_app(settings: GatewaySettings, *, asgi_apps: Mapping[str, ASGIApp] | None = None) -> FastAPI:
    """The gateway. With ``asgi_apps`` (embedded mode) those services are called in-process, the rest over HTTP."""
    runtime = GatewayRuntime()
    limiter = RateLimiter(
        public=settings.rate_limit_public,
        authenticated=settings.rate_limit_authenticated,
        token=settings.rate_limit_token,
    )

    async def gateway_session() -> AsyncIterator[AsyncSession]:
        async with runtime.session() as session:
            yield session

    app = create_http_app(
        service="gateway",
        title="greenlaw 生态环境局执法平台 API",
        description="The one entry point: staff API `/api/v1`, public API `/public/v1` and portal `/portal`, "
        "police API `/police/v1`. Get a token from `/auth/token`.",
        lifespan=gateway_lifespan(settings, runtime, asgi_apps),
        ready_checks=ready_checks(runtime, settings),
        routers=[
            token_router(settings, sessions=gateway_session, limiter=limiter, guard=login_guard(settings)),
            admin_router(settings, sessions=runtime.session, states=runtime.states),
        ],
        docs_url=None,  # replaced by the merged document of docs_router
        redoc_url=None,
        openapi_url=None,
    )
    # Innermost of the user middleware, so the request ID is already set when a 413 is written.
    app.user_middleware.append(
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes)
    )
    if settings.cors_allow_origins:
        app.add_middleware(ApiCORS, origins=settings.cors_allow_origins)
    # Outermost: everything inside (request logs, limits, the sign-in throttle) sees the client's own address.
    app.add_middleware(ClientAddressMiddleware, proxies=TrustedProxies(settings.trusted_proxies))
    app.include_router(docs_router(openapi_aggregator(app, runtime, settings), title=app.title))
    # Last: the catch-all must not shadow the gateway's own /healthz, /readyz, /metrics, /docs and /auth/token.
    proxy = proxy_handler(settings, runtime, limiter)
    app.include_router(proxy_router(proxy))
    # The routing table's paths go to the same handler straight from the innermost middleware (faster).
    app.user_middleware.append(Middleware(ProxyMiddleware, handle=proxy, methods=PROXIED_METHODS))
    return app


def login_guard(settings: GatewaySettings) -> GuessGuard:
    return accounts.login_guard(
        GuessPolicy(
            throttle_after=settings.login_throttle_after,
            lockout_after=settings.login_lockout_after,
            lockout_seconds=settings.login_lockout_seconds,
            first_delay_seconds=settings.login_first_delay_seconds,
            max_delay_seconds=settings.login_max_delay_seconds,
            source_throttle_after=settings.login_source_throttle_after,
            source_lockout_after=settings.login_source_lockout_after,
        )
    )


def gateway_lifespan(
    settings: GatewaySettings, runtime: GatewayRuntime, asgi_apps: Mapping[str, ASGIApp] | None
) -> Lifespan:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.engine = create_engine(settings.resolved_database_url())
        await migrate(runtime.engine, MIGRATIONS_DIR)
        runtime.sessions = session_factory(runtime.engine)
        await runtime.states.refresh()  # before the first request: a deactivated account is refused from the start
        runtime.clients = build_clients(
            settings.upstream_urls(), timeout=settings.upstream_timeout, asgi_apps=asgi_apps
        )
        try:
            async with running(runtime.states.keep_fresh(settings.account_refresh_seconds), name="account-states"):
                yield
        finally:
            for client in runtime.clients.values():
                await client.http.aclose()
            await runtime.engine.dispose()

    return lifespan


def openapi_aggregator(app: FastAPI, runtime: GatewayRuntime, settings: GatewaySettings) -> OpenAPIAggregator:
    return OpenAPIAggregator(
        app,
        lambda: {name: client.http for name, client in runtime.clients.items()},
        ttl=settings.openapi_cache_seconds,
        timeout=settings.readiness_timeout,
    )


def proxy_handler(settings: GatewaySettings, runtime: GatewayRuntime, limiter: RateLimiter) -> ProxyHandler:
    async def proxy(request: Request) -> Response:
        route = route_for(request.url.path)
        principal = authorize(request, route.zone, settings.common, runtime.states)
        await limiter.check("public" if principal is None else "authenticated", client_key(request, principal))
        return await runtime.clients[route.upstream].forward(request)

    return proxy


def proxy_router(proxy: ProxyHandler) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.api_route("/{path:path}", methods=PROXIED_METHODS)(proxy)
    return router


def ready_checks(runtime: GatewayRuntime, settings: GatewaySettings) -> list[tuple[str, ReadyCheck]]:
    """The gateway is ready when its database answers and every service says it is ready."""

    async def database() -> None:
        if runtime.engine is None:
            raise RuntimeError("the gateway is not started")
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    def upstream(name: str) -> ReadyCheck:
        async def check() -> None:
            # asyncio's timeout also bounds in-process (ASGI) services, which httpx's timeouts do not.
            async with asyncio.timeout(settings.readiness_timeout):
                response = await runtime.clients[name].http.get("/readyz")
            if response.status_code != 200:
                raise RuntimeError(f"{name} /readyz answered {response.status_code}")

        return check

    return [("database", database), *((name, upstream(name)) for name in settings.upstream_urls())]
