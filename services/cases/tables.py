"""SQLModel tables of the cases service: the registers (parties, officers, teams, supervised entities), random
inspections (draws, inspector exclusions, planned inspections), the case file (inspections, leads, cases, clock
stops, review meetings, referrals, evidence, preservations) and the decisions (决定书)."""

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
    # Added in 0007: the SHA-256 of the document (PDF) as served, in the document store and the audit chain.
    document_sha256: str | None = Field(default=None, max_length=64)


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
    # Added in 0008: the first day of the credential's valid period (执法证有效期自); None: not recorded.
    credential_valid_from: date | None = None


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


class Inspection(SQLModel, table=True):
    """现场检查 by at least two officers."""

    __tablename__ = "inspection"

    id: str = Field(primary_key=True, max_length=36)
    inspected_at: datetime = Field(sa_type=UTCDateTime)
    inspected_on: date = Field(index=True)  # Asia/Shanghai date, for statistics
    place: str = Field(max_length=300)
    party_id: str | None = Field(default=None, max_length=36, index=True)
    officer_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    findings: str
    lead_id: str | None = Field(default=None, max_length=36)
    recorded_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Added in 0006: the result (检查结果) and the planned inspection of a random draw it carries out.
    result: str | None = Field(default=None, max_length=30)
    planned_inspection_id: str | None = Field(default=None, max_length=36, unique=True)


class SupervisedEntity(SQLModel, table=True):
    """监管对象名录: a party (organisation or sole trader) under supervision, with its category; the date, result and
    officers of its last inspection are kept current from the inspections recorded."""

    __tablename__ = "supervised_entity"

    id: str = Field(primary_key=True, max_length=36)
    party_id: str = Field(max_length=36, unique=True)
    name: str = Field(max_length=200)
    category: str = Field(max_length=20, index=True)
    town: str | None = Field(default=None, max_length=50, index=True)
    industry: str | None = Field(default=None, max_length=100)
    active: bool = True
    last_inspected_on: date | None = None
    last_result: str | None = Field(default=None, max_length=30)
    last_officer_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InspectorExclusion(SQLModel, table=True):
    """An officer kept out of random draws (回避、休假): conflicted with one entity, or with every entity (leave)."""

    __tablename__ = "inspector_exclusion"

    id: str = Field(primary_key=True, max_length=36)
    officer_id: str = Field(max_length=36, index=True)
    entity_id: str | None = Field(default=None, max_length=36)
    kind: str = Field(max_length=30)
    reason: str
    starts_on: date
    ends_on: date | None = None
    recorded_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InspectionDraw(SQLModel, table=True):
    """抽查: created with its frozen inputs and the SHA-256 of a secret seed, executed by revealing the seed."""

    __tablename__ = "inspection_draw"

    id: str = Field(primary_key=True, max_length=36)
    category: str = Field(max_length=20, index=True)
    period_kind: str = Field(max_length=10)
    year: int
    period_number: int | None = None
    starts_on: date
    ends_on: date
    status: str = Field(default="committed", max_length=20, index=True)
    count: int
    basis: str
    commitment: str = Field(max_length=64)
    seed: str = Field(max_length=64)  # hex; never answered before the execution reveals it
    public_entropy: str | None = Field(default=None, max_length=200)
    inputs: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    result: list[dict[str, object]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    redraw_of: str | None = Field(default=None, max_length=36)
    reason: str | None = None
    created_by: str = Field(max_length=200)
    executed_by: str | None = Field(default=None, max_length=200)
    executed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    rate_id: str | None = Field(default=None, max_length=36, index=True)  # the 抽查比例 row in force on its start


class PlannedInspection(SQLModel, table=True):
    """A drawn entity with its two officers, due by the last day of the draw's period."""

    __tablename__ = "planned_inspection"

    id: str = Field(primary_key=True, max_length=36)
    draw_id: str = Field(max_length=36, index=True)
    entity_id: str = Field(max_length=36, index=True)
    party_id: str = Field(max_length=36)
    officer_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    due_on: date
    status: str = Field(default="planned", max_length=20, index=True)
    inspection_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Lead(SQLModel, table=True):
    """线索: the head decides whether to file within 15 days (+15 with approval)."""

    __tablename__ = "lead"

    id: str = Field(primary_key=True, max_length=36)
    source: str = Field(max_length=30)
    received_on: date = Field(index=True)
    summary: str
    party_id: str | None = Field(default=None, max_length=36)
    town: str | None = Field(default=None, max_length=50)
    inspection_id: str | None = Field(default=None, max_length=36)
    exceedance_id: str | None = Field(default=None, max_length=64, unique=True)
    details: dict[str, object] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    status: str = Field(default="open", max_length=20, index=True)
    extended: bool = False
    due_on: date
    decided_by: str | None = Field(default=None, max_length=200)
    decided_on: date | None = None
    decline_reason: str | None = None
    case_id: str | None = Field(default=None, max_length=36)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Case(SQLModel, table=True):
    """立案案件 and where it stands in the procedure."""

    __tablename__ = "enforcement_case"

    id: str = Field(primary_key=True, max_length=36)
    case_number: str = Field(max_length=100, unique=True)
    lead_id: str | None = Field(default=None, max_length=36)
    party_id: str = Field(max_length=36, index=True)
    party_name: str = Field(max_length=200)
    party_type: str = Field(max_length=20)
    town: str | None = Field(default=None, max_length=50, index=True)
    team: str | None = Field(default=None, max_length=100, index=True)
    medium: str | None = Field(default=None, max_length=20)
    summary: str
    stage: str = Field(max_length=30, index=True)
    investigators: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # ",id1,id2,…," of everyone working the case, so the officer filter is a portable LIKE, not JSON membership.
    people: str = Field(default=",", max_length=400)
    reviewer_id: str | None = Field(default=None, max_length=36)
    legal_reviewer_id: str | None = Field(default=None, max_length=36)
    legal_opinion: str | None = Field(default=None, max_length=20)
    flags: dict[str, bool] = Field(sa_column=Column(JSON, nullable=False))
    proposed: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    filed_on: date = Field(index=True)
    decision_due_on: date
    head_extension: bool = False
    collective_extension: bool = False
    # Added in 0004: the period the review meeting set for the second extension (no fixed length).
    collective_extension_days: int | None = None
    notice_on: date | None = None  # 告知书 date: picks the hearing amounts in force
    notice_received_on: date | None = None
    answer_due_on: date | None = None
    party_answered_on: date | None = None
    hearing_requested_on: date | None = None
    hearing_held_on: date | None = None
    meeting_id: str | None = Field(default=None, max_length=36)
    decision_id: str | None = Field(default=None, max_length=36)
    decided_on: date | None = None
    served_on: date | None = None
    money_due_fen: int = 0
    paid_on: date | None = None
    demand_on: date | None = None
    closed_on: date | None = Field(default=None, index=True)
    outcome: str | None = Field(default=None, max_length=30)
    referral_requested: bool = False
    police_decision: str | None = None
    publicity: list[dict[str, object]] = Field(sa_column=Column(JSON, nullable=False))
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Added in 0004: the violation's dates for the time bar (追诉时效), the hearing notice (听证通知) and date.
    violation: dict[str, object] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    hearing_notified_on: date | None = None
    hearing_on: date | None = None


class ClockStop(SQLModel, table=True):
    """A period not counted in the 90-day decision limit."""

    __tablename__ = "clock_stop"

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(max_length=36, index=True)
    reason: str = Field(max_length=30)
    started_on: date
    ended_on: date | None = None
    ref: str | None = Field(default=None, max_length=64)


class ReviewMeeting(SQLModel, table=True):
    """案件审议会: attendees (legal counsel marked), cases discussed with each outcome, minutes."""

    __tablename__ = "review_meeting"

    id: str = Field(primary_key=True, max_length=36)
    held_on: date = Field(index=True)
    attendees: list[dict[str, object]] = Field(sa_column=Column(JSON, nullable=False))
    items: list[dict[str, object]] = Field(sa_column=Column(JSON, nullable=False))
    minutes: str
    recorded_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReferralRequest(SQLModel, table=True):
    """涉嫌犯罪案件移送 request, as sent to the referral service."""

    __tablename__ = "referral_request"

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(max_length=36, index=True)
    offence: str = Field(max_length=100)
    medium: str = Field(max_length=20)
    police_unit: str = Field(max_length=100)
    package_items: list[str] = Field(sa_column=Column(JSON, nullable=False))
    facts: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    threshold_hints: list[str] = Field(sa_column=Column(JSON, nullable=False))
    requested_on: date = Field(index=True)
    status: str = Field(default="requested", max_length=20)
    requested_by: str = Field(max_length=200)


class Evidence(SQLModel, table=True):
    """证据 / 全过程记录: a file in the content-addressed store, named by its SHA-256."""

    __tablename__ = "evidence"

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(max_length=36, index=True)
    kind: str = Field(max_length=20)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    sha256: str = Field(max_length=64, index=True)
    size_bytes: int
    captured_by: str = Field(max_length=200)
    captured_at: datetime = Field(sa_type=UTCDateTime)
    uploaded_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvidencePreservation(SQLModel, table=True):
    """先行登记保存: evidence registered and preserved with the head's approval; disposed of within 7 working days
    (``dispose_by``) or lapsed."""

    __tablename__ = "evidence_preservation"

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(max_length=36, index=True)
    items: list[str] = Field(sa_column=Column(JSON, nullable=False))
    place: str = Field(max_length=300)
    preserved_on: date
    dispose_by: date = Field(index=True)
    due_provisional: bool = False
    disposed_on: date | None = None
    disposal: str | None = Field(default=None, max_length=30)
    disposal_note: str | None = None
    recorded_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InspectionRate(SQLModel, table=True):
    """抽查比例: from ``effective_from`` on, each category's proportion (or count) per period, on the basis of a
    national or Tianjin scheme; entered by the head. A row a draw has used is never edited: a new dated row is."""

    __tablename__ = "inspection_rate"

    id: str = Field(primary_key=True, max_length=36)
    effective_from: date = Field(unique=True)
    rates: dict[str, dict[str, object]] = Field(sa_column=Column(JSON, nullable=False))
    skip_inspected_within_months: int = 0
    basis: str
    document_number: str = Field(default="", max_length=100)
    confirmed: bool = False
    created_by: str = Field(max_length=200)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
