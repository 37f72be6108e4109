"""The embedded mode: one process serving the gateway with the four services mounted in-process, SQLite files
under the data directory and the in-process bus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from fastapi import FastAPI

from services.catalogue import Service, upstream_services
from services.demo.accounts import ensure_demo_accounts
from services.demo.startup import LoadMarker, demo_enabled, demo_loading
from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from shared.logging import configure_logging
from shared.messaging import InProcessBus
from shared.settings import CommonSettings


def create_embedded_app(common: CommonSettings | None = None, *, demo: bool | None = None) -> FastAPI:
    """``demo``: load the demo scenario in the background on the first development start (default: unless
    ``GREENLAW_DEMO=0``)."""
    common = common or CommonSettings()
    configure_logging(level=common.log_level, json=common.log_json)
    # Closed until every service has subscribed, so no relay publishes to a consumer that is not listening yet.
    bus = InProcessBus(open_now=False) if common.transport == "inprocess" else None
    services: dict[str, FastAPI] = {}
    for entry in upstream_services():
        services[entry.name] = _create(entry, common, bus, services)
    # The rule-of-law report reads the referral statistics in-process too; referral is built after disclosure.
    services["disclosure"].state.referral_transport = httpx.ASGITransport(app=services["referral"])
    gateway_settings = GatewaySettings(common=common)
    gateway = create_gateway_app(gateway_settings, asgi_apps=services, bus=bus)
    gateway_lifespan = gateway.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for service in services.values():
                await stack.enter_async_context(service.router.lifespan_context(service))
            if bus is not None:
                bus.open()
            await stack.enter_async_context(gateway_lifespan(app))
            if common.environment == "development":
                first_start = await ensure_demo_accounts(gateway_settings)
                if demo_enabled() if demo is None else demo:
                    if first_start:
                        await stack.enter_async_context(demo_loading(app, common.data_dir))
                    else:
                        LoadMarker(common.data_dir).warn_if_interrupted()
            yield

    gateway.router.lifespan_context = lifespan
    return gateway


def _create(entry: Service, common: CommonSettings, bus: InProcessBus | None, built: dict[str, FastAPI]) -> FastAPI:
    """One service of the catalogue, on the shared bus; ``built`` holds the services created before it."""
    extra: dict[str, httpx.AsyncBaseTransport] = {}
    if entry.name == "disclosure":
        # The annual report reads the cases statistics in-process, over the same REST API it uses when distributed.
        extra["cases_transport"] = httpx.ASGITransport(app=built["cases"])
    return entry.app_factory()(entry.settings_class()(common=common), bus=bus, **extra)


def app_factory() -> FastAPI:
    """For ``greenlaw run``; with uvicorn itself add ``--no-proxy-headers`` (the gateway decides whose
    ``X-Forwarded-For`` to believe: ``GREENLAW_GATEWAY_TRUSTED_PROXIES``)."""
    return create_embedded_app()
