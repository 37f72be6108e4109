"""Operator tasks across services: migrations and the Kafka topic list."""

from __future__ import annotations

from services.catalogue import CATALOGUE, service
from shared.contracts import TOPICS
from shared.db import create_engine, migrate
from shared.messaging.kafka import dlq_topic

# Every consumer group, for its dead-letter topic.
CONSUMERS: tuple[str, ...] = tuple(group for entry in CATALOGUE for group in entry.consumers())


def all_topics() -> list[str]:
    return [*TOPICS, *(dlq_topic(c) for c in CONSUMERS)]


async def migrate_services(names: list[str]) -> list[str]:
    done = []
    for name in names:
        entry = service(name)
        settings = entry.settings_class()()
        engine = create_engine(settings.resolved_database_url())
        try:
            await migrate(engine, entry.migrations_dir)
        finally:
            await engine.dispose()
        done.append(f"{name}: migrated ({settings.resolved_database_url().split('@')[-1]})")
    return done
