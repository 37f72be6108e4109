"""The gateway's public answers cache as a data structure: what may be kept, for how long, within which bounds, and
that an answer read before an invalidation is never kept after it."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from services.gateway.public_cache import (
    MAX_KEY_BYTES,
    CachedAnswer,
    CacheKey,
    InProcessFeed,
    KafkaFeed,
    PublicCache,
    shared_max_age,
)
from shared.messaging.transport import InProcessBus, OutgoingMessage

PUBLIC = [(b"cache-control", b"public, max-age=60"), (b"etag", b'"abc"'), (b"content-type", b"application/json")]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def cache(clock: Clock | None = None, **bounds: int | float) -> PublicCache:
    made = PublicCache(
        **{"max_age": 1.0, "max_entries": 10, "max_bytes": 80_000, **bounds},  # type: ignore[arg-type]
        clock=clock or Clock(),
    )
    made.live = True
    return made


def key(path: str = "/public/v1/decisions", query: bytes = b"") -> CacheKey:
    return (path, query, None, None, None)


def scope(*headers: tuple[bytes, bytes], path: str = "/public/v1/decisions") -> dict[str, object]:
    return {"type": "http", "method": "GET", "path": path, "query_string": b"a=1", "headers": list(headers)}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (PUBLIC, 60.0),
        ([(b"cache-control", b"public, max-age=60, s-maxage=5")], 5.0),
        ([(b"cache-control", b"max-age=60")], None),  # not marked for shared caches
        ([(b"cache-control", b"public, max-age=0")], None),
        ([(b"cache-control", b"public")], None),
        ([(b"cache-control", b"public, max-age=60, private")], None),
        ([(b"cache-control", b"public, no-store, max-age=60")], None),
        ([(b"cache-control", b"public, max-age=x")], None),
        ([], None),
        ([*PUBLIC, (b"set-cookie", b"a=b")], None),
        ([*PUBLIC, (b"vary", b"Accept-Encoding, Origin")], 60.0),
        ([*PUBLIC, (b"vary", b"Authorization")], None),
        ([*PUBLIC, (b"vary", b"*")], None),
    ],
)
def test_only_answers_marked_for_shared_caches_may_be_kept(headers: list[tuple[bytes, bytes]], expected: float) -> None:
    assert shared_max_age(headers) == expected


def test_the_key_is_path_query_and_representation_and_credentials_bypass() -> None:
    plain = PublicCache.key(scope())
    assert plain == ("/public/v1/decisions", b"a=1", None, None, None)
    assert PublicCache.key(scope((b"accept", b"text/csv"), (b"accept-encoding", b"gzip"))) == (
        "/public/v1/decisions",
        b"a=1",
        b"text/csv",
        b"gzip",
        None,
    )
    assert PublicCache.key(scope((b"user-agent", b"x"), (b"origin", b"https://a"), (b"if-none-match", b'"a"'))) == plain
    for bypass in (b"authorization", b"if-modified-since", b"if-match", b"range", b"content-length"):
        assert PublicCache.key(scope((bypass, b"1"))) is None
    assert PublicCache.key(scope((b"accept", b"a"), (b"accept", b"b"))) is None


def test_kept_for_the_shorter_of_the_two_ages_and_only_while_live() -> None:
    clock = Clock()
    kept = cache(clock, max_age=1.0)
    assert kept.put(key(), "disclosure", kept.token("disclosure"), PUBLIC, b"{}")
    answer = kept.get(key())
    assert answer is not None
    assert answer.etag == b'"abc"'
    assert [name for name, _ in answer.not_modified_headers] == [b"cache-control", b"etag"]
    clock.now += 0.99
    assert kept.get(key()) is not None
    clock.now += 0.02
    assert kept.get(key()) is None
    assert len(kept) == 0
    short = [(b"cache-control", b"public, max-age=60, s-maxage=0.5")]
    assert kept.put(key(), "disclosure", kept.token("disclosure"), short, b"{}")
    clock.now += 0.6
    assert kept.get(key()) is None
    # not live (no invalidations heard): nothing kept, nothing answered
    assert kept.put(key(), "disclosure", kept.token("disclosure"), PUBLIC, b"{}")
    kept.live = False
    assert kept.get(key()) is None
    assert not kept.put(key("/public/v1/x"), "disclosure", kept.token("disclosure"), PUBLIC, b"{}")


def test_an_answer_read_before_an_invalidation_is_not_kept() -> None:
    kept = cache()
    before = kept.token("disclosure")
    kept.invalidate("disclosure")
    assert not kept.put(key(), "disclosure", before, PUBLIC, b"{}")
    before = kept.token("disclosure")
    kept.invalidate()  # an event: every service
    assert not kept.put(key(), "disclosure", before, PUBLIC, b"{}")
    # another service's change does not concern it
    before = kept.token("disclosure")
    kept.invalidate("monitoring")
    assert kept.put(key(), "disclosure", before, PUBLIC, b"{}")


def test_invalidation_drops_the_services_answers_or_all() -> None:
    kept = cache()
    kept.put(key("/public/v1/decisions"), "disclosure", kept.token("disclosure"), PUBLIC, b"{}")
    kept.put(key("/public/v1/monitoring/stations"), "monitoring", kept.token("monitoring"), PUBLIC, b"{}")
    kept.invalidate("disclosure")
    assert kept.get(key("/public/v1/decisions")) is None
    assert kept.get(key("/public/v1/monitoring/stations")) is not None
    kept.invalidate()
    assert len(kept) == 0
    assert kept.size_bytes == 0


def test_bounded_by_entries_and_bytes_least_recently_used_out_first() -> None:
    kept = cache(max_entries=3, max_bytes=80_000)
    for index in range(4):
        kept.put(key(query=str(index).encode()), "disclosure", kept.token("disclosure"), PUBLIC, b"x" * 100)
        if index == 1:
            assert kept.get(key(query=b"0")) is not None  # used: 1 is now the oldest
    assert len(kept) == 3
    assert kept.get(key(query=b"1")) is None
    assert all(kept.get(key(query=q)) is not None for q in (b"0", b"2", b"3"))

    by_bytes = cache(max_entries=100, max_bytes=80_000)
    for index in range(10):
        by_bytes.put(key(query=str(index).encode()), "disclosure", by_bytes.token("disclosure"), PUBLIC, b"x" * 9000)
    assert by_bytes.size_bytes <= 80_000
    assert len(by_bytes) == 8
    assert by_bytes.get(key(query=b"9")) is not None
    assert by_bytes.get(key(query=b"1")) is None
    # one answer may take at most an eighth of the room
    assert not by_bytes.put(key(query=b"big"), "disclosure", by_bytes.token("disclosure"), PUBLIC, b"x" * 10_001)
    assert by_bytes.size_bytes == sum(answer.size for answer in by_bytes._entries.values())


def test_off_when_any_bound_is_zero() -> None:
    assert not cache(max_age=0).enabled
    assert not cache(max_entries=0).enabled
    assert not cache(max_bytes=0).enabled
    assert cache().enabled


@pytest.mark.parametrize(
    ("sent", "matches"),
    [(b'"abc"', True), (b'W/"abc"', True), (b'"x", "abc"', True), (b"*", True), (b'"abd"', False), (b"", False)],
)
def test_if_none_match_as_the_services_compare_it(sent: bytes, matches: bool) -> None:
    answer = CachedAnswer("disclosure", PUBLIC, b"{}", b'"abc"', 0.0, 1.0, [])
    assert answer.matches(sent) is matches


async def test_the_in_process_feed_drops_everything_at_a_commit_with_events_and_at_each_event() -> None:
    bus = InProcessBus()
    kept = PublicCache(max_age=1.0, max_entries=10, max_bytes=80_000, clock=Clock())
    feed = InProcessFeed(kept, bus)
    assert not kept.live
    feed.start()
    assert kept.live

    def fill() -> None:
        assert kept.put(key(), "disclosure", kept.token("disclosure"), PUBLIC, b"{}")

    fill()
    bus.committed()  # a transaction that emitted events committed somewhere in the process
    assert kept.get(key()) is None
    fill()
    await bus.deliver(OutgoingMessage(topic="monitoring.events", key="k", value=b"{}", event_id="e"))
    assert kept.get(key()) is None
    feed.stop()
    assert not kept.live
    kept.live = True
    fill()
    bus.committed()
    await bus.deliver(OutgoingMessage(topic="disclosure.events", key="k", value=b"{}", event_id="e"))
    assert kept.get(key()) is not None  # stopped: no longer listening


def test_an_answer_ages_from_when_its_request_was_sent_on_not_from_its_last_byte() -> None:
    """A slow reader finishing late must not put an old answer back for a whole max age."""
    clock = Clock()
    kept = cache(clock, max_age=1.0)
    sent = clock.now
    clock.now += 0.6  # the client took its time reading the body
    assert kept.put(key(), "disclosure", kept.token("disclosure"), PUBLIC, b"{}", sent=sent)
    clock.now = sent + 0.99
    assert kept.get(key()) is not None
    clock.now = sent + 1.0
    assert kept.get(key()) is None
    clock.now += 30  # read at the start, finished 30 s later: not kept at all
    assert not kept.put(key(), "disclosure", kept.token("disclosure"), PUBLIC, b"{}", sent=sent)


def test_long_keys_are_not_cached_and_keys_count_in_the_bytes() -> None:
    long_query = b"q=" + b"x" * MAX_KEY_BYTES
    request = {"type": "http", "method": "GET", "path": "/public/v1/decisions", "query_string": long_query}
    assert PublicCache.key({**request, "headers": []}) is None
    kept = cache(max_bytes=80_000)
    query = b"q=" + b"y" * 1500
    assert kept.put(key(query=query), "disclosure", kept.token("disclosure"), PUBLIC, b"{}")
    assert kept.size_bytes > 1500


class FakeConsumer:
    """What KafkaFeed reads of an aiokafka consumer: its partitions and when each last got a fetch answer."""

    def __init__(self) -> None:
        self.stamps: dict[str, float | None] = {"a": None, "b": None}
        self.records: dict[str, list[object]] = {}

    def assignment(self) -> set[str]:
        return set(self.stamps)

    async def position(self, _partition: str) -> int:
        return 0

    def last_poll_timestamp(self, partition: str) -> float | None:
        return self.stamps[partition]

    async def getmany(self, timeout_ms: int = 0, max_records: int | None = None) -> dict[str, list[object]]:
        await asyncio.sleep(0.001)
        records, self.records = self.records, {}
        return records


async def test_the_kafka_feed_answers_only_while_every_partition_is_fetched() -> None:
    """aiokafka does not raise when the broker goes silent: the cache stops answering once a partition's last
    fetch answer is older than ``stale_after``, and starts again (empty) once every partition is fetched again."""
    kept = cache()
    kept.live = False
    consumer = FakeConsumer()
    feed = KafkaFeed(kept, "unused:9092", stale_after=1.0)
    listening = asyncio.create_task(feed._listen(consumer))  # type: ignore[arg-type]
    try:
        await asyncio.sleep(0.02)
        assert not kept.live  # no fetch answered yet
        now = time.time() * 1000
        consumer.stamps = {"a": now, "b": now}
        await asyncio.sleep(0.02)
        assert kept.live
        assert kept.put(key(), "disclosure", kept.token("disclosure"), PUBLIC, b"{}")
        consumer.records = {"a": [object()]}  # an event: everything dropped
        await asyncio.sleep(0.02)
        assert kept.get(key()) is None
        assert kept.put(key(), "disclosure", kept.token("disclosure"), PUBLIC, b"{}")
        consumer.stamps["b"] = time.time() * 1000 - 1500  # partition b's broker went silent
        await asyncio.sleep(0.02)
        assert not kept.live
        assert kept.get(key()) is None
        consumer.stamps["b"] = time.time() * 1000
        await asyncio.sleep(0.02)
        assert kept.live
        assert len(kept) == 0  # what was kept before the silence is gone
    finally:
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening
