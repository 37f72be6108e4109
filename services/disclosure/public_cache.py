"""Rendered public pages kept in memory until the public data changes; 304 answered without querying.

The database keeps a counter of changes to what the public sees (``public_change.seq``, bumped by triggers in the
same transaction as any insert, update or delete of a publication, withdrawal notice or bulletin: migration 0004).
Every public read first reads the counter — one primary-key read, shared by the requests that arrive while it
runs — and then serves the page rendered at that counter, or renders it. So several replicas each keep their own
cache and none serves a page older than the last commit it could see: a new publication is visible to the next
request, as without the cache.

Order matters: the counter is read *before* the data, so a page is stored under a counter no newer than the data
it shows (a commit between the two reads only makes the page newer than its key, never older).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from services.disclosure.settings import DisclosureSettings
from shared.http import none_match_holds, not_modified
from shared.service import ServiceRuntime

COUNTER_QUERY = text("SELECT seq FROM public_change WHERE id = 1")
# Answered by PublicPagesMiddleware from the cache before routing: the JSON list and a single decision, whose
# answer depends on the path and query only (not on the host, as the Atom feed's links do).
FAST_PATHS = ("/public/v1/decisions",)
FAST_PREFIXES = ("/public/v1/decisions/",)


class PublicChanges:
    """The change counter, read from the database. Callers that ask while a read is running wait for the next
    read, which starts after they asked: each caller sees every commit made before it asked."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._next: asyncio.Future[int] | None = None
        self._reader: asyncio.Task[None] | None = None

    async def current(self) -> int:
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        waiting = self._next
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_while_asked())
        return await asyncio.shield(waiting)

    async def _read_while_asked(self) -> None:
        while self._next is not None:
            batch, self._next = self._next, None
            try:
                value = await self.read()
            except Exception as exc:  # handed to every caller of this batch
                batch.set_exception(exc)
            else:
                batch.set_result(value)

    async def read(self) -> int:
        async with self._engine.connect() as connection:
            value = (await connection.execute(COUNTER_QUERY)).scalar_one()
        return int(value)


@dataclass(frozen=True)
class CachedPage:
    seq: int
    etag: str
    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()  # sent with every answer of the page (a download's file name)


def body_etag(body: bytes) -> str:
    """A strong ETag of the bytes sent."""
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


class PageCache:
    """Bounded LRU of rendered pages, each valid for the counter value it was rendered at."""

    def __init__(self, changes: PublicChanges, *, max_entries: int) -> None:
        self.changes = changes
        self.max_entries = max_entries
        self._pages: OrderedDict[Hashable, CachedPage] = OrderedDict()

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable, seq: int) -> CachedPage | None:
        found = self._pages.get(key)
        if found is None or found.seq != seq:
            return None
        self._pages.move_to_end(key)
        return found

    def put(
        self, key: Hashable, seq: int, body: bytes, media_type: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> CachedPage:
        page = CachedPage(seq=seq, etag=body_etag(body), body=body, media_type=media_type, headers=headers)
        self.put_page(key, page)
        return page

    def put_page(self, key: Hashable, page: CachedPage) -> None:
        if self.max_entries <= 0:
            return
        current = self._pages.get(key)
        if current is None or current.seq <= page.seq:  # never replace a page rendered at a newer counter
            self._pages[key] = page
            self._pages.move_to_end(key)
        while len(self._pages) > self.max_entries:
            self._pages.popitem(last=False)


def page_cache(app: FastAPI) -> PageCache:
    """The app's cache, made on first use (it needs the running service's engine)."""
    state = app.state
    cache: PageCache | None = getattr(state, "public_pages", None)
    if cache is None:
        settings: DisclosureSettings = state.settings
        runtime: ServiceRuntime = state.runtime
        cache = PageCache(PublicChanges(runtime.engine), max_entries=settings.public_cache_entries)
        state.public_pages = cache
    return cache


Render = Callable[[], Awaitable[str | bytes]]


async def cached_page(
    request: Request, key: Hashable, media_type: str, render: Render, *, headers: dict[str, str] | None = None
) -> Response:
    """The page for ``key`` as of now: from the cache if nothing public changed since it was rendered, else
    rendered (after reading the counter); a 304 when the client's ``If-None-Match`` holds its ETag. ``headers``
    go with the page, from the cache too."""
    cache = page_cache(request.app)
    seq: int | None = getattr(request.state, "public_seq", None)  # read already by PublicPagesMiddleware
    if seq is None:
        seq = await cache.changes.current()
    page = cache.get(key, seq)
    if page is None:
        body = await render()
        raw = body.encode() if isinstance(body, str) else body
        page = cache.put(key, seq, raw, media_type, tuple((headers or {}).items()))
    request.state.public_page = page
    return respond(request.app, request.headers.get("if-none-match"), page)


def cached(request: Request, body: str | bytes, media_type: str) -> Response:
    """A public read outside the page cache: a strong ETag of the body and a short shared cache lifetime; a match
    is a 304."""
    settings: DisclosureSettings = request.app.state.settings
    raw = body.encode() if isinstance(body, str) else body
    etag = body_etag(raw)
    cache_control = f"public, max-age={settings.public_cache_seconds}"
    unchanged = not_modified(request, etag, cache_control=cache_control)
    if unchanged is not None:
        return unchanged
    return Response(raw, media_type=media_type, headers={"ETag": etag, "Cache-Control": cache_control})


def respond(app: FastAPI, if_none_match: str | None, page: CachedPage) -> Response:
    settings: DisclosureSettings = app.state.settings
    headers = {
        **dict(page.headers),
        "ETag": page.etag,
        "Cache-Control": f"public, max-age={settings.public_cache_seconds}",
    }
    if none_match_holds(if_none_match, page.etag):
        return Response(status_code=304, headers=headers)
    return Response(page.body, media_type=page.media_type, headers=headers)


class PublicPagesMiddleware:
    """Answers a ``GET`` of the public list or of one decision from the cache before routing and validation,
    when the same path and query string were answered since the last public change; otherwise passes it on and
    remembers the page the endpoint served under that path and query string."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" and scope.get("method") == "GET" else ""
        if not (path in FAST_PATHS or path.startswith(FAST_PREFIXES)):
            await self.app(scope, receive, send)
            return
        app: FastAPI = scope["app"]
        cache = page_cache(app)
        seq = await cache.changes.current()
        key = ("query", path, scope.get("query_string", b""))
        page = cache.get(key, seq)
        if page is not None:
            if_none_match = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"if-none-match"), None)
            await respond(app, if_none_match, page)(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["public_seq"] = seq
        await self.app(scope, receive, send)
        served: CachedPage | None = state.get("public_page")
        if served is not None and served.seq == seq:
            cache.put_page(key, served)
