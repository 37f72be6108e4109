"""Nothing lost, nothing applied twice: relay crash, broker outage and poison events, on both transports."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date

import pytest
from aiokafka import AIOKafkaConsumer
from sqlmodel import col, func, select

from services.disclosure.consumers import DECISIONS_CONSUMER
from services.disclosure.tables import Publication
from shared.contracts import CloudEvent
from shared.contracts.events import BulletinPublishedV1
from shared.messaging import Subscription, UnitOfWork
from shared.messaging.consumer import EventConsumer
from shared.messaging.kafka import dlq_topic
from shared.messaging.relay import OutboxRelay
from shared.messaging.tables import DeadLetter, InboxRecord, OutboxRecord
from shared.settings import CommonSettings
from tests.factories import decision_body
from tests.stack import Stack, eventually

pytestmark = pytest.mark.integration


class RelayCrash(Exception):
    pass


class CrashingRelay(OutboxRelay):
    """Dies after the broker accepted the batch but before the rows are marked published."""

    async def _mark_published(self, session, ids):  # type: ignore[no-untyped-def]
        raise RelayCrash("killed between publish and mark")


async def scalar(stack: Stack, service: str, statement) -> int:  # type: ignore[no-untyped-def]
    async with stack.runtime(service).sessions() as session:
        return int((await session.execute(statement)).scalar_one())


def unpublished():  # type: ignore[no-untyped-def]
    return select(func.count()).select_from(OutboxRecord).where(col(OutboxRecord.published_at).is_(None))


async def issue(stack: Stack, n: int) -> list[str]:
    async with stack.client("cases", "head") as cases:
        ids = []
        for _ in range(n):
            answer = await cases.post("/api/v1/cases/decisions", json=decision_body())
            assert answer.status_code == 201, answer.text
            ids.append(answer.json()["id"])
    return ids


async def test_relay_killed_after_publish_redelivers_and_inbox_applies_once(stack: Stack) -> None:
    messaging = stack.runtime("cases").messaging
    await messaging.stop_relay()
    await issue(stack, 5)
    assert await scalar(stack, "cases", unpublished()) == 5

    crashing = CrashingRelay(stack.runtime("cases").sessions, messaging.publisher, service="cases")
    with pytest.raises(RelayCrash):
        await crashing.publish_batch()
    assert await scalar(stack, "cases", unpublished()) == 5  # nothing marked: the crash came first
    await eventually(lambda: _count(stack, Publication, 5))

    await messaging.start_relay()  # the restarted relay publishes the same five events again
    await eventually(lambda: _zero(stack, unpublished()))
    consumer = stack.runtime("disclosure").messaging.consumers[0]
    # Both deliveries were seen; each decision produced exactly one publication and one inbox row.
    await eventually(lambda: _count(stack, InboxRecord, 5))
    assert await scalar(stack, "disclosure", select(func.count()).select_from(Publication)) == 5
    assert consumer.applied_count == 5


async def test_broker_down_decisions_are_delivered_after_it_returns(kafka_stack: Stack) -> None:
    stack = kafka_stack
    broker = stack.config.kafka
    assert broker is not None
    if broker.external:
        pytest.skip("an external Kafka is not stopped by the tests")
    # The session timeout setting (3 s in the suite) reaches every group member, heartbeating every third of it.
    timeout = stack.common.kafka_session_timeout_ms
    assert timeout != CommonSettings.model_fields["kafka_session_timeout_ms"].default
    for runner in stack.runtime("disclosure").messaging.runners:
        client = runner._client()
        assert (client._session_timeout_ms, client._heartbeat_interval_ms) == (timeout, timeout // 3)
        await client.stop()
    await issue(stack, 2)
    await eventually(lambda: _count(stack, Publication, 2))
    # The Tansu broker keeps its log in memory only, so a kill would also erase it (which a real Kafka, with its
    # disk, never does); stopping the process with SIGSTOP makes it unreachable while keeping the log.
    broker.pause()
    try:
        await issue(stack, 4)  # the API keeps working: the events wait in the outbox
        await asyncio.sleep(3)
        assert await scalar(stack, "cases", unpublished()) >= 1
        assert await scalar(stack, "disclosure", select(func.count()).select_from(Publication)) == 2
    finally:
        broker.resume()
    await eventually(lambda: _zero(stack, unpublished()), timeout=60)
    await eventually(lambda: _count(stack, Publication, 6), timeout=60)
    assert await scalar(stack, "disclosure", select(func.count()).select_from(InboxRecord)) == 6


async def test_poison_event_goes_to_dead_letter_and_does_not_block(stack: Stack) -> None:
    event_id = str(uuid.uuid4())
    poison = {
        "specversion": "1.0",
        "id": event_id,
        "source": "/greenlaw/cases",
        "type": "cases.decision.issued.v1",
        "subject": "poison",
        "time": "2021-09-28T00:00:00Z",
        "data": {"decision_id": "x", "kind": "bribe"},
    }
    async with stack.runtime("cases").uow() as uow:
        uow.session.add(
            OutboxRecord(
                event_id=event_id,
                event_type=poison["type"],
                topic="cases.events",
                key="poison",
                payload=json.dumps(poison),
            )
        )
        await uow.commit()
    stack.runtime("cases").messaging.relay.wake()
    await issue(stack, 2)  # same partition or not, these must get through

    await eventually(lambda: _count(stack, Publication, 2))
    await eventually(lambda: _count(stack, DeadLetter, 1))
    async with stack.runtime("disclosure").sessions() as session:
        letter = (await session.execute(select(DeadLetter))).scalars().one()
    assert letter.event_id == event_id
    assert "kind" in letter.error
    if stack.config.transport == "kafka":
        assert stack.config.kafka is not None
        topic = stack.config.namespace + dlq_topic(DECISIONS_CONSUMER)
        reader = AIOKafkaConsumer(topic, bootstrap_servers=stack.config.kafka.bootstrap, auto_offset_reset="earliest")
        await reader.start()
        try:
            batch = await reader.getmany(timeout_ms=10_000)
            records = [r for rs in batch.values() for r in rs]
        finally:
            await reader.stop()
        assert [json.loads(r.value)["id"] for r in records] == [event_id]
        assert b"kind" in dict(records[0].headers)["error"]


async def _count(stack: Stack, model: type, n: int) -> bool:
    return await scalar(stack, "disclosure", select(func.count()).select_from(model)) == n


async def _zero(stack: Stack, statement) -> bool:  # type: ignore[no-untyped-def]
    return await scalar(stack, "cases", statement) == 0


async def test_a_consumer_that_emits_wakes_its_relay_and_one_that_does_not_leaves_it(stack: Stack) -> None:
    """Events a handler emits leave at once (as a request's do), not at the relay's next poll."""
    sessions = stack.runtime("disclosure").sessions
    woken: list[str] = []
    subscription = Subscription("test.wakes")

    async def handle(uow: UnitOfWork, event: CloudEvent, payload: BulletinPublishedV1) -> None:
        if payload.title == "emits":
            uow.emit(CloudEvent.wrap(payload, subject=payload.bulletin_id))

    subscription.on(BulletinPublishedV1, handle)
    consumer = EventConsumer(subscription, sessions, on_commit=lambda: woken.append("relay"))
    for title in ("quiet", "emits"):
        bulletin = BulletinPublishedV1(
            bulletin_id=str(uuid.uuid4()),
            kind="air_daily",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 1),
            title=title,
            summary="",
            html="<p></p>",
        )
        await consumer.deliver(CloudEvent.wrap(bulletin, subject=bulletin.bulletin_id).to_bytes(), "t")
    assert consumer.applied_count == 2
    assert woken == ["relay"]
