"""SQLModel tables of the disclosure service."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.messaging.tables import utcnow


class Publication(SQLModel, table=True):
    """公示: one per decision, pending until published."""

    __tablename__ = "publication"

    id: str = Field(primary_key=True, max_length=36)
    decision_id: str = Field(max_length=36, unique=True)
    kind: str = Field(max_length=40)
    document_number: str = Field(max_length=100)
    party_name: str = Field(max_length=200)
    decided_on: date
    due_on: date = Field(index=True)
    due_provisional: bool = False
    status: str = Field(default="pending", max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
