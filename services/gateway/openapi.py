"""One OpenAPI document for the whole API: the gateway's own routes merged with each service's document.

Each service's ``/openapi.json`` is fetched on request and cached briefly; a service that cannot be reached is
left out (and logged) rather than failing the docs page.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import structlog
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from services.gateway.domain.routes import match_route
from shared.api_docs import docs_router as docs_pages
from shared.web import add_routes

Document = dict[str, Any]
SCHEMA_REF = "#/components/schemas/"

OAUTH2_SCHEME: Document = {
    "type": "oauth2",
    "description": "Tokens from the gateway's `/auth/token`.",
    "flows": {
        "password": {"tokenUrl": "/auth/token", "scopes": {}},
        "clientCredentials": {"tokenUrl": "/auth/token", "scopes": {}},
    },
}


def _rename_schemas(doc: Document, renames: Mapping[str, str]) -> Document:
    """Rename component schemas and every ``$ref`` to them (the quoted ref string is matched whole)."""
    text = json.dumps(doc, ensure_ascii=False)
    for old, new in renames.items():
        text = text.replace(json.dumps(SCHEMA_REF + old), json.dumps(SCHEMA_REF + new))
    renamed: Document = json.loads(text)
    schemas = renamed.get("components", {}).get("schemas", {})
    for old, new in renames.items():
        schemas[new] = schemas.pop(old)
    return renamed


def merge_documents(own: Document, upstream_docs: Mapping[str, Document]) -> Document:
    """Add each service's paths that the gateway routes to it; a schema name used differently is prefixed."""
    merged = copy.deepcopy(own)
    paths: Document = merged.setdefault("paths", {})
    schemas: Document = merged.setdefault("components", {}).setdefault("schemas", {})
    tags = {tag["name"]: tag for tag in merged.get("tags", [])}
    for service, doc in upstream_docs.items():
        theirs = doc.get("components", {}).get("schemas", {})
        clashes = {name: f"{service}_{name}" for name in theirs if name in schemas and schemas[name] != theirs[name]}
        doc = _rename_schemas(doc, clashes) if clashes else doc
        schemas.update(doc.get("components", {}).get("schemas", {}))
        for path, item in doc.get("paths", {}).items():
            route = match_route(path)
            # A service's own /healthz, /metrics and the like are not reachable through the gateway.
            if route is not None and route.upstream == service:
                paths[path] = item
        tags.update({tag["name"]: tag for tag in doc.get("tags", [])})
    if tags:
        merged["tags"] = list(tags.values())
    merged["components"].setdefault("securitySchemes", {})["gateway_oauth2"] = OAUTH2_SCHEME
    # Optional at the document level: public paths need no token; the services say which roles they need.
    merged["security"] = [{"gateway_oauth2": []}, {}]
    return merged


class OpenAPIAggregator:
    def __init__(
        self, app: FastAPI, clients: Callable[[], Mapping[str, httpx.AsyncClient]], *, ttl: float, timeout: float
    ) -> None:
        self._app, self._clients, self._ttl, self._timeout = app, clients, ttl, timeout
        self._cached: tuple[float, Document] | None = None
        self._lock = asyncio.Lock()

    async def document(self) -> Document:
        async with self._lock:  # one refresh at a time, not one per waiting request
            if self._cached is None or time.monotonic() - self._cached[0] > self._ttl:
                self._cached = (time.monotonic(), merge_documents(self._app.openapi(), await self._fetch_all()))
            return self._cached[1]

    async def _fetch_all(self) -> dict[str, Document]:
        clients = self._clients()
        results = await asyncio.gather(*(self._fetch(name, client) for name, client in clients.items()))
        return {name: doc for name, doc in zip(clients, results, strict=True) if doc is not None}

    async def _fetch(self, name: str, client: httpx.AsyncClient) -> Document | None:
        try:
            async with asyncio.timeout(self._timeout):
                response = await client.get("/openapi.json")
            response.raise_for_status()
            doc: Document = response.json()
            return doc
        except (TimeoutError, httpx.HTTPError, ValueError) as exc:
            structlog.get_logger().warning("openapi_fetch_failed", upstream=name, error=repr(exc))
            return None


def docs_router(aggregator: OpenAPIAggregator, *, title: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/openapi.json")
    async def openapi_document() -> JSONResponse:
        return JSONResponse(await aggregator.document())

    add_routes(router, docs_pages(openapi_url="/openapi.json", title=title))
    return router
