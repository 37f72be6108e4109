"""Request and response models of the staff API (``/api/v1/referral``) and the police liaison API (``/police/v1``).

The police models are an external contract: field names are fixed; a change is a new API version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from services.referral.domain.steps import Decision
from shared.bounds import LegalAwareDateTime, LegalDate
from shared.fields import Name, Text

# --- time limits (both audiences) ----------------------------------------------------------------------------


class DeadlinePublic(BaseModel):
    """One time limit of a referral (期限) and where it stands."""

    name: str = Field(
        description="approval | transfer | receipt | supplement | decision | reconsideration_request "
        "| reconsideration_answer | supervision_request | exhibits_handover"
    )
    obligor: Literal["bureau", "police"] = Field(description="who must act: the bureau (生态环境局) or the police")
    due_on: date = Field(description="期限届满日 (Asia/Shanghai)")
    due_at: datetime | None = Field(description="the moment, for limits in hours (24 小时)")
    provisional: bool = Field(description="true when a year's holiday calendar was not yet known")
    met_at: datetime | None = Field(description="when the step that meets the limit happened; null while open")
    state: Literal["met", "met_late", "pending", "at_risk", "overdue"] = Field(
        description="met (on time), met_late, or while open: pending, at_risk (close to the end), overdue"
    )


# --- police liaison API -------------------------------------------------------------------------------------


class DocumentPolice(BaseModel):
    """A stored document of the referral package (移送材料) as the police download it."""

    id: str = Field(description="document id, for the download path")
    name: str = Field(description="file name")
    sha256: str = Field(description="SHA-256 (hex) of the file; the download matches it")
    size: int = Field(description="bytes")


class HistoryEntryPolice(BaseModel):
    """One step in a referral's history as the police see it."""

    seq: int = Field(description="position in the change log (what cursors count)")
    step: str = Field(description="the step (transfer, receipt, decision, document_added, …)")
    at: datetime = Field(description="when the step happened")
    data: dict[str, object] = Field(description="what the step recorded (letter number, receiver, reason, …)")


class ReferralPolice(BaseModel):
    """A referral as the police liaison system sees it."""

    id: str = Field(description="referral id")
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
    deadlines: list[DeadlinePublic] = Field(description="the limits started so far, in procedural order")
    documents: list[DocumentPolice] = Field(description="the package documents whose content is stored")
    history: list[HistoryEntryPolice] = Field(description="the steps so far, oldest first")


class ReferralPoliceList(BaseModel):
    """A page of the police feed: referrals of the unit changed after the cursor."""

    items: list[ReferralPolice] = Field(description="each referral once, in its current state, oldest change first")
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


class DocumentStaff(BaseModel):
    """A document of the referral package (移送材料): uploaded, or evidence cases referenced by its hash."""

    id: str = Field(description="document id")
    name: str = Field(description="file name")
    checklist_item: str | None = Field(description="移送材料清单项 it fills")
    media_type: str = Field(description="media type of the content")
    sha256: str = Field(description="SHA-256 (hex) of the content")
    size: int = Field(description="bytes")
    stored: bool = Field(description="false while referenced evidence awaits its upload")
    evidence_id: str | None = Field(description="the evidence of the case it is the content of")
    added_by: str = Field(description="who added it")
    created_at: datetime = Field(description="when it was added")


class ReferralStaff(BaseModel):
    """A referral (移送案件) as staff read it; its `ETag` is what a step sends as `If-Match`."""

    id: str = Field(description="referral id")
    request_id: str = Field(description="cases' request id (one referral per request)")
    case_id: str = Field(description="the administrative case (行政案件) it came from")
    case_number: str = Field(description="行政案件编号")
    police_unit: str = Field(description="公安机关 it is addressed to")
    team: str | None = Field(default=None, description="执法队 of the case; only its officers reach the referral")
    status: str = Field(description="approved | transferred | received | supplement_requested | accepted | …")
    party: dict[str, object] = Field(description="当事人 as cases sent it")
    offence: str = Field(description="涉嫌罪名")
    medium: str = Field(description="环境要素: water | air | soil | solid_waste | noise | radiation | other")
    summary: str = Field(description="案情摘要")
    threshold_hints: list[str] = Field(description="serious-pollution thresholds (入罪标准) the case may meet")
    package_items: list[str] = Field(description="移送材料清单")
    approved_on: date = Field(description="批准移送日期 (Asia/Shanghai)")
    sent_at: datetime | None = Field(description="移送时间")
    received_at: datetime | None = Field(description="公安签收时间")
    receiver: str | None = Field(description="签收人")
    missing_items: list[str] = Field(description="材料不全: what the police asked for")
    decision_track: str = Field(description="the police's decision limit: normal | checks | complex")
    decision: str | None = Field(description="the police's current decision: accepted | declined | returned")
    decided_at: datetime | None = Field(description="when the current decision was made")
    police_case_number: str | None = Field(description="刑事案件编号, once accepted")
    decision_reason: str | None = Field(description="the police's reason (unless accepted)")
    exhibits: list[str] = Field(description="涉案物品 handed over")
    version: int = Field(description="changes with every step (the ETag follows it)")
    documents: list[DocumentStaff] = Field(default_factory=list, description="the package documents")
    deadlines: list[DeadlinePublic] = Field(default_factory=list, description="the limits started so far")


class ReferralStaffList(BaseModel):
    """A page of referrals."""

    items: list[ReferralStaff] = Field(description="referrals in id order")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")


class DeadlineWarningPublic(BaseModel):
    """A limit needing attention, with the referral it belongs to."""

    referral_id: str = Field(description="referral id")
    case_number: str = Field(description="行政案件编号")
    police_unit: str = Field(description="公安机关")
    status: str = Field(description="the referral's status")
    deadline: DeadlinePublic = Field(description="the limit")


class DeadlineWarningList(BaseModel):
    """期限预警: limits at risk or overdue, the most urgent first."""

    items: list[DeadlineWarningPublic] = Field(description="the most urgent first")


class ConsultationCreate(_StaffInput):
    held_on: LegalDate = Field(description="会商日期")
    participants: list[Text] = Field(min_length=1, max_length=100, description="参会人员 (单位 + 姓名)")
    topic: Text = Field(min_length=1, max_length=2000, description="议题")
    outcome: Text = Field(min_length=1, max_length=10000, description="会商结果")
    police_unit: Name | None = Field(default=None, max_length=200)
    referral_ids: list[Text] = Field(default_factory=list, max_length=100)


class ConsultationPublic(BaseModel):
    """A joint consultation (联席会商) with the police."""

    id: str = Field(description="consultation id")
    held_on: date = Field(description="会商日期")
    participants: list[str] = Field(description="参会人员")
    topic: str = Field(description="议题")
    outcome: str = Field(description="会商结果")
    police_unit: str | None = Field(description="公安机关 taking part")
    referral_ids: list[str] = Field(description="linked referrals (those the reader reaches)")
    recorded_by: str = Field(description="who recorded it")


class ConsultationList(BaseModel):
    """A page of consultations."""

    items: list[ConsultationPublic] = Field(description="consultations in id order")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")


# --- procuratorate deliveries -------------------------------------------------------------------------------


class DeliveryPublic(BaseModel):
    """A copy to the procuratorate (抄送检察院) in the delivery ledger."""

    id: str = Field(description="delivery id (sent as the copy's Idempotency-Key)")
    referral_id: str = Field(description="the referral copied")
    kind: str = Field(description="transfer | supervision: the step that made the copy")
    status: str = Field(description="pending | delivered | failed")
    attempts: int = Field(description="sends tried so far")
    last_status_code: int | None = Field(description="HTTP status of the last attempt")
    last_error: str | None = Field(description="what went wrong last")
    created_at: datetime = Field(description="when the copy was staged (with its step)")
    last_attempt_at: datetime | None = Field(description="when it was last tried")
    delivered_at: datetime | None = Field(description="when the procuratorate took it")


class DeliveryList(RootModel[list[DeliveryPublic]]):
    """The delivery ledger, oldest first (at most 100)."""


# --- statistics ---------------------------------------------------------------------------------------------


class TimeToDecisionPublic(BaseModel):
    """Days from transfer to the police's first decision."""

    count: int = Field(description="referrals decided")
    mean_days: float | None = Field(description="mean days (2 decimals); null when none was decided")
    median_days: float | None = Field(description="median days; null when none was decided")
    max_days: int | None = Field(description="longest; null when none was decided")


class YearStatisticsPublic(BaseModel):
    """Referrals sent in a year (Asia/Shanghai) for the annual report (年度执法报告)."""

    model_config = ConfigDict(from_attributes=True)

    year: int = Field(description="the year")
    total: int = Field(description="referrals sent in it")
    by_medium: dict[str, int] = Field(description="by 环境要素, every medium listed")
    by_outcome: dict[str, int] = Field(description="accepted | declined | returned | pending")
    by_medium_and_outcome: dict[str, dict[str, int]] = Field(description="medium → outcome → count")
    time_to_decision: TimeToDecisionPublic = Field(description="days to the police's first decision")
