"""SQLModel tables of the disclosure service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.delivery import DeliveryRow
from shared.messaging.tables import utcnow


class Publication(SQLModel, table=True):
    """公示: one per decision; pending → published → withdrawn. ``public_*`` hold the redacted text only.

    ``decision`` keeps the decision as issued (with personal data) for the staff and the Credit China record;
    nothing public is ever built from it, only from the ``public_*`` columns.
    """

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
    version: int = 1
    publish_mode: str = Field(default="approval", max_length=20)
    party_type: str = Field(default="organisation", max_length=20)
    public_party_name: str = Field(default="", max_length=200)
    credit_code: str | None = Field(default=None, max_length=18, index=True)
    legal_representative: str | None = Field(default=None, max_length=100)
    town: str | None = Field(default=None, max_length=50, index=True)
    authority: str = Field(default="", max_length=200)
    public_facts: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    public_legal_basis: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    public_violation_type: str = Field(default="", max_length=200)
    public_penalty: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    redaction_report: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decision: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    published_on: date | None = Field(default=None, index=True)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by: str | None = Field(default=None, max_length=200)
    on_time: bool | None = None
    overdue_notified_on: date | None = None
    withdrawn_on: date | None = None
    withdrawal_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class WithdrawalNotice(SQLModel, table=True):
    """撤回公告: stays public after the decision's content is gone (revoked) or replaced (amended)."""

    __tablename__ = "withdrawal_notice"

    id: str = Field(primary_key=True, max_length=36)
    publication_id: str = Field(max_length=36, index=True)
    decision_id: str = Field(max_length=36)
    kind: str = Field(max_length=40)
    document_number: str = Field(max_length=100)
    cause: str = Field(max_length=20, description="revoked | amended")
    reason: str = Field(sa_column=Column(Text, nullable=False))
    changed_on: date = Field(description="the day the decision was revoked or amended")
    due_on: date = Field(description="withdraw by this day (3 working days)")
    withdrawn_on: date = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CreditRecord(DeliveryRow, table=True):
    """Credit China (信用中国) delivery ledger: one row per record sent (an upsert or a deletion)."""

    __tablename__ = "credit_record"

    publication_id: str = Field(max_length=36, index=True)
    decision_id: str = Field(max_length=36)
    operation: str = Field(max_length=10, description="upsert | delete")
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Bulletin(SQLModel, table=True):
    """监测简报 as published by monitoring."""

    __tablename__ = "public_bulletin"

    id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(max_length=30, index=True)
    period_start: date
    period_end: date = Field(index=True)
    title: str = Field(max_length=300)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    html: str = Field(sa_column=Column(Text, nullable=False))
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AnnualReport(SQLModel, table=True):
    """年度执法工作报告 for a year: due 31 January of the next year, tracked like a publication."""

    __tablename__ = "annual_enforcement_report"

    year: int = Field(primary_key=True)
    due_on: date
    status: str = Field(default="published", max_length=20)
    version: int = 1
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    published_on: date | None = None
    on_time: bool | None = None
    published_by: str | None = Field(default=None, max_length=200)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LawActivity(SQLModel, table=True):
    """法治建设活动台账: one activity of the rule-of-law register (a study session, a training, an adviser …).

    The facts that apply depend on the kind (``domain.activities``); the others stay null."""

    __tablename__ = "law_activity"

    id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(max_length=30, index=True)
    year: int = Field(index=True)
    occurred_on: date | None = None
    subject: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    topic: str | None = Field(default=None, max_length=30)
    town: str | None = Field(default=None, max_length=50)
    enterprises: int | None = None
    problems_solved: int | None = None
    materials: int | None = None
    adviser_type: str | None = Field(default=None, max_length=20)
    firm: str | None = Field(default=None, max_length=200)
    meetings_attended: int | None = None
    subjects: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    dispute_type: str | None = Field(default=None, max_length=20)
    outcome: str | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    version: int = 1
    recorded_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RuleOfLawReport(SQLModel, table=True):
    """法治政府建设年度报告 for a year: draft → approved (负责人审定) → published, due before 1 April of Y+1."""

    __tablename__ = "rule_of_law_report"

    year: int = Field(primary_key=True)
    stage: str = Field(default="draft", max_length=20)
    version: int = 1
    title: str = Field(max_length=300)
    due_on: date
    activities: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sections: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    drafted_by: str = Field(max_length=200)
    approved_by: str | None = Field(default=None, max_length=200)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_on: date | None = None
    published_by: str | None = Field(default=None, max_length=200)
    on_time: bool | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
