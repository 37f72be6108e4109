"""Event entry points of this service: each Subscription names a consumer (its inbox and Kafka consumer group)."""

from __future__ import annotations

# Every consumer name of this service, for its dead-letter topic (<consumer>.dlq).
CONSUMERS: tuple[str, ...] = ()
