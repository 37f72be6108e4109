"""Settings: one pydantic-settings class per service on a common base.

Common values (environment, bus, token verification) are read with the prefix ``GREENLAW_``; a service's own values
with ``GREENLAW_<SERVICE>_`` (e.g. ``GREENLAW_CASES_DATABASE_URL``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "greenlaw-development-secret-change-me-0123456789"  # noqa: S105 - the development default, refused in production

# A signing key in production: long, of varied characters, and not a shorter string repeated (``"abcd1234" * 4``).
KEY_MIN_LENGTH = 32
KEY_MIN_DISTINCT = 8
# A key id goes into every token header (``kid``): a short plain name.
KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

Environment = Literal["development", "test", "production"]
Transport = Literal["inprocess", "kafka"]


class CommonSettings(BaseSettings):
    """Values every service and the gateway share."""

    # A refused value is not repeated in the error: it may be a secret (a weak key, a database password).
    model_config = SettingsConfigDict(env_prefix="GREENLAW_", extra="ignore", hide_input_in_errors=True)

    environment: Environment = "development"
    data_dir: Path = Path("var")
    transport: Transport = "inprocess"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Some Kafka-protocol brokers (e.g. Tansu) lack the idempotent producer; Apache Kafka has it.
    kafka_idempotent_producer: bool = True
    kafka_topic_partitions: int = 3
    kafka_replication_factor: int = 1
    # How long a consumer's fetch waits for data; aiokafka's 500 ms default puts half a second on every event.
    kafka_fetch_max_wait_ms: int = 50
    # How long the broker keeps a consumer that stopped heartbeating in its group (aiokafka's default); consumers
    # heartbeat every third of it. A kill -9'd consumer's partitions wait this long for its replacement.
    kafka_session_timeout_ms: int = Field(10_000, ge=1_000, le=300_000)
    # Prefix for topic and consumer-group names, so several deployments (or test runs) can share one cluster.
    kafka_namespace: str = ""
    jwt_secret: SecretStr = SecretStr(DEV_SECRET)
    # Read the signing secret from a file (e.g. a mounted Kubernetes or Docker secret) instead of the environment.
    jwt_secret_file: Path | None = None
    # Key rotation: tokens are signed with ``jwt_secret`` under ``jwt_key_id``; tokens signed with an earlier key
    # stay valid while its id and secret are listed here (``GREENLAW_JWT_PREVIOUS_KEYS='{"k1": "…"}'``).
    jwt_key_id: str = "k1"
    jwt_previous_keys: dict[str, SecretStr] = Field(default_factory=dict)
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "greenlaw"
    jwt_audience: str = "greenlaw"
    log_json: bool | None = None
    log_level: str = "INFO"
    holidays_file: Path | None = None
    # 决定种类 as dated data (shared/decision_kinds.py): cases and disclosure read the same table.
    decision_kinds_file: Path | None = None
    # Each service re-verifies its audit hash chain this often in the background (shared/audit_schedule.py); 0: never.
    audit_check_interval_s: float = Field(default=3600.0, ge=0)

    @model_validator(mode="after")
    def _signing_secret(self) -> CommonSettings:
        if self.jwt_secret_file is not None:
            self.jwt_secret = SecretStr(self.jwt_secret_file.read_text(encoding="utf-8").strip())
        for key_id in (self.jwt_key_id, *self.jwt_previous_keys):
            if not KEY_ID.fullmatch(key_id):
                raise ValueError(f"JWT key id {key_id!r} must be 1-64 letters, digits, '.', '_' or '-'")
        if self.jwt_key_id in self.jwt_previous_keys:
            raise ValueError("GREENLAW_JWT_PREVIOUS_KEYS must not repeat the current GREENLAW_JWT_KEY_ID")
        if self.environment == "production":
            self._refuse_weak_keys()
        return self

    def _refuse_weak_keys(self) -> None:
        """Production signs and accepts tokens only with strong keys, the earlier ones of a rotation included:
        a token signed with a guessable previous key is as good as one signed with the current key."""
        current = self.jwt_secret.get_secret_value()
        if weakness := key_weakness(current):
            raise ValueError(f"GREENLAW_JWT_SECRET must be a strong key in production: it {weakness}")
        seen = {current}
        for key_id, secret in self.jwt_previous_keys.items():
            value = secret.get_secret_value()
            if weakness := key_weakness(value):
                raise ValueError(
                    f"GREENLAW_JWT_PREVIOUS_KEYS[{key_id!r}] must be a strong key in production: it {weakness}"
                )
            if value in seen:
                raise ValueError(f"GREENLAW_JWT_PREVIOUS_KEYS[{key_id!r}] repeats another key: retire it")
            seen.add(value)

    def verification_key(self, key_id: str | None) -> str | None:
        """The secret for a token's ``kid``; tokens without a kid are from before rotation: the current key."""
        if key_id is None or key_id == self.jwt_key_id:
            return self.jwt_secret.get_secret_value()
        previous = self.jwt_previous_keys.get(key_id)
        return previous.get_secret_value() if previous is not None else None


def key_weakness(secret: str) -> str | None:
    """Why ``secret`` is unfit to sign tokens in production (``None``: fit). Says nothing of the secret itself."""
    if secret == DEV_SECRET:
        return "is the development default"
    if len(secret) < KEY_MIN_LENGTH:
        return f"has fewer than {KEY_MIN_LENGTH} characters"
    if len(set(secret)) < KEY_MIN_DISTINCT:
        return f"has fewer than {KEY_MIN_DISTINCT} different characters"
    for period in range(1, len(secret) // 2 + 1):
        if secret == (secret[:period] * (len(secret) // period + 1))[: len(secret)]:
            return f"repeats a pattern of {period} characters"
    return None


class ServiceSettings(BaseSettings):
    """Base of each service's settings: its own database, relay and consumer tuning."""

    model_config = SettingsConfigDict(extra="ignore", hide_input_in_errors=True)

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
