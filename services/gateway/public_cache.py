"""A short-lived cache of public answers in the gateway (公开数据缓存): the government website's traffic is
read-mostly and bursty, and the same list pages are asked for again and again.

What may be kept: the ``200`` answer to an anonymous ``GET`` of a public path (``/public/v1…``, ``/portal…``) that
the service marks ``Cache-Control: public, max-age=N`` (``N`` > 0; not ``private``, ``no-store`` or ``no-cache``),
that sets no cookie and varies by nothing but ``Accept``, ``Accept-Encoding`` and ``Accept-Language`` (the key is
the path, the query string as sent and those three request headers) or ``Origin`` (which is never forwarded, so
the services' bytes do not depend on it; CORS is added outside the cache). Never a request with ``Authorization``
(a station's push, anything with credentials), never a staff or police path, never a conditional request other
than ``If-None-Match``, which is answered from the cache (``304`` when the ETag matches). ``HEAD`` is answered
from a kept ``GET``.

How long: at most ``GREENLAW_GATEWAY_PUBLIC_CACHE_SECONDS`` (≤ 2 s) and at most the service's own ``max-age``. A
kept answer is dropped before that when what it shows may have changed:

- any event on any service's topic (a publication published or withdrawn, a bulletin, an officer changed, …),
  heard on the in-process bus (embedded; there already when the transaction that emitted it commits) or by each
  replica's own Kafka consumer without a group (every replica sees every event); while that feed is down nothing
  is answered from the cache;
- any other method (a staff change) forwarded through this gateway to the service that answered it, once it has
  answered, unless it refused the change with a 4xx (nothing written).

A request that missed and was sent on is kept only if no invalidation of its service happened while it ran, so
an answer read before a change can never be kept after the change was announced.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import structlog
from aiokafka import AIOKafkaConsumer
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.catalogue import UPSTREAMS
from services.gateway.domain.rate_limits import LimitKind
from services.gateway.domain.routes import match_route
from services.gateway.forwarding import exception_handler
from shared.errors import TooMany
from shared.http import none_match_holds
from shared.messaging.transport import InProcessBus

log = structlog.get_logger()

Headers = list[tuple[bytes, bytes]]
# path, query string, Accept, Accept-Encoding, Accept-Language
CacheKey = tuple[str, bytes, bytes | None, bytes | None, bytes | None]

# Request headers that make the request one the cache neither answers nor keeps (credentials, conditions it does not
# evaluate, a body). ``If-None-Match`` is evaluated here.
_BYPASS = frozenset(
    {b"authorization", b"if-match", b"if-modified-since", b"if-unmodified-since", b"if-range", b"range"}
) | frozenset({b"content-length", b"transfer-encoding"})
_KEYED = (b"accept", b"accept-encoding", b"accept-language")
# ``Origin`` never reaches a service (``forwarding.FORWARDED_REQUEST_HEADERS``), so a service's ``Vary: Origin`` (its
# own CORS layer's) cannot mean its bytes differ here; the gateway's CORS is applied to each answer outside the cache.
_VARY_ALLOWED = frozenset({*(name.decode() for name in _KEYED), "origin"})
# Not sent with a 304 (RFC 9110 §15.4.5: it describes the representation the client already holds).
_NOT_IN_304 = frozenset({b"content-type", b"content-length", b"content-encoding", b"content-disposition"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# A request whose key is longer is not cached: junk query strings (which the services ignore) must not fill the room.
MAX_KEY_BYTES = 2048


def key_size(key: CacheKey) -> int:
    return len(key[0]) + sum(len(part) for part in key[1:] if part is not None)


@dataclass(slots=True)
class CachedAnswer:
    """A kept ``200``: the headers as the gateway sends them (before its own request ID) and the body."""

    upstream: str
    headers: Headers
    body: bytes
    etag: bytes | None
    stored: float
    expires: float
    not_modified_headers: Headers
    key_bytes: int = 0

    @property
    def size(self) -> int:
        return self.key_bytes + len(self.body) + sum(len(name) + len(value) for name, value in self.headers)

    def matches(self, if_none_match: bytes) -> bool:
        return etag_matches(self.etag, if_none_match)


def etag_matches(etag: bytes | None, if_none_match: bytes) -> bool:
    """The services' comparison (:func:`shared.http.none_match_holds`) on the raw header values."""
    if etag is None:
        return False
    return if_none_match == etag or none_match_holds(if_none_match.decode("latin-1"), etag.decode("latin-1"))


def shared_max_age(headers: Iterable[tuple[bytes, bytes]]) -> float | None:
    """How long a shared cache may keep the answer by its headers; none when it may not be kept at all."""
    directives: dict[str, str] = {}
    found = False
    for name, value in headers:
        if name == b"cache-control":
            found = True
            for part in value.decode("latin-1").split(","):
                key, _, argument = part.strip().partition("=")
                directives[key.lower()] = argument.strip('"')
        elif name == b"set-cookie":
            return None
        elif name == b"vary":
            varied = {part.strip().lower() for part in value.decode("latin-1").split(",")}
            if not varied <= _VARY_ALLOWED:
                return None
    if not found or "public" not in directives or {"private", "no-store", "no-cache"} & directives.keys():
        return None
    raw = directives.get("s-maxage", directives.get("max-age"))
    try:
        seconds = float(raw) if raw is not None else 0.0
    except ValueError:
        return None
    return seconds if seconds > 0 else None


class PublicCache:
    """Bounded (entries and bytes, least recently used out first) and short-lived; see the module's docstring."""

    def __init__(
        self, *, max_age: float, max_entries: int, max_bytes: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_age = max_age
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        # One answer may take at most an eighth of the room, so a large CSV cannot push every list page out.
        self.max_entry_bytes = max_bytes // 8
        self.clock = clock
        # Answers only while invalidations are heard (set by the event feed).
        self.live = False
        self._entries: OrderedDict[CacheKey, CachedAnswer] = OrderedDict()
        self._bytes = 0
        self._epoch = 0  # bumped by an event: every service
        self._generations: dict[str, int] = dict.fromkeys(UPSTREAMS, 0)  # bumped by a change through this gateway

    @property
    def enabled(self) -> bool:
        return self.max_age > 0 and self.max_entries > 0 and self.max_entry_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    @staticmethod
    def key(scope: Scope) -> CacheKey | None:
        """The key of an anonymous request the cache may answer; none for one it must pass on untouched."""
        keyed: list[bytes | None] = [None, None, None]
        for name, value in scope["headers"]:
            if name in _BYPASS:
                return None
            if name in _KEYED:
                index = _KEYED.index(name)
                if keyed[index] is not None:
                    return None  # repeated: let the service decide what it means
                keyed[index] = value
        key = (scope["path"], scope.get("query_string", b""), keyed[0], keyed[1], keyed[2])
        return key if key_size(key) <= MAX_KEY_BYTES else None

    def token(self, upstream: str) -> tuple[int, int]:
        """Changes when anything kept for ``upstream`` is invalidated; taken before a miss is sent on."""
        return (self._epoch, self._generations.get(upstream, 0))

    def get(self, key: CacheKey) -> CachedAnswer | None:
        if not self.live:
            return None
        found = self._entries.get(key)
        if found is None:
            return None
        if found.expires <= self.clock():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return found

    def put(
        self,
        key: CacheKey,
        upstream: str,
        token: tuple[int, int],
        headers: Headers,
        body: bytes,
        *,
        sent: float | None = None,
    ) -> bool:
        """Keep a ``200`` answer to ``GET`` if its headers allow it and nothing was invalidated since ``token``.
        ``sent``: when the request was sent on (the clock's time, taken with ``token``): the answer's age counts from
        then, not from when its last byte reached a client, which a slow reader decides."""
        if not (self.live and self.enabled) or token != self.token(upstream):
            return False
        allowed = shared_max_age(headers)
        if allowed is None:
            return False
        sent = self.clock() if sent is None else sent
        expires = sent + min(self.max_age, allowed)
        if expires <= self.clock():
            return False
        etag = next((value for name, value in headers if name == b"etag"), None)
        answer = CachedAnswer(
            upstream=upstream,
            headers=headers,
            body=body,
            etag=etag,
            stored=sent,
            expires=expires,
            not_modified_headers=[(name, value) for name, value in headers if name not in _NOT_IN_304],
            key_bytes=key_size(key),
        )
        if answer.size > self.max_entry_bytes:
            return False
        self._drop(key)
        self._entries[key] = answer
        self._bytes += answer.size
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))
        return True

    def invalidate(self, upstream: str | None = None) -> None:
        """Forget what ``upstream`` answered (every service's answers when ``None``); misses in flight are not kept."""
        if upstream is None:
            self._epoch += 1
            self._entries.clear()
            self._bytes = 0
            return
        self._generations[upstream] = self._generations.get(upstream, 0) + 1
        for key in [key for key, answer in self._entries.items() if answer.upstream == upstream]:
            self._drop(key)

    def _drop(self, key: CacheKey) -> None:
        answer = self._entries.pop(key, None)
        if answer is not None:
            self._bytes -= answer.size

    def age(self, answer: CachedAnswer) -> bytes:
        return str(int(self.clock() - answer.stored)).encode()


Limit = Callable[[Scope], Awaitable[None]]
OnError = Callable[[Scope, Receive, Send, Exception], Awaitable[None]]


class PublicCacheMiddleware:
    """Answers kept public answers from prepared bytes (one ``send`` of the start, one of the body) after the rate
    limiter; keeps what a miss brings back; drops a service's answers when a change is sent to it.

    Just outside the proxy handler: request IDs, metrics, CORS and the client's address apply to every answer.
    """

    def __init__(self, app: ASGIApp, *, cache: PublicCache, limit: Limit, on_error: OnError) -> None:
        self.app = app
        self.cache = cache
        self.limit = limit
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = match_route(scope["path"])
        if route is None:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in SAFE_METHODS:
            await self._change(route.upstream, scope, receive, send)
            return
        key = self.cache.key(scope) if route.zone == "public" and method != "OPTIONS" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        answer = self.cache.get(key)
        if answer is not None:
            try:
                await self.limit(scope)
            except TooMany as exc:
                await self.on_error(scope, receive, send, exc)
                return
            await self._answer(answer, scope, send)
            return
        if method != "GET" or not self.cache.live:
            await self.app(scope, receive, send)
            return
        await self._fill(key, route.upstream, scope, receive, send)

    async def _change(self, upstream: str, scope: Scope, receive: Receive, send: Send) -> None:
        """A change sent to ``upstream``: what it answered before is dropped once it has answered (committed), unless
        it refused the change (4xx: nothing was written, so an anonymous caller cannot empty the cache at will)."""
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if not 400 <= status < 500:
                self.cache.invalidate(upstream)

    async def _answer(self, answer: CachedAnswer, scope: Scope, send: Send) -> None:
        if_none_match = next((value for name, value in scope["headers"] if name == b"if-none-match"), None)
        age = (b"age", self.cache.age(answer))
        if if_none_match is not None and answer.matches(if_none_match):
            await send({"type": "http.response.start", "status": 304, "headers": [*answer.not_modified_headers, age]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": [*answer.headers, age]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else answer.body})

    async def _fill(self, key: CacheKey, upstream: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the request on; keep the answer if it is a whole ``200`` the service lets shared caches keep.

        A revalidation (``If-None-Match``) is sent on without its condition, so that the service's whole answer can
        be kept for the requests after it (else revalidations would never fill the cache); the client still gets
        its ``304`` when the ETag matches, from the answer's start, while the body is kept and not sent.
        """
        if_none_match = None
        forwarded = scope
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value
        if if_none_match is not None:
            forwarded = {**scope, "headers": [(n, v) for n, v in scope["headers"] if n != b"if-none-match"]}
        token, sent = self.cache.token(upstream), self.cache.clock()
        status = 0
        keep = True
        headers: Headers = []
        chunks: list[bytes] = []
        size = 0
        complete = False
        not_modified = False

        async def capture(message: Message) -> None:
            nonlocal status, headers, size, complete, not_modified, keep
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                # Nothing is buffered of an answer that could not be kept anyway.
                keep = status == 200 and shared_max_age(headers) is not None and _length(headers) <= limit
                if if_none_match is not None and status == 200:
                    etag = next((value for name, value in headers if name == b"etag"), None)
                    if etag_matches(etag, if_none_match):
                        not_modified = True
                        kept = [(name, value) for name, value in headers if name not in _NOT_IN_304]
                        await send({"type": "http.response.start", "status": 304, "headers": kept})
                        return
            elif message["type"] == "http.response.body":
                more = message.get("more_body", False)
                if keep and size <= limit:
                    body = message.get("body", b"")
                    chunks.append(body)
                    size += len(body)
                    complete = not more
                if not_modified:
                    if not more:
                        await send({"type": "http.response.body", "body": b""})
                    return
            await send(message)

        limit = self.cache.max_entry_bytes
        await self.app(forwarded, receive, capture)
        if keep and complete and size <= limit:
            self.cache.put(key, upstream, token, headers, b"".join(chunks), sent=sent)


def _length(headers: Headers) -> int:
    """The answer's declared ``Content-Length`` (0 when it declares none)."""
    for name, value in headers:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


def rate_limit(limiter_check: Callable[[LimitKind, str], Awaitable[None]]) -> Limit:
    """The public rate limit of a cache hit, counted against the same key as a forwarded request."""

    async def limit(scope: Scope) -> None:
        client = scope.get("client")
        await limiter_check("public", f"ip:{client[0] if client else 'unknown'}")

    return limit


async def answer_error(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    """An error of the cache's own path (the rate limit), answered by the app's exception handlers."""
    handler = exception_handler(scope, exc)
    if handler is None:
        raise exc
    response = await handler(Request(scope, receive, send), exc)
    await response(scope, receive, send)


# --- Invalidation feeds: each keeps ``cache.live`` true only while it hears every event. -------------------------


def event_topics(namespace: str = "") -> list[str]:
    """Every service's topic: whatever any service announces may change a public answer."""
    return [f"{namespace}{name}.events" for name in UPSTREAMS]


class InProcessFeed:
    """The embedded mode: a subscriber of the in-process bus on every topic."""

    def __init__(self, cache: PublicCache, bus: InProcessBus) -> None:
        self.cache = cache
        self.bus = bus

    async def deliver(self, _raw: bytes, _topic: str) -> None:
        self.cache.invalidate()

    def start(self) -> None:
        # At the commit of any transaction that emitted events, before the relay delivers them: a new publication is
        # visible to the next request, as it is from disclosure itself. The events themselves drop everything too.
        self.bus.on_commit(self.cache.invalidate)
        for topic in event_topics():
            # Before the services' consumers: dropping the kept answers costs nothing, and should not wait for their
            # transactions (a publication would stay hidden from the cache's readers meanwhile).
            self.bus.subscribe(topic, self.deliver, first=True)
        self.cache.invalidate()
        self.cache.live = True

    def stop(self) -> None:
        self.cache.live = False
        self.bus.off_commit(self.cache.invalidate)
        for topic in event_topics():
            self.bus.unsubscribe(topic, self.deliver)


class KafkaFeed:
    """The distributed mode: this replica's own consumer of every topic, in no group (so every replica gets every
    event), from the newest offset, committing nothing. While it is not connected the cache answers nothing; on
    each (re)connection everything kept is dropped, since events may have been missed meanwhile.

    aiokafka does not raise when the broker goes silent (its fetcher logs and retries, and ``getmany`` returns
    nothing), so being connected is judged by the fetches themselves: each partition's last answered fetch (empty or
    not; the broker answers one at least every ``fetch_max_wait_ms``) must be under ``stale_after`` seconds old, or
    the cache stops answering until every partition has been fetched again."""

    def __init__(
        self,
        cache: PublicCache,
        bootstrap: str,
        *,
        namespace: str = "",
        fetch_max_wait_ms: int = 50,
        stale_after: float = 1.0,
    ) -> None:
        self.cache = cache
        self.bootstrap = bootstrap
        self.namespace = namespace
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.stale_after = stale_after
        self.connected = asyncio.Event()

    async def run(self) -> None:
        backoff = 0.2
        while True:
            client = AIOKafkaConsumer(
                *event_topics(self.namespace),
                bootstrap_servers=self.bootstrap,
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="latest",
                fetch_max_wait_ms=self.fetch_max_wait_ms,
            )
            try:
                await client.start()
                backoff = 0.2
                await self._listen(client)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("public_cache_feed_restart", error=repr(exc), retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                self.cache.live = False
                self.connected.clear()
                with contextlib.suppress(Exception):
                    await client.stop()

    async def _listen(self, client: AIOKafkaConsumer) -> None:
        # Resolve every partition's position (the newest offset) before answering from the cache: an event after
        # it is heard, one before it is covered by dropping everything now.
        while not client.assignment():
            await client.getmany(timeout_ms=100)
        for partition in client.assignment():
            await client.position(partition)
        self.connected.set()
        while True:
            batches = await client.getmany(timeout_ms=100, max_records=500)
            if any(batches.values()):
                self.cache.invalidate()
            hearing = self._hearing(client)
            if hearing and not self.cache.live:
                # Everything kept before is dropped: events may have been missed while not hearing.
                self.cache.invalidate()
                self.cache.live = True
            elif not hearing and self.cache.live:
                self.cache.live = False
                self.cache.invalidate()
                log.warning("public_cache_feed_silent", stale_after=self.stale_after)

    def _hearing(self, client: AIOKafkaConsumer) -> bool:
        """Every partition's last fetch was answered within ``stale_after`` (aiokafka's timestamps are wall-clock
        milliseconds)."""
        oldest = time.time() * 1000 - self.stale_after * 1000
        stamps = [client.last_poll_timestamp(partition) for partition in client.assignment()]
        return bool(stamps) and all(stamp is not None and stamp >= oldest for stamp in stamps)
