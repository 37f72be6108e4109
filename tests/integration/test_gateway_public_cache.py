"""The gateway's public answers cache with the real gateway and disclosure (embedded, over a socket): kept answers
are answered with an ``Age``, a withdrawal's event drops them at once, 304 from the cache, never anything sent
with ``Authorization`` nor a staff path, the max age as the safety net, and the rate limit, request IDs and CORS
still on every kept answer."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.disclosure.handlers.publications import local_today
from services.gateway.public_cache import KafkaFeed, PublicCache, event_topics
from shared.messaging.kafka import KafkaPublisher, ensure_topics
from shared.messaging.transport import OutgoingMessage
from shared.tasks import running
from tests.embedded import EmbeddedServer, embedded_server
from tests.factories import decision_body
from tests.infra import KafkaBroker
from tests.stack import eventually

pytestmark = pytest.mark.integration

LIST = "/public/v1/decisions"
# GREENLAW_GATEWAY_PUBLIC_CACHE_SECONDS in the tests here (gateway_env).
MAX_AGE = 2.0
ORIGIN = "https://www.xq.gov.cn"


@pytest.fixture
def gateway_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("GREENLAW_DISCLOSURE_PUBLISH_MODES", json.dumps({"penalty": "auto"}))
    monkeypatch.setenv("GREENLAW_GATEWAY_PUBLIC_CACHE_SECONDS", str(MAX_AGE))
    monkeypatch.setenv("GREENLAW_GATEWAY_PUBLIC_CORS_ORIGINS", json.dumps([ORIGIN]))
    return monkeypatch


@pytest.fixture
async def server(tmp_path: Path, gateway_env: pytest.MonkeyPatch) -> AsyncIterator[EmbeddedServer]:
    async with embedded_server(tmp_path / "data") as running:
        yield running


async def published(server: EmbeddedServer, head: httpx.AsyncClient) -> dict[str, Any]:
    """A decision issued today and auto-published: the staff view of its publication once it is public."""
    body = decision_body(decided_on=local_today("Asia/Shanghai").isoformat())
    issued = await head.post("/api/v1/cases/decisions", json=body)
    assert issued.status_code == 201, issued.text

    async def public() -> dict[str, Any] | None:
        page = await head.get("/api/v1/disclosure/publications", params={"decision_id": issued.json()["id"]})
        items = page.json()["items"]
        return {**issued.json(), "publication": items[0]} if items and items[0]["status"] == "published" else None

    return dict(await eventually(public))


def cached(answer: httpx.Response) -> bool:
    """Answered from the gateway's cache: only kept answers carry an ``Age``."""
    return "age" in answer.headers


async def test_kept_answers_vanish_at_once_when_a_withdrawal_is_announced(server: EmbeddedServer) -> None:
    async with server.client(server.staff_token("head")) as head, server.client() as public:
        decision = await published(server, head)
        single = f"{LIST}/{decision['publication']['id']}"
        first = await public.get(single)
        assert first.status_code == 200
        assert not cached(first)
        assert first.json()["status"] == "published"
        again = await public.get(single)
        assert cached(again)
        assert again.content == first.content
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["cache-control"] == first.headers["cache-control"]
        assert again.headers["x-request-id"] != first.headers["x-request-id"]
        assert again.headers["x-content-type-options"] == "nosniff"
        # 304 from the cache, with the validators and no body
        revalidated = await public.get(single, headers={"If-None-Match": first.headers["etag"]})
        assert revalidated.status_code == 304
        assert cached(revalidated)
        assert revalidated.headers["etag"] == first.headers["etag"]
        assert revalidated.content == b""
        assert "content-type" not in revalidated.headers
        # HEAD from the kept GET
        headed = await public.head(single)
        assert headed.status_code == 200
        assert cached(headed)
        assert headed.content == b""
        assert headed.headers["content-length"] == str(len(first.content))
        listed = await public.get(LIST, params={"kind": "penalty"})
        assert cached(await public.get(LIST, params={"kind": "penalty"}))

        etag = (await head.get(f"/api/v1/cases/decisions/{decision['id']}")).headers["etag"]
        revocation = {"revoked_on": decision["decided_on"], "reason": "经行政复议决定撤销"}
        answer = await head.post(
            f"/api/v1/cases/decisions/{decision['id']}/revocation", json=revocation, headers={"If-Match": etag}
        )
        assert answer.status_code == 200, answer.text

        # The kept answers stay until disclosure's withdrawal is announced (disclosure.publication.withdrawn), then
        # are gone: far sooner than their 2 s.
        async def withdrawn() -> httpx.Response | None:
            seen = await public.get(single)
            return seen if seen.json()["status"] == "withdrawn" else None

        loop = asyncio.get_running_loop()
        started = loop.time()
        now = await eventually(withdrawn, timeout=5, interval=0.02)
        assert not cached(now)
        assert now.headers["etag"] != first.headers["etag"]
        assert loop.time() - started < 1.5
        assert (await public.get(single, headers={"If-None-Match": first.headers["etag"]})).status_code == 200
        relisted = await public.get(LIST, params={"kind": "penalty"})
        assert not cached(relisted)
        assert relisted.content != listed.content


async def test_never_with_credentials_nor_staff_paths(server: EmbeddedServer) -> None:
    token = server.staff_token("head")
    async with server.client(token) as head, server.client() as public:
        await published(server, head)
        # a public path asked with a token: neither answered from nor kept in the cache
        for _ in range(2):
            assert not cached(await head.get(LIST))
        assert not cached(await public.get(LIST))  # the token's answer was not kept
        assert cached(await public.get(LIST))
        assert not cached(await head.get(LIST))  # kept now, still not given to a request with credentials
        # a staff path is never kept, whatever it sends
        for _ in range(2):
            staff = await head.get("/api/v1/disclosure/publications")
            assert staff.status_code == 200
            assert not cached(staff)
        # nor conditional requests the cache does not evaluate
        assert not cached(await public.get(LIST, headers={"If-Modified-Since": "Sun, 06 Dec 2026 00:00:00 GMT"}))
        # the representation is part of the key
        csv = await public.get(LIST + ".csv")
        assert csv.status_code == 200
        assert not cached(csv)
        assert cached(await public.get(LIST + ".csv"))
        assert not cached(await public.get(LIST, headers={"Accept-Language": "en"}))


async def test_cors_and_rate_limit_apply_to_kept_answers(tmp_path: Path, gateway_env: pytest.MonkeyPatch) -> None:
    gateway_env.setenv("GREENLAW_GATEWAY_RATE_LIMIT_PUBLIC", "4/minute")
    async with embedded_server(tmp_path / "data") as server, server.client() as public:
        headers = {"Origin": ORIGIN}
        first = await public.get(LIST, headers=headers)
        assert first.headers["access-control-allow-origin"] == ORIGIN
        kept = await public.get(LIST, headers=headers)
        assert cached(kept)
        assert kept.headers["access-control-allow-origin"] == ORIGIN
        other = await public.get(LIST, headers={"Origin": "https://evil.example"})
        assert cached(other)
        assert "access-control-allow-origin" not in other.headers
        assert cached(await public.get(LIST))  # the 4th of 4 a minute
        refused = await public.get(LIST)
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) >= 1


async def test_the_max_age_bounds_a_change_no_event_announced(tmp_path: Path, gateway_env: pytest.MonkeyPatch) -> None:
    gateway_env.setenv("GREENLAW_GATEWAY_PUBLIC_CACHE_SECONDS", "0.5")
    async with embedded_server(tmp_path / "data") as server, server.client(server.staff_token("head")) as head:
        decision = await published(server, head)
        single = f"{LIST}/{decision['publication']['id']}"
        async with server.client() as public:
            before = await public.get(single)
            assert cached(await public.get(single))
            # behind every API's back: no event, no change through the gateway
            with sqlite3.connect(tmp_path / "data" / "disclosure.db") as db:
                changed = "UPDATE publication SET public_facts = '已更正' WHERE id = ?"
                db.execute(changed, (decision["publication"]["id"],))
            stale = await public.get(single)
            assert cached(stale)
            assert stale.content == before.content
            await asyncio.sleep(0.6)
            fresh = await public.get(single)
            assert not cached(fresh)
            assert fresh.json()["facts"] == "已更正"
            # a revalidation that misses fills the cache for the next ones, and still gets its 304
            await asyncio.sleep(0.6)
            etag = {"If-None-Match": fresh.headers["etag"]}
            revalidated = await public.get(single, headers=etag)
            assert revalidated.status_code == 304
            assert not cached(revalidated)
            assert revalidated.content == b""
            assert "content-length" not in revalidated.headers
            again = await public.get(single, headers=etag)
            assert again.status_code == 304
            assert cached(again)
            await asyncio.sleep(0.6)
            other = await public.get(single, headers={"If-None-Match": '"stale"'})
            assert other.status_code == 200
            assert other.content == fresh.content


async def still_kept_after(public: httpx.AsyncClient, path: str, change: Callable[[int], Awaitable[None]]) -> None:
    """``path``'s answer is still served from the gateway's cache after ``change``. On a loaded machine the kept
    answer can reach its max-age (``MAX_AGE``) in between: a miss then proves nothing, and the check is made again
    (``change`` gets the attempt's number); a miss while the answer cannot have expired fails."""
    for attempt in range(5):
        asked = time.monotonic()
        first = await public.get(path)
        assert first.status_code == 200
        # When the answer was stored, at the earliest (``Age`` is in whole seconds, rounded down).
        stored = asked - int(first.headers["age"]) - 1 if cached(first) else asked
        await change(attempt)
        if cached(await public.get(path)):
            return
        assert time.monotonic() - stored >= MAX_AGE, f"{path}: the kept answer was dropped"
    raise AssertionError(f"{path}: the kept answer reached its max-age before each check")


async def test_a_change_sent_through_the_gateway_drops_that_services_answers(
    tmp_path: Path, gateway_env: pytest.MonkeyPatch
) -> None:
    monitoring = "/portal/monitoring/enterprises"
    async with embedded_server(tmp_path / "data") as server, server.client() as public:
        for path in (LIST, monitoring):
            assert (await public.get(path)).status_code == 200
            assert cached(await public.get(path))

        async def refused(_attempt: int) -> None:
            assert (await public.post("/api/v1/monitoring/enterprises", json={})).status_code == 401
            assert (await public.post(monitoring, json={})).status_code in (404, 405)

        # a refused change wrote nothing: an anonymous caller cannot empty the cache
        await still_kept_after(public, monitoring, refused)
        codes: list[str] = []

        async def created(attempt: int) -> None:
            codes.append(f"XQ-E90{attempt}")
            async with server.client(server.staff_token("monitoring_reviewer")) as staff:
                body = {"code": codes[-1], "name": "天津市某电镀有限公司", "town": "中北镇", "industry": "金属制品业"}
                assert (await staff.post("/api/v1/monitoring/enterprises", json=body)).status_code == 201

        # another service's answers stay
        await still_kept_after(public, LIST, created)
        after = await public.get(monitoring)
        assert not cached(after)
        assert codes[-1] in after.text


async def test_every_replica_hears_every_event_on_kafka(kafka: KafkaBroker) -> None:
    """The distributed mode: each gateway replica's own consumer, in no group, gets every event; until it has
    joined, its cache answers nothing."""
    namespace = f"t{uuid.uuid4().hex[:8]}."
    await ensure_topics(kafka.bootstrap, event_topics(namespace))
    replicas = [PublicCache(max_age=2.0, max_entries=10, max_bytes=80_000) for _ in range(2)]
    feeds = [KafkaFeed(cache, kafka.bootstrap, namespace=namespace, fetch_max_wait_ms=20) for cache in replicas]
    headers = [(b"cache-control", b"public, max-age=60")]
    key = ("/public/v1/decisions", b"", None, None, None)
    assert not replicas[0].put(key, "disclosure", replicas[0].token("disclosure"), headers, b"{}")  # not live yet
    publisher = KafkaPublisher(kafka.bootstrap, idempotent=kafka.idempotent, namespace=namespace)
    async with AsyncExitStack() as stack:
        for feed in feeds:
            await stack.enter_async_context(running(feed.run(), name="feed"))
        for feed in feeds:
            await asyncio.wait_for(feed.connected.wait(), timeout=30)

        async def hearing() -> bool:
            return all(cache.live for cache in replicas)

        await eventually(hearing, timeout=10, interval=0.02)
        for cache in replicas:
            assert cache.put(key, "disclosure", cache.token("disclosure"), headers, b"{}")
            assert cache.get(key) is not None
        message = OutgoingMessage(topic="disclosure.events", key="d1", value=b"{}", event_id="e1")
        await publisher.publish([message])

        async def all_dropped() -> bool:
            return all(cache.get(key) is None for cache in replicas)

        await eventually(all_dropped, timeout=10, interval=0.02)
        await publisher.close()
    assert not any(cache.live for cache in replicas)  # stopped: answers nothing
