"""Request and response models of the staff API (``/api/v1/referral``) and the police liaison API (``/police/v1``).

The police models are an external contract: field names are fixed; a change is a new API version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.referral.domain.steps import Decision
from shared.bounds import LegalAwareDateTime, LegalDate
from shared.fields import Name, Text

# --- police liaison API -------------------------------------------------------------------------------------


class PoliceDocument(BaseModel):
    id: str
    name: str
    sha256: str = Field(description="SHA-256 (hex) of the file; the download matches it")
    size: int = Field(description="bytes")


class PoliceDeadline(BaseModel):
    name: str = Field(
        description="approval | transfer | receipt | supplement | decision | reconsideration_request "
        "| reconsideration_answer | supervision_request | exhibits_handover"
    )
    obligor: Literal["bureau", "police"]
    due_on: date = Field(description="期限届满日 (Asia/Shanghai)")
    due_at: datetime | None = Field(description="the moment, for limits in hours (24 小时)")
    provisional: bool = Field(description="true when a year's holiday calendar was not yet known")
    met_at: datetime | None
    state: Literal["met", "met_late", "pending", "at_risk", "overdue"]


class PoliceHistoryEntry(BaseModel):
    seq: int = Field(description="position in the change log (what cursors count)")
    step: str
    at: datetime
    data: dict[str, object]


class PoliceReferral(BaseModel):
    """A referral as the police liaison system sees it."""

    id: str
    status: str = Field(
        description="transferred | received | supplement_requested | accepted | declined | "
        "returned | reconsideration | supervision"
    )
    case_number: str = Field(description="行政案件编号")
    party_name: str = Field(description="当事人")
    credit_code: str | None = Field(description="统一社会信用代码")
    offence: str = Field(description="涉嫌罪名")
    medium: str = Field(description="water | air | soil | solid_waste | noise | radiation | other")
    summary: str = Field(description="案情摘要")
    sent_at: datetime | None = Field(description="移送时间")
    deadlines: list[PoliceDeadline]
    documents: list[PoliceDocument]
    history: list[PoliceHistoryEntry]


class PoliceReferralList(BaseModel):
    items: list[PoliceReferral]
    next_cursor: str = Field(description="pass as `since` to get what changed after this page")


class ReceiptCreate(BaseModel):
    """签收."""

    model_config = ConfigDict(extra="forbid")

    received_at: LegalAwareDateTime = Field(description="签收时间, with its UTC offset")
    receiver: Name = Field(min_length=1, max_length=200, description="签收人")


class DecisionCreate(BaseModel):
    """立案 / 不予立案 / 退回; also the answer to a reconsideration or supervision request."""

    model_config = ConfigDict(extra="forbid")

    decision: Decision
    police_case_number: Text | None = Field(default=None, min_length=1, max_length=100, description="刑事案件编号")
    reason: Text | None = Field(default=None, min_length=1, max_length=5000, description="理由 (unless accepted)")
    decided_at: LegalAwareDateTime

    @model_validator(mode="after")
    def _required_by_decision(self) -> Self:
        if self.decision is Decision.ACCEPTED and not self.police_case_number:
            raise ValueError("police_case_number is required when the decision is accepted (立案需提供刑事案件编号)")
        if self.decision is not Decision.ACCEPTED and not self.reason:
            raise ValueError("reason is required unless the decision is accepted (不予立案或退回需说明理由)")
        return self


class PoliceAck(BaseModel):
    id: str
    status: str


# --- staff API ----------------------------------------------------------------------------------------------


class _StaffInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TransferCreate(_StaffInput):
    sent_at: LegalAwareDateTime | None = Field(default=None, description="移送时间; default now")
    transfer_letter_number: Text | None = Field(default=None, max_length=100, description="移送函文号")


class IncompleteNoticeCreate(_StaffInput):
    notified_at: LegalAwareDateTime = Field(description="公安通知材料不全的时间")
    missing_items: list[Text] = Field(min_length=1, max_length=50, description="缺少的材料")


class SupplementCreate(_StaffInput):
    supplemented_at: LegalAwareDateTime
    note: Text = Field(default="", max_length=2000)


class DecisionTrackUpdate(_StaffInput):
    track: Literal["normal", "checks", "complex"] = Field(description="3 days / 7 days / 30 days (with approval)")


class ReconsiderationCreate(_StaffInput):
    requested_at: LegalAwareDateTime = Field(description="提请复议时间")
    reason: Text = Field(min_length=1, max_length=5000)


class SupervisionCreate(_StaffInput):
    requested_at: LegalAwareDateTime = Field(description="提请检察监督时间")
    reason: Text = Field(min_length=1, max_length=5000)


class ExhibitsHandoverCreate(_StaffInput):
    handed_over_at: LegalAwareDateTime
    items: list[Text] = Field(min_length=1, max_length=500, description="涉案物品清单")
    receiver: Name = Field(min_length=1, max_length=200)


class StaffDocument(BaseModel):
    id: str
    name: str
    checklist_item: str | None
    media_type: str
    sha256: str
    size: int
    stored: bool
    evidence_id: str | None
    added_by: str
    created_at: datetime


class StaffReferral(BaseModel):
    id: str
    request_id: str
    case_id: str
    case_number: str
    police_unit: str
    team: str | None = Field(default=None, description="执法队 of the case; only its officers reach the referral")
    status: str
    party: dict[str, object]
    offence: str
    medium: str
    summary: str
    threshold_hints: list[str]
    package_items: list[str]
    approved_on: date
    sent_at: datetime | None
    received_at: datetime | None
    receiver: str | None
    missing_items: list[str]
    decision_track: str
    decision: str | None
    decided_at: datetime | None
    police_case_number: str | None
    decision_reason: str | None
    exhibits: list[str]
    version: int
    documents: list[StaffDocument] = Field(default_factory=list)
    deadlines: list[PoliceDeadline] = Field(default_factory=list)


class StaffReferralList(BaseModel):
    items: list[StaffReferral]
    next_cursor: str | None


class DeadlineEntry(BaseModel):
    referral_id: str
    case_number: str
    police_unit: str
    status: str
    deadline: PoliceDeadline


class DeadlineList(BaseModel):
    items: list[DeadlineEntry]


class ConsultationCreate(_StaffInput):
    held_on: LegalDate = Field(description="会商日期")
    participants: list[Text] = Field(min_length=1, max_length=100, description="参会人员 (单位 + 姓名)")
    topic: Text = Field(min_length=1, max_length=2000, description="议题")
    outcome: Text = Field(min_length=1, max_length=10000, description="会商结果")
    police_unit: Name | None = Field(default=None, max_length=200)
    referral_ids: list[Text] = Field(default_factory=list, max_length=100)


class ConsultationPublic(BaseModel):
    id: str
    held_on: date
    participants: list[str]
    topic: str
    outcome: str
    police_unit: str | None
    referral_ids: list[str]
    recorded_by: str


class ConsultationList(BaseModel):
    items: list[ConsultationPublic]
    next_cursor: str | None


class DeliveryPublic(BaseModel):
    id: str
    referral_id: str
    kind: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None
