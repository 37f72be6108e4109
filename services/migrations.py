"""Operator tasks across services: migrations and the Kafka topic list."""

from __future__ import annotations

from pathlib import Path

from services.cases import consumers as cases_consumers
from services.cases.app import SPEC as CASES
from services.cases.settings import CasesSettings
from services.disclosure import consumers as disclosure_consumers
from services.disclosure.settings import DisclosureSettings
from services.gateway.app import MIGRATIONS_DIR as GATEWAY_MIGRATIONS
from services.gateway.settings import GatewaySettings
from services.monitoring import consumers as monitoring_consumers
from services.monitoring.app import SPEC as MONITORING
from services.monitoring.settings import MonitoringSettings
from services.referral import consumers as referral_consumers
from services.referral.app import SPEC as REFERRAL
from services.referral.settings import ReferralSettings
from shared.contracts import TOPICS
from shared.db import create_engine, migrate
from shared.messaging.kafka import dlq_topic
from shared.settings import ServiceSettings

DISCLOSURE_MIGRATIONS = Path(__file__).parent / "disclosure" / "migrations"

# Every consumer group, for its dead-letter topic.
CONSUMERS: tuple[str, ...] = (
    *cases_consumers.CONSUMERS,
    *disclosure_consumers.CONSUMERS,
    *referral_consumers.CONSUMERS,
    *monitoring_consumers.CONSUMERS,
)


def all_topics() -> list[str]:
    return [*TOPICS, *(dlq_topic(c) for c in CONSUMERS)]


def _targets() -> dict[str, tuple[ServiceSettings, Path]]:
    return {
        "gateway": (GatewaySettings(), GATEWAY_MIGRATIONS),
        "cases": (CasesSettings(), CASES.migrations_dir),
        "disclosure": (DisclosureSettings(), DISCLOSURE_MIGRATIONS),
        "referral": (ReferralSettings(), REFERRAL.migrations_dir),
        "monitoring": (MonitoringSettings(), MONITORING.migrations_dir),
    }


async def migrate_services(names: list[str]) -> list[str]:
    done = []
    targets = _targets()
    for name in names:
        settings, directory = targets[name]
        engine = create_engine(settings.resolved_database_url())
        try:
            await migrate(engine, directory)
        finally:
            await engine.dispose()
        done.append(f"{name}: migrated ({settings.resolved_database_url().split('@')[-1]})")
    return done
