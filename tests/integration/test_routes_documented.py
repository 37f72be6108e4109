"""Every route a service or the gateway serves is in its OpenAPI document, with each of its methods.

The metrics endpoint (for Prometheus) and the documentation pages themselves are the only routes left out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, routing
from starlette.routing import Mount, Route

from services.catalogue import SERVICES, UPSTREAMS
from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from tests.stack import Stack, StackConfig

pytestmark = pytest.mark.integration

UNDOCUMENTED = {"/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/docs/assets/{name}"}
# The gateway's forwarding route: what it forwards is documented path by path from the services' own documents,
# which the last test checks.
PROXY = "/{path:path}"


@pytest.fixture(scope="module")
async def apps(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, FastAPI]]:
    data_dir: Path = tmp_path_factory.mktemp("routes")
    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=data_dir)) as stack:
        gateway = create_gateway_app(GatewaySettings(common=stack.common), asgi_apps=dict(stack.apps))
        async with gateway.router.lifespan_context(gateway):
            yield {**stack.apps, "gateway": gateway}


def served_routes(routes: list[Any]) -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route the app serves, through included routers (FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, routing._IncludedRouter):
            yield from served_routes(route.effective_candidates())
        elif isinstance(route, routing._EffectiveRouteContext):
            yield route.path, set(route.methods)
        elif isinstance(route, Route):
            yield route.path, set(route.methods or ())
        elif isinstance(route, Mount):
            raise AssertionError(f"a mounted app at {route.path} would hide its routes from this check")


@pytest.mark.parametrize("name", SERVICES)
async def test_every_route_is_documented(apps: dict[str, FastAPI], name: str) -> None:
    app = apps[name]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        document = (await client.get("/openapi.json")).json()
    served = list(served_routes(app.routes))
    assert len(served) > 3, served
    missing = [
        f"{method} {path}"
        for path, methods in served
        if path not in UNDOCUMENTED and not (name == "gateway" and path == PROXY)
        for method in sorted(methods - {"HEAD"})
        if method.lower() not in document["paths"].get(path, {})
    ]
    assert not missing, f"{name} serves routes its OpenAPI document does not show: {missing}"


async def test_the_gateway_document_holds_every_service_route(apps: dict[str, FastAPI]) -> None:
    """The merged document shows each service's routes that the gateway forwards (all but its ops routes)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps["gateway"]), base_url="http://t") as client:
        merged = (await client.get("/openapi.json")).json()["paths"]
    for name in UPSTREAMS:
        for path, methods in served_routes(apps[name].routes):
            if path in UNDOCUMENTED or path in {"/healthz", "/readyz"}:
                continue
            for method in methods - {"HEAD"}:
                assert method.lower() in merged.get(path, {}), f"{name}: {method} {path} missing from the gateway"
