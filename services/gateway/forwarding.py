"""Forwarding a request to its service (转发): the HTTP or in-process client per service, the headers that pass,
the answer streamed back, and the middleware that sends the routing table's paths straight to the proxy handler.

Paths are forwarded unchanged (the table is ``domain/routes.py``); a dead or slow service is a 503/504 problem.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

import httpx
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.domain.routes import match_route
from shared.outbound import tls_context
from shared.problems import Problem, problem_response

# Only these request headers reach a service; the rest (cookies, proxy headers, hop-by-hop) stay here.
FORWARDED_REQUEST_HEADERS = frozenset(
    {
        "authorization",
        "content-type",
        "content-encoding",
        "content-length",
        "accept",
        "accept-encoding",
        "accept-language",
        "if-match",
        "if-none-match",
        "if-modified-since",
        "idempotency-key",
        "user-agent",
    }
)
_FORWARDED_RAW = frozenset(name.encode("latin-1") for name in FORWARDED_REQUEST_HEADERS)
# RFC 9110 §7.6.1 hop-by-hop headers, plus those the gateway's own server and middleware set again.
DROPPED_RESPONSE_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "date",
        "server",
        "x-request-id",
    }
)


_DROPPED_RAW = frozenset(name.encode("latin-1") for name in DROPPED_RESPONSE_HEADERS)


@dataclass(frozen=True)
class UpstreamClient:
    """A service behind the gateway and the HTTP client that reaches it (and its ASGI app when in-process)."""

    name: str
    http: httpx.AsyncClient
    timeout: float
    app: ASGIApp | None = None

    async def forward(self, request: Request) -> Response:
        """Send the request on and stream the answer back; a dead or slow service becomes a 503/504 problem."""
        if self.app is not None:
            return InProcessResponse(self, request, self.app)
        body: AsyncIterator[bytes] | None = request.stream() if _has_body(request) else None
        outgoing = self.http.build_request(
            request.method, upstream_target(request), headers=upstream_headers(request), content=body
        )
        try:
            # httpx's timeouts are per socket operation and do not apply to the ASGI transport; this bounds both.
            async with asyncio.timeout(self.timeout):
                response = await self.http.send(outgoing, stream=True)
        except (TimeoutError, httpx.TimeoutException) as exc:
            detail = f"上游服务超时 Service {self.name} did not answer within {self.timeout:g} s"
            raise Problem(504, detail, upstream=self.name) from exc
        except httpx.TransportError as exc:
            detail = f"上游服务不可用 Service {self.name} is unreachable ({type(exc).__name__})"
            raise Problem(503, detail, upstream=self.name) from exc
        return relay(response)

    def in_process_scope(self, request: Request, *, has_body: bool) -> Scope:
        """The ASGI scope ``httpx.ASGITransport`` would build for the request :meth:`forward` sends (path and
        query unchanged, under the base URL's path if it has one)."""
        base = self.http.base_url
        headers = upstream_raw_headers(request.scope)
        names = {name for name, _ in headers}
        if b"accept" not in names:
            headers.append((b"accept", b"*/*"))
        if has_body and b"content-length" not in names:
            headers.append((b"transfer-encoding", b"chunked"))
        raw = [(b"host", base.netloc), *headers]
        prefix = base.path.rstrip("/")
        raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": raw,
            "scheme": base.scheme,
            "path": prefix + request.scope["path"],
            "raw_path": base.raw_path.rstrip(b"/") + raw_path.split(b"?")[0],
            "query_string": request.scope.get("query_string", b""),
            "server": (base.host, base.port),
            "client": ("127.0.0.1", 123),
            "root_path": "",
        }


class InProcessResponse(Response):
    """The answer of an in-process service, streamed through as the service sends it.

    The service's app is called with the request as it would arrive over HTTP (the scope ``httpx.ASGITransport``
    would build for what :meth:`UpstreamClient.forward` sends: same headers, path and query), reading the body from
    the client as it needs it; its answer goes out with the same headers dropped as over HTTP. No httpx request,
    no response object, no copy of the body. The upstream timeout bounds the wait for the answer to begin; a
    service that has not begun by then gets a 504 problem, as over HTTP.
    """

    def __init__(self, upstream: UpstreamClient, request: Request, app: ASGIApp) -> None:
        # Response.__init__ is not called: this response has no body or headers of its own.
        self.upstream, self.request, self.app = upstream, request, app
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request, upstream = self.request, self.upstream
        started = False

        async def relay_message(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                deadline.reschedule(None)  # the answer has begun: the rest streams at the client's pace
                message = {**message, "headers": relayed_headers(message.get("headers", []))}
            await send(message)

        service_scope = upstream.in_process_scope(request, has_body=_has_body(request))
        try:
            async with asyncio.timeout(upstream.timeout) as deadline:
                await self.app(service_scope, receive, relay_message)
        except TimeoutError:
            if started:
                raise
            detail = f"上游服务超时 Service {upstream.name} did not answer within {upstream.timeout:g} s"
            await problem_response(request, 504, detail, upstream=upstream.name)(scope, receive, send)
            return
        if not started:
            raise RuntimeError(f"service {upstream.name} returned without an answer")


def build_clients(
    urls: Mapping[str, str], *, timeout: float, asgi_apps: Mapping[str, ASGIApp] | None = None
) -> dict[str, UpstreamClient]:
    """One client per service: over HTTP to its base URL, or in-process through ASGI in the embedded mode."""
    clients: dict[str, UpstreamClient] = {}
    for name, url in urls.items():
        app = (asgi_apps or {}).get(name)
        transport = httpx.ASGITransport(app=app) if app is not None else None
        http = httpx.AsyncClient(
            base_url=url, transport=transport, timeout=timeout, follow_redirects=False, verify=tls_context()
        )
        clients[name] = UpstreamClient(name=name, http=http, timeout=timeout, app=app)
    return clients


def upstream_headers(request: Request) -> dict[str, str]:
    """The headers a service gets (for httpx): see :func:`upstream_raw_headers`."""
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in upstream_raw_headers(request.scope)}


def upstream_raw_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The client's headers that may reach a service, plus the request and correlation IDs and the
    ``X-Forwarded-*`` the gateway adds; read from the ASGI scope as they came (lower-case names).

    ``X-Forwarded-For`` and ``-Proto`` carry only what the gateway vouches for (the scope's client and scheme,
    see ``proxies.py``), never what the caller wrote; the ``Host`` is not passed on, as links never come from it.
    """
    kept: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in _FORWARDED_RAW:
            kept[name] = value
    # Without this httpx would ask for gzip on the client's behalf and pass on bytes it may not read.
    kept.setdefault(b"accept-encoding", b"identity")
    state = scope.get("state") or {}
    kept[b"x-request-id"] = str(state.get("request_id", "")).encode("latin-1")
    kept[b"x-correlation-id"] = str(state.get("correlation_id", "")).encode("latin-1")
    client = scope.get("client")
    kept[b"x-forwarded-for"] = client[0].encode("latin-1") if client else b""
    kept[b"x-forwarded-proto"] = str(scope.get("scheme", "http")).encode("latin-1")
    return list(kept.items())


def upstream_target(request: Request) -> str:
    """The path and query as the client sent them, so percent-encoding survives the hop."""
    raw_path: bytes | None = request.scope.get("raw_path")
    path = raw_path.decode("utf-8", "replace") if raw_path else request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


def _has_body(request: Request) -> bool:
    return any(name in _BODY_HEADERS for name, _ in request.scope["headers"])


_BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding"})


def relay(response: httpx.Response) -> StreamingResponse:
    """Stream an upstream response back as it is, keeping repeated headers (``Set-Cookie``, ``Link``)."""
    streaming = StreamingResponse(
        response.aiter_raw(), status_code=response.status_code, background=BackgroundTask(response.aclose)
    )
    streaming.raw_headers = relayed_headers(response.headers.raw)
    return streaming


def relayed_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """A service's response headers as the gateway passes them on: names lower-cased, the dropped ones left out."""
    kept = []
    for name, value in headers:
        lower = name.lower()
        if lower not in _DROPPED_RAW:
            kept.append((lower, value))
    return kept


ProxyHandler = Callable[[Request], Awaitable[Response]]


class ProxyMiddleware:
    """Hands a request for a path of the routing table straight to the proxy handler, without the gateway's own
    routing, dependency solving and exception layers (the same handler the catch-all route calls).

    Innermost of the user middleware, so request IDs, metrics, CORS and the body limit apply as before; an error
    the handler raises is answered by the app's exception handlers (a problem), an unexpected one propagates to
    the server-error middleware, as from the route.
    """

    def __init__(self, app: ASGIApp, *, handle: ProxyHandler, methods: Collection[str]) -> None:
        self.app = app
        self.handle = handle
        self.methods = frozenset(methods)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in self.methods or match_route(scope["path"]) is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await self.handle(request)
        except Exception as exc:
            handler = exception_handler(scope, exc)
            if handler is None:
                raise
            response = await handler(request, exc)
        await response(scope, receive, send)


def exception_handler(scope: Scope, exc: Exception) -> Callable[[Request, Exception], Awaitable[Response]] | None:
    """The app's handler for ``exc`` as Starlette's exception middleware picks it (by status, then by class);
    none for what only the server-error middleware handles."""
    handlers: Mapping[object, Callable[[Request, Exception], Awaitable[Response]]] = getattr(
        scope.get("app"), "exception_handlers", {}
    )
    status = getattr(exc, "status_code", None)
    if status is not None and status in handlers:
        return handlers[status]
    for cls in type(exc).__mro__:
        if cls in (Exception, BaseException):
            return None
        if cls in handlers:
            return handlers[cls]
    return None
