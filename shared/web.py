"""What every HTTP app shares: request IDs, problem responses, ``/healthz``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

import functools
import os
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.api_docs import docs_router
from shared.logging import bind_request, unbind_request
from shared.problem_docs import document_problems
from shared.problems import install_problem_handlers, problem_response

ReadyCheck = Callable[[], Awaitable[None]]


class Health(BaseModel):
    """存活 The process answers."""

    status: Literal["ok"] = Field(description="Always `ok` when the process answers")
    service: str = Field(description="The answering service (`gateway`, `cases`, …)")


class Readiness(BaseModel):
    """就绪 Everything the process needs answers (a 503 problem with the same `checks` otherwise)."""

    status: Literal["ready"] = Field(description="Always `ready` in a 200 answer")
    service: str = Field(description="The answering service")
    checks: dict[str, str] = Field(
        description="Each check by name (`database`, `bus`, the gateway's services) with `ok`, or `error: …`"
    )


Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

REQUEST_ID_HEADER = "x-request-id"
# Sent on every response unless the app set its own (a proxied response keeps the service's).
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
CORRELATION_ID_HEADER = "x-correlation-id"
_ID_HEADERS = frozenset({REQUEST_ID_HEADER.encode(), CORRELATION_ID_HEADER.encode()})
# A caller's ID is echoed, forwarded and logged: only a short plain token is kept, anything else is replaced.
_CALLER_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


def caller_id(value: bytes | None) -> str | None:
    """The ID the caller sent, if it is a plain token of at most 128 characters; otherwise none."""
    return value.decode("ascii") if value and _CALLER_ID.fullmatch(value) else None


class RequestContextMiddleware:
    """Assigns the request ID (kept from the caller if given), binds it for logging and counts the request."""

    def __init__(self, app: ASGIApp, *, service: str, registry: CollectorRegistry) -> None:
        self.app = app
        self.service = service
        self.requests = Counter("http_requests_total", "HTTP requests", ["method", "status"], registry=registry)
        self.latency = Histogram("http_request_duration_seconds", "HTTP request latency", ["method"], registry=registry)
        self._children: dict[tuple[int | str, ...], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given: dict[bytes, bytes] = {k: v for k, v in scope["headers"] if k in _ID_HEADERS}
        request_id = caller_id(given.get(b"x-request-id")) or os.urandom(16).hex()
        correlation_id = caller_id(given.get(b"x-correlation-id")) or request_id
        scope.setdefault("state", {})
        scope["state"]["request_id"] = request_id
        scope["state"]["correlation_id"] = correlation_id
        binding = bind_request(request_id=request_id, correlation_id=correlation_id, service=self.service)
        started = time.perf_counter()
        status = 500

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                if b"x-request-id" not in present:
                    headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await (_refuse_nul if _url_has_nul(scope) else self.app)(scope, receive, send_with_ids)
        finally:
            unbind_request(binding)
            method = scope.get("method", "")
            self._child(self.requests, method, str(status)).inc()
            self._child(self.latency, method).observe(time.perf_counter() - started)

    def _child(self, metric: Counter | Histogram, *labels: str) -> Any:
        """The labelled child, kept: ``labels()`` takes a lock and builds the key on every call."""
        key: tuple[int | str, ...] = (id(metric), *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child


def _url_has_nul(scope: Scope) -> bool:
    """NUL in the path or a query parameter: no database here can compare or store it (PostgreSQL refuses it)."""
    return "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b"")


async def _refuse_nul(scope: Scope, receive: Receive, send: Send) -> None:
    detail = "地址含 NUL 字符 The URL contains a NUL character"
    await problem_response(Request(scope), 400, detail, slug="nul-character")(scope, receive, send)


def correlation_id(request: Request) -> str:
    value = getattr(request.state, "correlation_id", None)
    return str(value) if value else uuid.uuid4().hex


def add_routes(app: FastAPI | APIRouter, router: APIRouter) -> None:
    """The router's routes in the app (or another router) as they are, as ``@app.get`` puts its own, instead of
    ``include_router``: FastAPI builds an included route's dependency tree, parameter validators and response fields
    again for every app that includes it, on the app's first request (≈ 100 ms of CPU for a service's routes, at each
    start of a process, and at each app a test makes). The routers here are added without a prefix, tags,
    dependencies or overrides of their own, so the routes they built serve as they are: a router made once per process
    serves every app, and one made for a single app (the gateway's proxy) is built once instead of twice."""
    (app.router if isinstance(app, FastAPI) else app).routes.extend(router.routes)


@functools.cache
def ops_router(service: str) -> APIRouter:
    """``/healthz``, ``/readyz`` and ``/metrics`` of ``service``, made once per process and shared by its apps (see
    :func:`add_routes`); each answers from its own app's state (its ready checks and metrics registry)."""
    router = APIRouter()

    @router.get("/healthz", tags=["ops"], operation_id=f"{service}_healthz", summary="Alive")
    async def healthz() -> Health:
        return Health(status="ok", service=service)

    @router.get(
        "/readyz",
        tags=["ops"],
        operation_id=f"{service}_readyz",
        summary="Database and bus reachable",
        response_model=Readiness,
        responses={503: {"description": "未就绪 Not ready: a problem document with the same `checks`"}},
    )
    async def readyz(request: Request) -> Response:
        checks: dict[str, str] = {}
        ok = True
        ready_checks: list[tuple[str, ReadyCheck]] = request.app.state.ready_checks
        for name, check in ready_checks:
            try:
                await check()
                checks[name] = "ok"
            except Exception as exc:
                ok = False
                checks[name] = f"error: {type(exc).__name__}: {exc}"[:300]
                structlog.get_logger().warning("readiness_failed", check=name, error=str(exc))
        if not ok:
            return problem_response(request, 503, "未就绪 Not ready", checks=checks, service=service)
        return JSONResponse({"status": "ready", "service": service, "checks": checks})

    @router.get("/metrics", tags=["ops"], operation_id=f"{service}_metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        registry: CollectorRegistry = request.app.state.metrics_registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


def create_http_app(
    *,
    service: str,
    title: str,
    description: str,
    lifespan: Lifespan | None = None,
    ready_checks: Sequence[tuple[str, ReadyCheck]] = (),
    routers: Sequence[APIRouter] = (),
    **fastapi_kwargs: Any,
) -> FastAPI:
    """Build a FastAPI app with the conventions of the design: problem+json, IDs, health, readiness, metrics."""
    registry = CollectorRegistry()
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        # No OpenTelemetry here (metrics are Prometheus, logs structlog): without this FastAPI asks the global
        # providers on every request whether tracing is configured.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        # Starlette's redirect of /x/ to /x is absolute, built from the Host header: behind the gateway that is the
        # service's internal address, and a caller's own Host otherwise. A path with a stray slash is a 404.
        redirect_slashes=False,
        # The docs pages below serve their assets themselves: FastAPI's defaults load them from a CDN.
        **{"docs_url": None, "redoc_url": None, **fastapi_kwargs},
    )
    app.state.metrics_registry = registry
    app.state.ready_checks = list(ready_checks)
    install_problem_handlers(app)
    document_problems(app)
    for router in routers:
        add_routes(app, router)
    if app.openapi_url:
        add_routes(app, docs_router(openapi_url=app.openapi_url, title=title))
    add_routes(app, ops_router(service))
    app.add_middleware(RequestContextMiddleware, service=service, registry=registry)
    return app
