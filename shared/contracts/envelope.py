"""The CloudEvents 1.0 envelope (structured JSON mode) used by the outbox, Kafka and the in-process bus."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

CONTENT_TYPE = "application/cloudevents+json"


class EventPayload(BaseModel):
    """Base of every versioned event payload; ``event_type`` names the contract, e.g. ``cases.decision.issued.v1``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]

    @classmethod
    def producer(cls) -> str:
        return cls.event_type.split(".", 1)[0]

    @classmethod
    def topic(cls) -> str:
        """One topic per producing service: ``<service>.events``."""
        return f"{cls.producer()}.events"


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event; ``id`` is the dedupe key, ``subject`` the aggregate id and the Kafka key."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), description="UUID; the dedupe key")
    source: str = Field(description="/greenlaw/<service>", examples=["/greenlaw/cases"])
    type: str = Field(description="<service>.<aggregate>.<verb>.v<N>", examples=["cases.decision.issued.v1"])
    subject: str = Field(description="aggregate id; the Kafka key")
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: Literal["application/json"] = "application/json"
    correlationid: str | None = Field(default=None, description="request ID that started the flow")
    actor: str | None = Field(default=None, description="who caused the event")
    data: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        payload: EventPayload,
        *,
        subject: str,
        correlation_id: str | None = None,
        actor: str | None = None,
    ) -> CloudEvent:
        return cls(
            source=f"/greenlaw/{payload.producer()}",
            type=payload.event_type,
            subject=subject,
            correlationid=correlation_id,
            actor=actor,
            data=payload.model_dump(mode="json"),
        )

    @property
    def topic(self) -> str:
        return f"{self.type.split('.', 1)[0]}.events"

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes | str) -> CloudEvent:
        return cls.model_validate_json(raw)
