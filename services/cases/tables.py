"""SQLModel tables of the cases service: registers (parties, officers, teams) and the decisions.

The case file itself (inspections, leads, cases, clock stops, meetings, referrals, evidence) is in
``case_tables.py``.
"""

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
    # Added in 0003: kind-specific terms, service (送达), revocation/amendment, optimistic concurrency.
    terms: dict[str, object] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    served_on: date | None = None
    service_method: str | None = Field(default=None, max_length=40)
    revoked_on: date | None = None
    change_reason: str | None = None
    version: int = 1


class Team(SQLModel, table=True):
    """执法队."""

    __tablename__ = "team"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=100, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Officer(SQLModel, table=True):
    """执法人员; deactivated rather than deleted, so past records keep naming them."""

    __tablename__ = "officer"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=100)
    subject: str | None = Field(default=None, max_length=200, index=True)
    credential_number: str = Field(max_length=50, unique=True)
    credential_valid_until: date | None = None
    legal_qualification: bool = False
    # Added in 0004: when the officer first took up legal review work (行政处罚法 §58 ¶2); None: not recorded.
    legal_review_started_on: date | None = None
    team_id: str | None = Field(default=None, max_length=36, index=True)
    active: bool = True
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Party(SQLModel, table=True):
    """当事人: organisation, individual or sole trader. ``id_number`` is stored, never sent to public zones."""

    __tablename__ = "party"

    id: str = Field(primary_key=True, max_length=36)
    party_type: str = Field(max_length=20)
    name: str = Field(max_length=200, index=True)
    credit_code: str | None = Field(default=None, max_length=18, unique=True)
    id_number: str | None = Field(default=None, max_length=18, unique=True)
    legal_representative: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=300)
    town: str | None = Field(default=None, max_length=50, index=True)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
