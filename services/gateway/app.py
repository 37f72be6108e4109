"""Composition root of the gateway: ``create_gateway_app(settings)``. Nothing connects at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from services.gateway.api import ROUTERS
from services.gateway.api.health import ready_checks
from services.gateway.domain.addresses import TrustedProxies
from services.gateway.domain.rate_limits import RateLimiter
from services.gateway.domain.routes import route_for
from services.gateway.forwarding import ProxyHandler, ProxyMiddleware, build_clients
from services.gateway.handlers.accounts import configure_hashing, login_guard
from services.gateway.middleware import ApiCORS, BodyLimitMiddleware, PublicCORS
from services.gateway.openapi import OpenAPIAggregator, docs_router
from services.gateway.proxies import ClientAddressMiddleware, client_key
from services.gateway.public_cache import (
    InProcessFeed,
    KafkaFeed,
    PublicCacheMiddleware,
    answer_error,
    rate_limit,
)
from services.gateway.runtime import GatewayRuntime
from services.gateway.settings import GatewaySettings
from services.gateway.zones import authorize
from shared.db import create_engine, migrate, session_factory
from shared.guessing import GuessPolicy
from shared.messaging.transport import InProcessBus
from shared.tasks import running
from shared.web import Lifespan, add_routes, create_http_app

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
PROXIED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def create_gateway_app(
    settings: GatewaySettings, *, asgi_apps: Mapping[str, ASGIApp] | None = None, bus: InProcessBus | None = None
) -> FastAPI:
    """The gateway. With ``asgi_apps`` (embedded mode) those services are called in-process, the rest over HTTP;
    ``bus`` is the embedded mode's in-process bus, whose events keep the public answers cache fresh."""
    configure_hashing(settings)
    runtime = GatewayRuntime(
        settings=settings, limiter=rate_limiter(settings), guard=login_guard(sign_in_policy(settings))
    )
    app = create_http_app(
        service="gateway",
        title="greenlaw 生态环境局执法平台 API",
        description="The one entry point: staff API `/api/v1`, public API `/public/v1` and portal `/portal`, "
        "police API `/police/v1`. Get a token from `/auth/token`.",
        lifespan=gateway_lifespan(runtime, asgi_apps, bus),
        ready_checks=ready_checks(runtime),
        routers=list(ROUTERS),
        docs_url=None,  # replaced by the merged document of docs_router
        redoc_url=None,
        openapi_url=None,
    )
    app.state.gateway = runtime
    # Innermost of the user middleware, so the request ID is already set when a 413 is written.
    app.user_middleware.append(
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes)
    )
    if settings.cors_allow_origins:
        app.add_middleware(ApiCORS, origins=settings.cors_allow_origins)
    if settings.public_cors_origins:
        app.add_middleware(PublicCORS, origins=settings.public_cors_origins)
    # Outermost: everything inside (request logs, limits, the sign-in throttle) sees the client's own address.
    app.add_middleware(ClientAddressMiddleware, proxies=TrustedProxies(settings.trusted_proxies))
    add_routes(app, docs_router(openapi_aggregator(app, runtime), title=app.title))
    # Last: the catch-all must not shadow the gateway's own /healthz, /readyz, /metrics, /docs and /auth/token.
    proxy = proxy_handler(runtime)
    add_routes(app, proxy_router(proxy))
    if runtime.public_cache.enabled:
        app.user_middleware.append(
            Middleware(
                PublicCacheMiddleware,
                cache=runtime.public_cache,
                limit=rate_limit(runtime.limiter.check),
                on_error=answer_error,
            )
        )
    # The routing table's paths go to the same handler straight from the innermost middleware (faster).
    app.user_middleware.append(Middleware(ProxyMiddleware, handle=proxy, methods=PROXIED_METHODS))
    return app


def rate_limiter(settings: GatewaySettings) -> RateLimiter:
    return RateLimiter(
        public=settings.rate_limit_public,
        authenticated=settings.rate_limit_authenticated,
        token=settings.rate_limit_token,
    )


def sign_in_policy(settings: GatewaySettings) -> GuessPolicy:
    return GuessPolicy(
        throttle_after=settings.login_throttle_after,
        lockout_after=settings.login_lockout_after,
        lockout_seconds=settings.login_lockout_seconds,
        first_delay_seconds=settings.login_first_delay_seconds,
        max_delay_seconds=settings.login_max_delay_seconds,
        source_throttle_after=settings.login_source_throttle_after,
        source_lockout_after=settings.login_source_lockout_after,
    )


def gateway_lifespan(
    runtime: GatewayRuntime, asgi_apps: Mapping[str, ASGIApp] | None, bus: InProcessBus | None = None
) -> Lifespan:
    settings = runtime.settings

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
            async with (
                running(runtime.states.keep_fresh(settings.account_refresh_seconds), name="account-states"),
                public_cache_feed(runtime, bus),
            ):
                yield
        finally:
            for client in runtime.clients.values():
                await client.http.aclose()
            await runtime.engine.dispose()

    return lifespan


@asynccontextmanager
async def public_cache_feed(runtime: GatewayRuntime, bus: InProcessBus | None) -> AsyncIterator[None]:
    """What keeps the public answers cache fresh: the in-process bus (embedded), this replica's own Kafka consumer
    (distributed); with neither the cache answers nothing."""
    cache, common = runtime.public_cache, runtime.settings.common
    if not cache.enabled:
        yield
    elif bus is not None:
        feed = InProcessFeed(cache, bus)
        feed.start()
        try:
            yield
        finally:
            feed.stop()
    elif common.transport == "kafka":
        kafka = KafkaFeed(
            cache,
            common.kafka_bootstrap_servers,
            namespace=common.kafka_namespace,
            fetch_max_wait_ms=common.kafka_fetch_max_wait_ms,
        )
        async with running(kafka.run(), name="public-cache-feed"):
            yield
    else:
        yield


def openapi_aggregator(app: FastAPI, runtime: GatewayRuntime) -> OpenAPIAggregator:
    return OpenAPIAggregator(
        app,
        lambda: {name: client.http for name, client in runtime.clients.items()},
        ttl=runtime.settings.openapi_cache_seconds,
        timeout=runtime.settings.readiness_timeout,
    )


def proxy_handler(runtime: GatewayRuntime) -> ProxyHandler:
    async def proxy(request: Request) -> Response:
        route = route_for(request.scope["path"])
        principal = authorize(request, route.zone, runtime.settings.common, runtime.states)
        await runtime.limiter.check("public" if principal is None else "authenticated", client_key(request, principal))
        return await runtime.clients[route.upstream].forward(request)

    return proxy


def proxy_router(proxy: ProxyHandler) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.api_route("/{path:path}", methods=PROXIED_METHODS)(proxy)
    return router
