"""SQLModel tables of the referral service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.delivery import DeliveryRow
from shared.messaging.tables import utcnow


class Referral(SQLModel, table=True):
    """涉嫌犯罪案件移送: one per request from cases; ``version`` guards staff updates (ETag)."""

    __tablename__ = "referral"

    id: str = Field(primary_key=True, max_length=36)
    request_id: str = Field(max_length=64, unique=True)
    case_id: str = Field(max_length=36, index=True)
    case_number: str = Field(max_length=100)
    police_unit: str = Field(max_length=200, index=True)
    team: str | None = Field(default=None, max_length=100, index=True, description="执法队 of the case; owns it")
    status: str = Field(max_length=30, index=True)
    party: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    party_name: str = Field(max_length=200)
    credit_code: str | None = Field(default=None, max_length=18)
    offence: str = Field(max_length=200)
    medium: str = Field(max_length=20, index=True)
    summary: str
    threshold_hints: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    package_items: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reported_on: date | None = None
    approved_on: date
    approved_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    transfer_letter_number: str | None = Field(default=None, max_length=100)
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    receiver: str | None = Field(default=None, max_length=200)
    notice_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    missing_items: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    supplemented_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_track: str = Field(default="normal", max_length=20)
    first_decision: str | None = Field(default=None, max_length=20)
    first_decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision: str | None = Field(default=None, max_length=20)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    police_case_number: str | None = Field(default=None, max_length=100)
    decision_reason: str | None = None
    reconsideration_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reconsideration_answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reconsideration_answer: str | None = Field(default=None, max_length=20)
    supervision_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    exhibits_handed_over_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    exhibits: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReferralChange(SQLModel, table=True):
    """The change log: one row per change of a referral, written in the change's own transaction.

    ``seq`` only grows (SQLite AUTOINCREMENT never reuses a value; writers are serialised on PostgreSQL), so the
    police cursor, a ``seq``, stays valid across restarts.
    """

    __tablename__ = "referral_change"
    __table_args__ = (
        Index("ix_referral_change_unit_seq", "police_unit", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: int | None = Field(
        default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    )
    referral_id: str = Field(max_length=36, index=True)
    police_unit: str = Field(max_length=200)
    step: str = Field(max_length=40)
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(max_length=200)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReferralDocument(SQLModel, table=True):
    """A file of the referral package, stored content-addressed by its SHA-256 (or referenced from cases)."""

    __tablename__ = "referral_document"

    id: str = Field(primary_key=True, max_length=36)
    referral_id: str = Field(max_length=36, index=True)
    name: str = Field(max_length=300)
    checklist_item: str | None = Field(default=None, max_length=100)
    media_type: str = Field(default="application/octet-stream", max_length=150)
    sha256: str = Field(max_length=64)
    size: int
    stored: bool = Field(default=True, description="false while only referenced from cases' evidence")
    evidence_id: str | None = Field(default=None, max_length=64)
    added_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Consultation(SQLModel, table=True):
    """会商: a joint meeting with the police (联席会商), linked to referrals."""

    __tablename__ = "consultation"

    id: str = Field(primary_key=True, max_length=36)
    held_on: date = Field(index=True)
    participants: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    topic: str
    outcome: str
    police_unit: str | None = Field(default=None, max_length=200)
    recorded_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConsultationReferral(SQLModel, table=True):
    __tablename__ = "consultation_referral"
    __table_args__ = (UniqueConstraint("consultation_id", "referral_id"),)

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: str = Field(max_length=36, index=True)
    referral_id: str = Field(max_length=36, index=True)


class ProcuratorateDelivery(DeliveryRow, table=True):
    """Delivery ledger of the copies sent to the procuratorate (抄送检察院): one row per copy, with attempts."""

    __tablename__ = "procuratorate_delivery"

    referral_id: str = Field(max_length=36, index=True)
    kind: str = Field(max_length=40, description="transfer_copy | supervision_request")
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
