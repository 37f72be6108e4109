"""Per-client rate limits (429 with ``Retry-After``), the request body size limit (413) and the CORS allowlist.

Rate-limit counters live in this gateway process's memory: with several gateway replicas each enforces its own
share, so the effective limit is the configured one times the replica count. A shared store (the ``limits``
library also speaks Redis) would make it exact if that ever matters.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Literal

from fastapi import Request
from limits import RateLimitItem, parse
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.proxies import client_host
from services.gateway.routing import match_route
from shared.auth import Principal
from shared.problems import Problem, problem_response

LimitKind = Literal["public", "authenticated", "token"]


def client_key(request: Request, principal: Principal | None) -> str:
    """Whom a request counts against: the token's subject, else the client address (the socket peer, or behind a
    trusted proxy the address it forwarded: ``services/gateway/proxies.py``)."""
    if principal is not None:
        return f"{principal.zone}:{principal.subject}"
    return f"ip:{client_host(request)}"


class RateLimiter:
    """A limit per client and kind of request, ``N/period`` as the settings write it (``600/minute``).

    The generic cell rate algorithm (GCRA): each key keeps one number, the time its allowance is used up to
    (the "theoretical arrival time"). A request is let through while that time lies less than one period ahead,
    and moves it on by period / N. A client may use its N requests at once, and afterwards one every period / N;
    in any window of one period it never gets more than N plus what trickled back meanwhile. Checking costs the
    same whatever N is (a moving window keeps one timestamp per request), and nothing awaits between the read and
    the write, so the event loop needs no lock.
    """

    # Past this many keys, those whose allowance has fully come back are dropped (they would be let through anyway).
    SWEEP_ABOVE = 10_000

    def __init__(
        self, *, public: str, authenticated: str, token: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._items: dict[LimitKind, RateLimitItem] = {
            "public": parse(public),
            "authenticated": parse(authenticated),
            "token": parse(token),
        }
        # Per kind: the period and the interval one request uses up (period / N), worked out once.
        self._rates = {
            kind: (float(item.get_expiry()), item.get_expiry() / item.amount) for kind, item in self._items.items()
        }
        self._clock = clock
        self._used_until: dict[tuple[LimitKind, str], float] = {}
        self._sweep_at = self.SWEEP_ABOVE

    async def check(self, kind: LimitKind, key: str) -> None:
        """Count one request; past the limit raise a 429 problem saying when to come back."""
        period, interval = self._rates[kind]
        now = self._clock()
        used_until = max(self._used_until.get((kind, key), now), now)
        if used_until + interval - now <= period:
            self._used_until[(kind, key)] = used_until + interval
            if len(self._used_until) > self._sweep_at:
                self._sweep(now)
            return
        retry_after = max(1, math.ceil(used_until + interval - period - now))
        raise Problem(
            429,
            f"请求过于频繁 Rate limit of {self._items[kind]} exceeded; retry after {retry_after} s",
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
        )

    def _sweep(self, now: float) -> None:
        self._used_until = {key: until for key, until in self._used_until.items() if until > now}
        # Sweep again once the table has doubled, so a crowd of live keys is not swept on every request.
        self._sweep_at = max(self.SWEEP_ABOVE, 2 * len(self._used_until))


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
        declared = _declared_length(scope)
        if declared == 0 and not _chunked(scope):
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


def _chunked(scope: Scope) -> bool:
    return any(name == b"transfer-encoding" for name, _ in scope["headers"])


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


class ApiCORS:
    """CORS for the configured origins (e.g. the bureau's own web apps) on every path but the public ones.

    No cookies are used, so no credentials. The public API's CORS is the disclosure service's own
    (``GREENLAW_DISCLOSURE_CORS_ORIGINS``), passed through unchanged. Without the setting the gateway adds no CORS
    headers, so browsers keep other sites' pages from reading the API.
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
