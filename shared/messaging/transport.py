"""Transports: how the relay hands events on. ``inprocess`` for the embedded mode, ``kafka`` in production."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    topic: str
    key: str
    value: bytes
    event_id: str


Delivery = Callable[[bytes, str], Awaitable[None]]  # (raw CloudEvent, topic)


class Publisher(Protocol):
    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        """Deliver all messages, in order per key, or raise; the relay marks rows published only on return."""

    async def close(self) -> None: ...


class InProcessBus:
    """The embedded mode's bus: publishing awaits every local subscriber of the topic.

    A subscriber applies the event through its inbox in its own database before ``publish`` returns, so the relay
    marks the outbox row published only after the effect is durable; a crash in between means a redelivery, which
    the inbox turns into a no-op. All consumers subscribe before any relay starts (see ``services.ops.embedded``).
    """

    def __init__(self, *, open_now: bool = True) -> None:
        self._subscribers: dict[str, list[Delivery]] = defaultdict(list)
        self._commit_listeners: list[Callable[[], None]] = []
        self._open = asyncio.Event()
        if open_now:
            self._open.set()

    def open(self) -> None:
        """Let publishing start; the embedded mode opens the bus once every service has subscribed."""
        self._open.set()

    def subscribe(self, topic: str, delivery: Delivery, *, first: bool = False) -> None:
        """``first``: called before the subscribers already there (a cheap one that others should not delay)."""
        if first:
            self._subscribers[topic].insert(0, delivery)
        else:
            self._subscribers[topic].append(delivery)

    def unsubscribe(self, topic: str, delivery: Delivery) -> None:
        if delivery in self._subscribers.get(topic, []):
            self._subscribers[topic].remove(delivery)

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` each time a transaction that emitted events commits in this process (before the relay
        delivers them): what must not show data older than such a commit, without waiting for the events."""
        self._commit_listeners.append(listener)

    def off_commit(self, listener: Callable[[], None]) -> None:
        if listener in self._commit_listeners:
            self._commit_listeners.remove(listener)

    def committed(self) -> None:
        for listener in list(self._commit_listeners):
            listener()

    def publisher(self) -> InProcessPublisher:
        return InProcessPublisher(self)

    async def deliver(self, message: OutgoingMessage) -> None:
        await self._open.wait()
        for delivery in list(self._subscribers.get(message.topic, [])):
            await delivery(message.value, message.topic)


class InProcessPublisher:
    def __init__(self, bus: InProcessBus) -> None:
        self._bus = bus

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        for message in messages:
            await self._bus.deliver(message)

    async def close(self) -> None:
        return None
