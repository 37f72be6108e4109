"""SQLModel tables of the cases service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.messaging.tables import utcnow


class DocumentSequence(SQLModel, table=True):
    """The next document number per kind and year; bumped in the issuing transaction, so numbers stay gapless."""

    __tablename__ = "document_sequence"

    kind: str = Field(max_length=40, primary_key=True)
    year: int = Field(primary_key=True)
    last_seq: int = 0


class Decision(SQLModel, table=True):
    """决定书 as issued."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("kind", "year", "seq", name="uq_decision_kind_year_seq"),)

    id: str = Field(primary_key=True, max_length=36)
    case_id: str | None = Field(default=None, max_length=36, index=True)
    kind: str = Field(max_length=40)
    year: int
    seq: int
    document_number: str = Field(max_length=100, unique=True)
    decided_on: date
    party: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    facts: str
    legal_basis: str
    violation_type: str = ""
    penalty: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="issued", max_length=20)
    issued_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
