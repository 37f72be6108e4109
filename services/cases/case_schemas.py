"""Request and response models of the case file: officers, inspections, leads, cases, meetings, referrals."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.cases.domain.stages import Stage
from shared.bounds import LegalDate, LegalDateTime
from shared.contracts.common import Medium
from shared.fields import Fen, Name, Text


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


REVIEW_STARTED = (
    "初次从事法制审核工作的日期: from 2021-07-15 on (行政处罚法 §58 ¶2) the legal qualification is required; "
    "earlier starters may review without it; not recorded counts as starting now"
)


class TeamCreate(Input):
    name: Name = Field(min_length=1, max_length=100, description="执法队")


class TeamPublic(BaseModel):
    id: str
    name: str


class OfficerCreate(Input):
    name: Name = Field(min_length=1, max_length=100)
    credential_number: Text = Field(min_length=4, max_length=50, description="执法证号")
    credential_valid_until: LegalDate | None = None
    legal_qualification: bool = Field(default=False, description="法律职业资格 (required for legal reviewers)")
    legal_review_started_on: LegalDate | None = Field(default=None, description=REVIEW_STARTED)
    team_id: Text | None = Field(default=None, max_length=36)
    subject: Text | None = Field(default=None, max_length=200, description="login subject of this officer")


class OfficerUpdate(Input):
    """What changes in an officer's record: the qualification obtained later, the review work's start date."""

    legal_qualification: bool | None = None
    legal_review_started_on: LegalDate | None = Field(default=None, description=REVIEW_STARTED)


class OfficerPublic(BaseModel):
    id: str
    name: str
    subject: str | None
    credential_number: str
    credential_valid_until: date | None
    legal_qualification: bool
    legal_review_started_on: date | None
    team_id: str | None
    active: bool
    version: int


class InspectionCreate(Input):
    """现场检查."""

    inspected_at: LegalDateTime
    place: Text = Field(min_length=1, max_length=300)
    party_id: Text | None = Field(default=None, max_length=36)
    officer_ids: list[Text] = Field(max_length=20, description="at least two officers with valid credentials")
    findings: Text = Field(min_length=1, max_length=20_000)
    open_lead: bool = Field(default=False, description="open a lead (线索) from the findings")


class InspectionPublic(BaseModel):
    id: str
    inspected_at: datetime
    place: str
    party_id: str | None
    officer_ids: list[str]
    findings: str
    lead_id: str | None


class LeadSource(StrEnum):
    INSPECTION = "inspection"  # 现场检查
    COMPLAINT = "complaint"  # 12369 热线、来信来访
    MONITORING = "monitoring"  # 监测超标
    AGENCY = "agency"  # 其他部门移交
    POLICE = "police"  # 公安机关
    OTHER = "other"


class LeadCreate(Input):
    source: LeadSource
    received_on: LegalDate
    summary: Text = Field(min_length=1, max_length=20_000)
    party_id: Text | None = Field(default=None, max_length=36)
    town: Name | None = Field(default=None, max_length=50)


class LeadPublic(BaseModel):
    id: str
    source: str
    received_on: date
    summary: str
    party_id: str | None
    town: str | None
    inspection_id: str | None
    exceedance_id: str | None
    details: dict[str, Any] | None
    status: str
    extended: bool
    due_on: date
    decided_by: str | None
    decline_reason: str | None
    case_id: str | None
    version: int


class LeadList(BaseModel):
    items: list[LeadPublic]
    next_cursor: str | None


class LeadDecline(Input):
    reason: Text = Field(min_length=1, max_length=5_000)
    decided_on: LegalDate


class CaseFlags(Input):
    complex_case: bool = Field(default=False, description="案情复杂")
    major_public_interest: bool = Field(default=False, description="涉及重大公共利益")
    multi_law: bool = Field(default=False, description="涉及多个法律关系")
    head_referred: bool = Field(default=False, description="负责人提交集体讨论")


class ViolationPeriod(Input):
    """违法行为 dates for the time bar (追诉时效, 行政处罚法 §36), checked against the lead's date (when the bureau
    discovered the violation). Leave out when the dates are not known."""

    committed_on: LegalDate = Field(description="违法行为发生之日")
    ended_on: LegalDate | None = Field(
        default=None, description="连续或者继续状态终了之日 (a continuing violation: the time bar counts from here)"
    )
    serious_harm: bool = Field(
        default=False, description="涉及公民生命健康安全、金融安全且有危害后果 (time bar 5 years instead of 2)"
    )

    @model_validator(mode="after")
    def _ends_after_it_began(self) -> Self:
        if self.ended_on is not None and self.ended_on < self.committed_on:
            raise ValueError("ended_on is before committed_on")
        return self


class CaseFile(Input):
    """立案 (the head's decision on a lead)."""

    lead_id: Text = Field(max_length=36)
    party_id: Text = Field(max_length=36)
    filed_on: LegalDate
    investigator_ids: list[Text] = Field(max_length=10, description="≥ 2 officers with valid credentials")
    medium: Medium | None = None
    summary: Text = Field(min_length=1, max_length=20_000)
    team: Name | None = Field(default=None, max_length=100, description="执法队; defaults to the investigators'")
    flags: CaseFlags = Field(default_factory=CaseFlags)
    violation: ViolationPeriod | None = Field(default=None, description="违法行为时间, for the time bar")


class ProposedPenalty(Input):
    fine_fen: Fen = Field(default=0)
    confiscation_fen: Fen = Field(default=0)
    licence_revocation: bool = False
    production_halt: bool = False


class Transition(Input):
    """Move a case to its next stage; the fields the target stage needs."""

    to: Stage
    on: LegalDate = Field(description="date of the step (Asia/Shanghai)")
    note: Text = Field(default="", max_length=5_000)
    reason: Text | None = Field(default=None, max_length=2_000)
    reviewer_id: Text | None = Field(default=None, max_length=36, description="审查人员 (review)")
    proposed: ProposedPenalty | None = Field(default=None, description="拟处罚 (notice)")
    notice_received_on: LegalDate | None = None
    hearing_requested_on: LegalDate | None = None
    hearing_notified_on: LegalDate | None = Field(
        default=None, description="听证通知送达日: at least 7 working days before the hearing (行政处罚法 §64(二))"
    )
    hearing_on: LegalDate | None = Field(default=None, description="举行听证的日期 as notified")
    hearing_held_on: LegalDate | None = None
    party_answered_on: LegalDate | None = None
    legal_reviewer_id: Text | None = Field(default=None, max_length=36)
    legal_opinion: Literal["agree", "improve", "disagree"] | None = None
    meeting_id: Text | None = Field(default=None, max_length=36)
    paid_on: LegalDate | None = None


class ClockStopStart(Input):
    reason: Literal["testing", "appraisal", "public_notice", "service"]
    started_on: LegalDate


class ClockStopEnd(Input):
    ended_on: LegalDate


class Extension(Input):
    """延长办案期限: +30 days by the head; a further extension only by collective discussion (案件审议会), which sets
    its period at the same time (``days``, no fixed length)."""

    by: Literal["head", "collective_discussion"]
    meeting_id: Text | None = Field(default=None, max_length=36, description="the meeting that decided it")
    days: int | None = Field(default=None, ge=1, le=365, description="the period the meeting set (collective only)")


class ExecutionRecord(Input):
    """执行: payment received (缴纳) and/or the formal demand (催告) before court enforcement."""

    paid_on: LegalDate | None = None
    demand_on: LegalDate | None = None
    paid_fen: Fen | None = Field(default=None, description="amount paid, surcharge included")


class CasePublic(BaseModel):
    id: str
    case_number: str
    lead_id: str | None
    party_id: str
    party_name: str
    town: str | None
    team: str | None
    medium: str | None
    summary: str
    stage: Stage
    investigators: list[str]
    reviewer_id: str | None
    legal_reviewer_id: str | None
    legal_opinion: str | None
    flags: dict[str, bool]
    proposed: dict[str, Any]
    filed_on: date
    decision_due_on: date
    head_extension: bool
    collective_extension: bool
    collective_extension_days: int | None
    notice_on: date | None
    notice_received_on: date | None
    answer_due_on: date | None
    hearing_requested_on: date | None
    hearing_notified_on: date | None = None
    hearing_on: date | None = None
    hearing_held_on: date | None
    meeting_id: str | None
    decision_id: str | None
    decided_on: date | None
    served_on: date | None
    money_due_fen: int
    paid_on: date | None
    demand_on: date | None
    closed_on: date | None
    outcome: str | None
    referral_requested: bool
    police_decision: str | None
    publicity: list[dict[str, Any]]
    violation: dict[str, Any] | None = None
    version: int


class CaseList(BaseModel):
    items: list[CasePublic]
    next_cursor: str | None
