"""Request and response models of the staff disclosure API (the public model lives in ``views``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.bounds import LegalDate
from shared.contracts.common import DecisionKind
from shared.fields import Name, Text


class DueDate(BaseModel):
    due_on: date = Field(description="公示截止日期")
    working_days: int
    provisional: bool = Field(description="true when the holiday calendar for a year involved is not yet known")


class PublicationStaff(BaseModel):
    id: str
    decision_id: str
    kind: DecisionKind
    document_number: str
    party_name: str
    decided_on: date
    due_on: date
    due_provisional: bool
    status: str
    created_at: datetime
    version: int
    publish_mode: str
    public_party_name: str
    credit_code: str | None
    town: str | None
    public_facts: str
    public_legal_basis: str
    public_violation_type: str
    public_penalty: dict[str, Any]
    redaction_report: list[dict[str, Any]] = Field(description="去标识化报告: field, category, count")
    published_on: date | None
    on_time: bool | None
    overdue_notified_on: date | None
    withdrawn_on: date | None
    withdrawal_reason: str | None


class RedactionMark(BaseModel):
    """One item the automatic redaction (去标识化) removed from the proposed public text."""

    field: str = Field(description="facts, legal_basis, violation_type, penalty.summary, party.name, …")
    start: int = Field(description="where the marker begins in the proposed public text of the field")
    end: int = Field(description="where the marker ends")
    reason: str = Field(
        description="id_number, phone, bank_account, birth_date, address, email, vehicle_plate, long_number, name"
    )
    confidence: float = Field(description="how sure the detector is (0–1); below the review level the editor decides")
    removed: str = Field(description="the text the marker stands for, as in the decision (staff only)")


class RedactionMarks(BaseModel):
    """Why the public text reads as it does: every marker of the automatic proposal with its reason."""

    publication_id: str
    current: bool = Field(description="false when an editor changed the public text after the proposal")
    review_below: float = Field(description="automatic publication waits for the editor below this confidence")
    items: list[RedactionMark]


class RedactionAdd(BaseModel):
    """添加隐去: the editor withholds a span the detectors missed (offsets in the current public text)."""

    model_config = ConfigDict(extra="forbid")

    field: Literal["facts", "legal_basis", "violation_type", "penalty.summary", "party.name"]
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    reason: Literal["id_number", "phone", "bank_account", "birth_date", "address", "email", "vehicle_plate", "name"]


class RedactionUndo(BaseModel):
    """撤销隐去: the editor puts back what a marker of the automatic proposal replaced, with a reason (audited)."""

    model_config = ConfigDict(extra="forbid")

    field: Literal["facts", "legal_basis", "violation_type", "penalty.summary", "party.name"]
    start: int = Field(ge=0, description="the marker's start, as listed by GET …/redactions")
    unredact_reason: str = Field(min_length=4, max_length=1_000)


class PublicationList(BaseModel):
    items: list[PublicationStaff]
    next_cursor: str | None


class PublishRequest(BaseModel):
    """审核发布. ``published_on`` records a publication that went out on an earlier day (补录, e.g. on the government
    website before this system); omitted, it is today. It decides whether the publication was on time."""

    model_config = ConfigDict(extra="forbid")

    published_on: LegalDate | None = Field(default=None, description="实际发布日期; default today (Asia/Shanghai)")


class PublicationEdit(BaseModel):
    """An editor's change to the redacted public text (编辑公示内容). Omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    party_name: Name | None = Field(default=None, min_length=1, max_length=200)
    facts: Text | None = Field(default=None, min_length=1, max_length=20_000)
    legal_basis: Text | None = Field(default=None, min_length=1, max_length=5_000)
    violation_type: Text | None = Field(default=None, max_length=200)
    penalty_summary: Text | None = Field(default=None, max_length=5_000)
    unredact_reason: Text | None = Field(
        default=None,
        min_length=4,
        max_length=1_000,
        description="required when the new text contains an item automatic redaction removes; kept in the audit",
    )


class DeadlineList(BaseModel):
    today: date
    items: list[PublicationStaff]


class OnTimeRatePublic(BaseModel):
    period: str
    due: int
    on_time: int
    late: int
    pending_not_due: int
    rate: float | None = Field(description="公示及时率: on time / (on time + late); null when nothing was due")


class OnTimeStatistics(BaseModel):
    year: OnTimeRatePublic
    months: list[OnTimeRatePublic]


class CreditRecordStaff(BaseModel):
    id: str
    publication_id: str
    decision_id: str
    operation: str
    status: str
    attempts: int
    last_error: str | None
    fields: dict[str, Any]
    created_at: datetime
    delivered_at: datetime | None


class CreditRecordList(BaseModel):
    items: list[CreditRecordStaff]
