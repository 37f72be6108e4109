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


class PublicDraw(SQLModel, table=True):
    """双随机抽查 as published: the commitment on receipt (before the draw), then the seed, the frozen inputs and the
    result once executed (国办发〔2015〕58号). Entity names are kept as published (a sole trader's masked)."""

    __tablename__ = "public_inspection_draw"

    id: str = Field(primary_key=True, max_length=36, description="the cases service's draw id")
    category: str = Field(max_length=20, index=True)
    period_kind: str = Field(max_length=10)
    year: int = Field(index=True)
    period_number: int | None = None
    starts_on: date
    ends_on: date
    count: int
    eligible: int
    basis: str = Field(sa_column=Column(Text, nullable=False))
    commitment: str = Field(max_length=64)
    inputs_sha256: str | None = Field(default=None, max_length=64)
    status: str = Field(default="committed", max_length=20, description="committed | executed | superseded")
    redraw_of: str | None = Field(default=None, max_length=36)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    superseded_by: str | None = Field(default=None, max_length=36)
    committed_published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    executed_published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    seed: str | None = Field(default=None, max_length=64)
    public_entropy: str | None = Field(default=None, max_length=200)
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    entity_names: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    officer_credential_numbers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class PublicDrawnInspection(SQLModel, table=True):
    """One drawn entity of an executed draw and, as it arrives, the result of its inspection (抽查结果公开)."""

    __tablename__ = "public_drawn_inspection"

    id: str = Field(primary_key=True, max_length=36, description="the planned inspection's id")
    draw_id: str = Field(max_length=36, index=True)
    rank: int
    entity_id: str = Field(max_length=36)
    name: str = Field(max_length=200, description="as published: a sole trader's name masked")
    officer_credential_numbers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outcome: str = Field(default="planned", max_length=20)
    inspected_on: date | None = None
    inspecting_credential_numbers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    lead_id: str | None = Field(default=None, max_length=36, index=True)
    case_filed_on: date | None = None
    result_published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FiledLead(SQLModel, table=True):
    """A lead filed as a case (立案), kept so that a drawn inspection's lead shows its case whichever event came
    first (the two travel under different keys)."""

    __tablename__ = "public_filed_lead"

    lead_id: str = Field(primary_key=True, max_length=36)
    filed_on: date


class OfficerRecord(SQLModel, table=True):
    """执法人员 as received from cases' register, one row per record (registered, changed, deactivated): the
    officer list before enforcement (事前公开) and its history. The current list folds each officer's highest
    version; a past day's list folds the rows received by then."""

    __tablename__ = "public_officer_record"

    id: str = Field(primary_key=True, max_length=36, description="the event id")
    officer_id: str = Field(max_length=36, index=True)
    version: int
    change: str = Field(max_length=20, description="registered | changed | deactivated")
    name: str = Field(max_length=100)
    credential_number: str = Field(max_length=50)
    unit: str = Field(max_length=200)
    team: str | None = Field(default=None, max_length=100)
    credential_valid_until: date | None = None
    active: bool
    changed_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # Added in 0007: 执法证有效期自 (None: not recorded, or sent before events carried it).
    credential_valid_from: date | None = None


class EnforcementListVersion(SQLModel, table=True):
    """One version of a list published before enforcement (权责清单, 执法流程, 救济渠道, 随机抽查事项清单): each
    change by the editor is a new version; the public sees the highest and can ask for any earlier one."""

    __tablename__ = "enforcement_list_version"

    list_kind: str = Field(primary_key=True, max_length=40)
    version: int = Field(primary_key=True)
    items: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=500)
    published_on: date
    published_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StatisticsRelease(SQLModel, table=True):
    """执法统计季报、年报: the cases statistics of a quarter or a year as published by the editor, one row per
    version (a republication with corrected figures is the next version; the earlier ones stay readable)."""

    __tablename__ = "enforcement_statistics_release"

    year: int = Field(primary_key=True)
    period: str = Field(primary_key=True, max_length=10, description="Q1–Q4 or year")
    version: int = Field(primary_key=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    published_on: date = Field(description="the first version's publication date")
    revised_on: date = Field(description="this version's date")
    published_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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


class PublicInspectionRate(SQLModel, table=True):
    """抽查比例 as published: each dated row of cases' random inspection rates, its latest version kept; the draw
    plan shows the rows in force during the year."""

    __tablename__ = "public_inspection_rate"

    id: str = Field(primary_key=True, max_length=36)
    effective_from: date = Field(index=True)
    rates: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    skip_inspected_within_months: int = 0
    basis: str = Field(sa_column=Column(Text, nullable=False))
    document_number: str = Field(default="", max_length=100)
    confirmed: bool = False
    version: int = 1
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
