"""The gateway's own middleware: the request body size limit (413) and the CORS allowlists (staff apps, public API)."""

from __future__ import annotations

from fastapi import Request
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.domain.routes import match_route
from shared.problems import Problem, problem_response


class BodyLimitMiddleware:
    """Refuse request bodies above ``max_bytes`` with a 413 problem.

    A declared ``Content-Length`` is checked before anything is read; a chunked body is counted as it streams,
    and once it passes the limit whatever the app makes of that (an error, a half-sent upstream request) is
    replaced by the 413.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_upload_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes or max_bytes

    def _limit(self, scope: Scope) -> int:
        """File uploads (multipart: evidence, referral documents) may be larger than JSON and form bodies."""
        for name, value in scope["headers"]:
            if name == b"content-type" and value.lower().startswith(b"multipart/form-data"):
                return self.max_upload_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _body_headers(scope)
        if declared == 0 and not chunked:
            await self.app(scope, receive, send)  # no body: nothing to count (most GETs)
            return
        limit = self._limit(scope)
        guard = _BodyGuard(scope, receive, send, limit)
        if declared > limit:
            await guard.refuse()
            return
        try:
            await self.app(scope, guard.receive, guard.send)
        except Exception:
            if not guard.exceeded or guard.started:
                raise
            await guard.refuse()


class _BodyGuard:
    """One request's byte count, and whether its response has begun."""

    def __init__(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        self.scope, self._receive, self._send, self.max_bytes = scope, receive, send, max_bytes
        self.received = 0
        self.started = False
        self.refused = False

    @property
    def exceeded(self) -> bool:
        return self.received > self.max_bytes

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.exceeded:
                raise Problem(413, self._detail())
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return
        if self.exceeded and not self.started:
            await self.refuse()
            return
        self.started = True
        await self._send(message)

    async def refuse(self) -> None:
        self.started = self.refused = True
        response = problem_response(Request(self.scope), 413, self._detail(), max_bytes=self.max_bytes)
        # No "Connection: close": closing a socket with unread body on it resets it, and the client may lose
        # this answer while still sending. Uvicorn discards the rest of the body after the response instead.
        await response(self.scope, self._receive, self._send)

    def _detail(self) -> str:
        return f"请求体过大 The request body exceeds {self.max_bytes} bytes"


def _body_headers(scope: Scope) -> tuple[int, bool]:
    """The declared ``Content-Length`` (0 if none or unreadable) and whether the body is chunked, in one pass."""
    declared, chunked = 0, False
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                declared = 0
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked


class ApiCORS:
    """CORS for the configured origins (e.g. the bureau's own web apps) on every path but the public ones.

    No cookies are used, so no credentials. The public paths have their own allowlist (:class:`PublicCORS`).
    Without the setting the gateway adds no CORS headers, so browsers keep other sites' pages from reading the API.
    """

    def __init__(self, app: ASGIApp, *, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key"],
            expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = match_route(str(scope.get("path", ""))) if scope["type"] == "http" else None
        if scope["type"] == "http" and not (route is not None and route.zone == "public"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


PUBLIC_CORS_METHODS = ("GET", "HEAD")


def public_api_path(path: str) -> bool:
    """A path of the public API (公开数据接口: ``/public/v1/monitoring…`` and the disclosure's ``/public/v1…``); not
    the portal's HTML pages, never a staff or police path."""
    if not path.startswith("/public/"):  # the cheap test first: most paths end here
        return False
    route = match_route(path)
    return route is not None and route.zone == "public"


class PublicCORS:
    """CORS on the public API for the configured origins (``GREENLAW_GATEWAY_PUBLIC_CORS_ORIGINS``): the government
    website's JavaScript reads the open monitoring data and the disclosure API from its own origin.

    Read-only: GET and HEAD, and the preflight of those (answered here, not forwarded); any other method passes
    without CORS headers. ``If-None-Match`` may be sent; ``ETag``, ``Link`` (paging), ``Retry-After`` (rate limit)
    and ``X-Request-ID`` may be read. No credentials. The origin is not forwarded to the services, so behind the
    gateway this is the public API's CORS. Staff, police and portal paths never get it.
    """

    def __init__(self, app: ASGIApp, *, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=list(PUBLIC_CORS_METHODS),
            allow_headers=["If-None-Match"],
            expose_headers=["ETag", "Link", "Retry-After", "X-Request-ID"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _read_only(scope) and public_api_path(str(scope.get("path", ""))):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _read_only(scope: Scope) -> bool:
    """GET or HEAD, or the preflight of a cross-origin request (the method asked for is CORSMiddleware's check)."""
    method = scope.get("method", "")
    if method in PUBLIC_CORS_METHODS:
        return True
    return method == "OPTIONS" and any(name == b"access-control-request-method" for name, _ in scope["headers"])
