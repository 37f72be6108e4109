"""One service's messaging: its unit-of-work factory, outbox relay and consumers, on the configured transport."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.messaging.consumer import EventConsumer, Subscription
from shared.messaging.kafka import KafkaConsumerRunner, KafkaPublisher, dead_letter_sink, ensure_topics
from shared.messaging.relay import OutboxRelay
from shared.messaging.transport import InProcessBus, Publisher
from shared.messaging.uow import UnitOfWork
from shared.settings import ServiceSettings

log = structlog.get_logger()


class Messaging:
    """Start consumers first, then the relay; stop in reverse order."""

    def __init__(
        self,
        settings: ServiceSettings,
        sessions: async_sessionmaker[AsyncSession],
        subscriptions: Sequence[Subscription] = (),
        *,
        bus: InProcessBus | None = None,
    ) -> None:
        self.settings = settings
        self._sessions = sessions
        self._bus = bus
        common = settings.common
        self._kafka = common.transport == "kafka"
        if not self._kafka and bus is None:
            raise ValueError("the inprocess transport needs the process's InProcessBus")
        self.publisher: Publisher
        if self._kafka:
            self._kafka_publisher = KafkaPublisher(
                common.kafka_bootstrap_servers,
                idempotent=common.kafka_idempotent_producer,
                namespace=common.kafka_namespace,
            )
            self.publisher = self._kafka_publisher
        else:
            assert bus is not None
            self.publisher = bus.publisher()
        sink = dead_letter_sink(self._kafka_publisher) if self._kafka else None
        self.relay = OutboxRelay(
            sessions,
            self.publisher,
            service=settings.service_name,
            batch_size=settings.relay_batch_size,
            poll_interval=settings.relay_poll_interval,
        )
        self.consumers = [
            EventConsumer(
                s,
                sessions,
                max_retries=settings.consumer_max_retries,
                dead_letter_sink=sink,
                on_commit=self._committed,
            )
            for s in subscriptions
        ]
        self.runners: list[KafkaConsumerRunner] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._relay_task: asyncio.Task[None] | None = None

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, on_commit=self._committed)

    def _committed(self) -> None:
        """A transaction that emitted events committed: wake the relay, and tell the in-process bus's commit
        listeners (the embedded gateway's public answers cache) at once rather than when the relay delivers."""
        self.relay.wake()
        if self._bus is not None:
            self._bus.committed()

    async def start_consumers(self) -> None:
        if not self._kafka:
            assert self._bus is not None
            for consumer in self.consumers:
                for topic in consumer.subscription.topics:
                    self._bus.subscribe(topic, consumer.deliver)
            return
        for consumer in self.consumers:
            runner = KafkaConsumerRunner(
                consumer,
                self.settings.common.kafka_bootstrap_servers,
                namespace=self.settings.common.kafka_namespace,
                fetch_max_wait_ms=self.settings.common.kafka_fetch_max_wait_ms,
                session_timeout_ms=self.settings.common.kafka_session_timeout_ms,
                heartbeat_interval_ms=self.settings.common.kafka_session_timeout_ms // 3,
            )
            self.runners.append(runner)
            self._tasks.append(asyncio.create_task(runner.run(), name=f"consumer:{consumer.name}"))

    async def start_relay(self) -> None:
        if self._relay_task is None:
            self._relay_task = asyncio.create_task(self.relay.run(), name=f"relay:{self.settings.service_name}")

    async def stop_relay(self) -> None:
        task, self._relay_task = self._relay_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def stop(self) -> None:
        await self.stop_relay()
        for task in reversed(self._tasks):
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._bus is not None:
            for consumer in self.consumers:
                for topic in consumer.subscription.topics:
                    self._bus.unsubscribe(topic, consumer.deliver)
        await self.publisher.close()

    async def ready_check(self) -> None:
        """The bus is reachable: for Kafka, list topics with a short timeout."""
        if self._kafka:
            await asyncio.wait_for(ensure_topics(self.settings.common.kafka_bootstrap_servers, []), timeout=5.0)
