"""Event contracts: the CloudEvents envelope and the versioned payloads of every event type."""

from shared.contracts.envelope import CONTENT_TYPE, CloudEvent, EventPayload
from shared.contracts.events import BY_TYPE, CATALOGUE, TOPICS

__all__ = ["BY_TYPE", "CATALOGUE", "CONTENT_TYPE", "TOPICS", "CloudEvent", "EventPayload"]
