"""Diagnostic (not part of ``make bench``): produce → consume round trip on a local Tansu broker, per consumer mode.

Shows where the Kafka transport's event latency comes from: the same broker answers ``getone()`` in a few ms,
but ``getmany(timeout_ms=500)`` (what ``shared.messaging.kafka.KafkaConsumerRunner`` uses) with aiokafka's
default ``fetch_max_wait_ms=500`` takes ≈ 240 ms, and ≈ 7 ms with ``fetch_max_wait_ms=20``.
``python -m bench.kafka_roundtrip [--messages 20]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.common import kafka_broker, record

MODES = (("getone", 500), ("getmany", 500), ("getmany", 20))


async def round_trips(bootstrap: str, mode: str, fetch_wait_ms: int, messages: int) -> list[float]:
    topic = f"roundtrip-{mode}-{fetch_wait_ms}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 1, 1)])
    await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, linger_ms=2, acks="all")
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=topic, auto_offset_reset="latest", fetch_max_wait_ms=fetch_wait_ms
    )
    await producer.start()
    await consumer.start()
    await asyncio.sleep(2)  # group join and first fetch
    times = []
    try:
        for _ in range(messages):
            started = time.perf_counter()
            await producer.send_and_wait(topic, b"x")
            if mode == "getone":
                await consumer.getone()
            else:
                while not await consumer.getmany(timeout_ms=500):
                    pass
            times.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.01)
    finally:
        await producer.stop()
        await consumer.stop()
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args(argv)
    figures = {}
    with kafka_broker() as bootstrap:
        for mode, wait in MODES:
            times = asyncio.run(round_trips(bootstrap, mode, wait, args.messages))
            figures[f"{mode}_fetch_max_wait_{wait}ms"] = {"p50": statistics.median(times), "max": max(times)}
            print(f"{mode} fetch_max_wait_ms={wait}: p50 {statistics.median(times):.1f} ms, max {max(times):.1f} ms")
    record("kafka_roundtrip", {"unit": "ms", "messages": args.messages, **figures})


if __name__ == "__main__":
    main()
