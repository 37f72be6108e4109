"""The Kafka transport on aiokafka: the relay's publisher, consumer groups that commit after the database, and
dead-letter topics (``<consumer>.dlq``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from shared.contracts.envelope import CONTENT_TYPE
from shared.messaging.consumer import EventConsumer
from shared.messaging.transport import OutgoingMessage

log = structlog.get_logger()


def dlq_topic(consumer: str) -> str:
    return f"{consumer}.dlq"


def _producer(bootstrap: str, *, idempotent: bool) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=idempotent,
        linger_ms=2,
        request_timeout_ms=10_000,
    )


class KafkaPublisher:
    """Publishes a batch and waits for every acknowledgement; started lazily so a down broker is retried."""

    def __init__(self, bootstrap: str, *, idempotent: bool = True, namespace: str = "") -> None:
        self._bootstrap = bootstrap
        self._idempotent = idempotent
        self._namespace = namespace
        self._producer: AIOKafkaProducer | None = None

    async def _ensure(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = _producer(self._bootstrap, idempotent=self._idempotent)
            try:
                await producer.start()
            except Exception:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        producer = await self._ensure()
        headers = [("content-type", CONTENT_TYPE.encode())]
        try:
            # send() returns once queued; per-partition order is the order of these calls.
            futures = [
                await producer.send(self._namespace + m.topic, m.value, key=m.key.encode(), headers=headers)
                for m in messages
            ]
            await asyncio.gather(*futures)
        except KafkaError:
            await self._reset()
            raise

    async def send_raw(self, topic: str, value: bytes, headers: list[tuple[str, bytes]]) -> None:
        producer = await self._ensure()
        try:
            await producer.send_and_wait(self._namespace + topic, value, headers=headers)
        except KafkaError:
            await self._reset()
            raise

    async def _reset(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    async def close(self) -> None:
        await self._reset()


async def ensure_topics(
    bootstrap: str, topics: Iterable[str], *, partitions: int = 3, replication_factor: int = 1
) -> None:
    """Create topics that do not exist yet (idempotent)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, partitions, replication_factor) for t in topics if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another process created it first
                await admin.create_topics(missing)
    finally:
        await admin.close()


class KafkaConsumerRunner:
    """Runs one consumer group: applies each message through the inbox, then commits its offset.

    The offset is committed only after the database commit, so a crash means a redelivery, never a loss.
    """

    def __init__(
        self,
        consumer: EventConsumer,
        bootstrap: str,
        *,
        namespace: str = "",
        poll_timeout_ms: int = 500,
        **options: Any,
    ) -> None:
        self._consumer = consumer
        self._bootstrap = bootstrap
        self._namespace = namespace
        self._poll_timeout_ms = poll_timeout_ms
        self._options = options
        self.started = asyncio.Event()

    def _client(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            *(self._namespace + t for t in self._consumer.subscription.topics),
            bootstrap_servers=self._bootstrap,
            group_id=self._namespace + self._consumer.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **self._options,
        )

    async def run(self) -> None:
        backoff = 0.2
        while True:
            client = self._client()
            try:
                await client.start()
                self.started.set()
                backoff = 0.2
                await self._loop(client)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer_restart", consumer=self._consumer.name, error=repr(exc), retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                await client.stop()

    async def _loop(self, client: AIOKafkaConsumer) -> None:
        while True:
            batches = await client.getmany(timeout_ms=self._poll_timeout_ms, max_records=500)
            for partition, records in batches.items():
                for record in records:
                    await self._consumer.deliver(record.value, record.topic.removeprefix(self._namespace))
                # After the database commits of the whole batch; a crash before this only causes redelivery,
                # which the inbox absorbs.
                await client.commit({TopicPartition(partition.topic, partition.partition): records[-1].offset + 1})


def dead_letter_sink(publisher: KafkaPublisher) -> Any:
    async def sink(consumer: str, raw: bytes, error: str) -> None:
        await publisher.send_raw(
            dlq_topic(consumer),
            raw,
            headers=[("error", error[:4000].encode()), ("consumer", consumer.encode())],
        )

    return sink
