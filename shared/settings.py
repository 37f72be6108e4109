"""Settings: one pydantic-settings class per service on a common base.

Common values (environment, bus, token verification) are read with the prefix ``GREENLAW_``; a service's own values
with ``GREENLAW_<SERVICE>_`` (e.g. ``GREENLAW_CASES_DATABASE_URL``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "greenlaw-development-secret-change-me-0123456789"  # noqa: S105 - the development default, refused in production

Environment = Literal["development", "test", "production"]
Transport = Literal["inprocess", "kafka"]


class CommonSettings(BaseSettings):
    """Values every service and the gateway share."""

    model_config = SettingsConfigDict(env_prefix="GREENLAW_", extra="ignore")

    environment: Environment = "development"
    data_dir: Path = Path("var")
    transport: Transport = "inprocess"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Some Kafka-protocol brokers (e.g. Tansu) lack the idempotent producer; Apache Kafka has it.
    kafka_idempotent_producer: bool = True
    kafka_topic_partitions: int = 3
    kafka_replication_factor: int = 1
    # Prefix for topic and consumer-group names, so several deployments (or test runs) can share one cluster.
    kafka_namespace: str = ""
    jwt_secret: SecretStr = SecretStr(DEV_SECRET)
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "greenlaw"
    jwt_audience: str = "greenlaw"
    log_json: bool | None = None
    log_level: str = "INFO"
    holidays_file: Path | None = None

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> CommonSettings:
        if self.environment == "production" and self.jwt_secret.get_secret_value() == DEV_SECRET:
            raise ValueError("GREENLAW_JWT_SECRET must be set outside development")
        return self


class ServiceSettings(BaseSettings):
    """Base of each service's settings: its own database, relay and consumer tuning."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    common: CommonSettings = Field(default_factory=CommonSettings)
    database_url: str | None = None
    relay_poll_interval: float = 1.0
    relay_batch_size: int = 200
    consumer_max_retries: int = 3

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.common.data_dir / (self.service_name + '.db')}"
