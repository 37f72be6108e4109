"""Request and answer models of the cases API, grouped by resource (one comment line per resource)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from services.cases.domain.history import CaseAction
from services.cases.domain.identifiers import is_valid_credit_code, is_valid_id_number
from services.cases.domain.local_time import today
from services.cases.domain.preservation import preservation_status
from services.cases.domain.stages import Stage
from shared.bounds import MAX_DAYS, LegalDate, LegalDateTime
from shared.contracts.common import DecisionKind, Medium, PartyType, PenaltyTerms
from shared.fields import MAX_FEN, Fen, Name, Text


class Input(BaseModel):
    """A request body: unknown fields are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# Parties (当事人)


class PartyCreate(BaseModel):
    """当事人 as named on a decision or entered in the register."""

    model_config = ConfigDict(extra="forbid")

    party_id: Text | None = Field(default=None, max_length=36)
    party_type: PartyType
    name: Name = Field(min_length=1, max_length=200, description="名称或姓名")
    credit_code: Text | None = Field(default=None, description="统一社会信用代码 (GB 32100-2015)")
    id_number: Text | None = Field(default=None, description="居民身份证号码 (GB 11643); never published")
    legal_representative: Name | None = Field(default=None, max_length=100, description="法定代表人")
    address: Text | None = Field(default=None, max_length=300)
    town: Name | None = Field(default=None, max_length=50, description="街镇")

    @model_validator(mode="after")
    def _check_identifiers(self) -> Self:
        if self.credit_code is not None and not is_valid_credit_code(self.credit_code):
            raise ValueError("统一社会信用代码校验位错误 invalid unified social credit code (check character)")
        if self.id_number is not None and not is_valid_id_number(self.id_number):
            raise ValueError("身份证号码校验位错误 invalid resident ID number (check character)")
        if self.party_type == PartyType.ORGANISATION and not self.credit_code:
            raise ValueError("organisations need a unified social credit code")
        if self.party_type == PartyType.INDIVIDUAL and self.credit_code:
            raise ValueError("individuals have a resident ID number, not a credit code")
        return self


class DecisionParty(PartyCreate):
    """当事人 as named on a decision: the register's fields and the contact details the decision records. They
    travel to disclosure only so that redaction finds them wherever the text repeats them; they are never published."""

    phone: Text | None = Field(default=None, max_length=40, description="联系电话; never published")
    legal_representative_id_number: Text | None = Field(
        default=None, description="法定代表人居民身份证号码 (GB 11643); never published"
    )

    @model_validator(mode="after")
    def _check_contact(self) -> Self:
        if self.phone is not None and not 7 <= sum(c.isdigit() for c in self.phone) <= 20:
            raise ValueError("联系电话须有7至20位数字 a phone number has 7 to 20 digits")
        number = self.legal_representative_id_number
        if number is not None and not is_valid_id_number(number):
            raise ValueError("法定代表人身份证号码校验位错误 invalid representative's ID number (check character)")
        if number is not None and self.party_type == PartyType.INDIVIDUAL:
            raise ValueError("individuals have no legal representative's ID number")
        return self


class PartyPublic(BaseModel):
    id: str
    party_type: PartyType
    name: str
    credit_code: str | None
    id_number: str | None
    legal_representative: str | None
    address: str | None
    town: str | None
    version: int


class PartyList(BaseModel):
    items: list[PartyPublic]
    next_cursor: str | None


# Teams and officers (执法队, 执法人员)

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


# Inspections (现场检查)


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


# Leads (线索)


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


# Cases (案件)


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


class CaseCreate(Input):
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


# Review meetings (案件审议会)


class Attendee(Input):
    name: Name = Field(min_length=1, max_length=100)
    role: Text = Field(default="", max_length=100)
    legal_counsel: bool = Field(default=False, description="法律顾问")


class ReviewMeetingItem(Input):
    case_id: Text = Field(max_length=36)
    outcome: Text = Field(min_length=1, max_length=2_000, description="审议结果")
    notes: Text = Field(default="", max_length=5_000)


class ReviewMeetingCreate(Input):
    """案件审议会."""

    held_on: LegalDate
    attendees: list[Attendee] = Field(min_length=3, max_length=50)
    items: list[ReviewMeetingItem] = Field(min_length=1, max_length=100)
    minutes: Text = Field(min_length=1, max_length=50_000)


class ReviewMeetingPublic(BaseModel):
    id: str
    held_on: date
    attendees: list[dict[str, Any]]
    items: list[dict[str, Any]]
    minutes: str


# Referrals to the police (涉嫌犯罪移送)


class ReferralFacts(Input):
    """Facts compared with the serious-pollution thresholds (法释〔2023〕7号)."""

    hazardous_waste_tonnes: float | None = Field(default=None, ge=0)
    heavy_metal_multiple: dict[Text, float] = Field(default_factory=dict, description="e.g. {'Pb': 3.4}")
    illegal_gains_fen: Fen | None = Field(default=None)
    water_intake_interrupted_hours: float | None = Field(default=None, ge=0)
    prior_penalties_two_years: int | None = Field(default=None, ge=0, le=1000)
    monitoring_tampering: int | None = Field(default=None, ge=0, le=1)
    hidden_discharge: int | None = Field(default=None, ge=0, le=1)


class ReferralCreate(Input):
    offence: Text = Field(min_length=1, max_length=100, description="涉嫌罪名")
    medium: Medium
    summary: Text = Field(min_length=1, max_length=20_000)
    police_unit: Name = Field(min_length=1, max_length=100)
    package_items: list[Text] = Field(min_length=1, max_length=100, description="移送材料清单")
    facts: ReferralFacts = Field(default_factory=ReferralFacts)
    approved_on: LegalDate


class ReferralPublic(BaseModel):
    id: str
    case_id: str
    offence: str
    medium: str
    police_unit: str
    package_items: list[str]
    threshold_hints: list[str]
    requested_on: date
    status: str


# Evidence (证据)


class EvidencePublic(BaseModel):
    id: str
    case_id: str
    kind: str
    filename: str
    content_type: str
    sha256: str
    size_bytes: int
    captured_by: str
    captured_at: datetime
    uploaded_by: str


class EvidenceCheck(BaseModel):
    """One stored file re-hashed."""

    evidence_id: str = Field(description="证据 id")
    sha256: str = Field(description="the SHA-256 recorded at upload")
    status: Literal["ok", "missing", "altered"] = Field(
        description="ok: the file hashes to the recorded SHA-256; missing: the store no longer holds it; "
        "altered: its content changed (篡改)"
    )
    actual_sha256: str | None = Field(description="what the stored content hashes to now; null when missing")


class EvidenceVerification(BaseModel):
    """证据校验: every stored file of the case re-hashed."""

    ok: bool = Field(description="true when every file is present and unaltered")
    items: list[EvidenceCheck] = Field(description="one check per evidence item, oldest first")


# Case history (案件记录)

HISTORY_ACTIONS = """What happened, one of a closed set: ``filed`` 立案; ``stage_changed`` 阶段变更 (``from_stage`` →
``to_stage``; issuing the decision and serving it are stage changes too); ``clock_stopped`` / ``clock_resumed``
期限中止、恢复; ``extended`` 延长办案期限; ``discussed`` 案件审议会审议; ``evidence_added`` 证据上传;
``evidence_preserved`` / ``evidence_disposed`` 先行登记保存及处理决定; ``execution_recorded`` 缴款、催告;
``referral_requested`` 移送申请, then the police's ``referral_received`` 签收, ``referral_accepted`` 立案,
``referral_declined`` 不予立案, ``referral_returned`` 退回; ``decision_revoked`` / ``decision_amended``
决定书撤销、变更; ``publicity_published`` / ``publicity_withdrawn`` / ``publicity_overdue`` 公示、撤回公示、公示逾期."""


class HistoryEntry(BaseModel):
    """One entry of the case's history, as kept in the hash-chained audit log."""

    seq: int = Field(description="position in the bureau-wide audit log (gapless)")
    at: datetime = Field(description="when it was recorded")
    actor: str = Field(description="who did it: a staff login, or the service whose event caused it")
    action: CaseAction = Field(description=HISTORY_ACTIONS)
    from_stage: Stage | None = Field(default=None, description="stage_changed: the stage left; else null")
    to_stage: Stage | None = Field(default=None, description="stage_changed: the stage entered; else null")
    data: dict[str, Any] = Field(description="what the step recorded (its fields depend on the action)")
    hash: str = Field(description="this entry's SHA-256 in the audit chain")


class CaseHistory(BaseModel):
    """案件记录: every change of the case, oldest first, and whether the audit chain is intact."""

    case_id: str = Field(description="案件 id")
    chain_intact: bool = Field(description="false if any audit row was altered or removed (the whole log is checked)")
    chain_checked: int = Field(description="audit rows found intact before the first break")
    entries: list[HistoryEntry] = Field(description="the case's entries, oldest first")


# Evidence registered and preserved (先行登记保存)


class PreservationCreate(Input):
    """先行登记保存 (行政处罚法 §56): evidence that may be lost, registered and kept where it is, with the head's
    approval; a disposal decision is due within 7 working days."""

    items: list[Text] = Field(min_length=1, max_length=500, description="登记保存物品清单")
    place: Text = Field(min_length=1, max_length=300, description="保存地点")
    preserved_on: LegalDate = Field(description="先行登记保存之日")
    head_approval: bool = Field(default=False, description="负责人批准")


class PreservationDisposal(Input):
    """处理决定 on preserved evidence, within 7 working days of the preservation."""

    disposed_on: LegalDate
    disposal: Literal["evidence_secured", "testing", "confiscation", "release", "transfer"] = Field(
        description="evidence_secured 记录、复制、拍照、录像等证据保全; testing 送交检测、检验、鉴定; "
        "confiscation 依法没收 (by a penalty decision); release 解除先行登记保存; transfer 移送有关机关"
    )
    note: Text = Field(default="", max_length=5_000)


class PreservationPublic(BaseModel):
    id: str
    case_id: str
    items: list[str]
    place: str
    preserved_on: date
    dispose_by: date
    due_provisional: bool
    disposed_on: date | None
    disposal: str | None
    disposal_note: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Literal["preserved", "disposed", "lapsed"]:
        return preservation_status(self.disposed_on, self.dispose_by, on=today())  # type: ignore[return-value]


# Deadline watch list (期限预警)


class DeadlineItem(BaseModel):
    case_id: str | None
    lead_id: str | None = None
    case_number: str | None
    step: str
    due_on: date
    opens_on: date | None = Field(
        default=None,
        description="court_enforcement: the first day the bureau may apply (申请法院强制执行); due_on is the last",
    )
    overdue: bool
    provisional: bool


class DeadlineList(BaseModel):
    as_of: date
    within: int
    items: list[DeadlineItem]


# Statistics (执法统计)


class CaseStatistics(BaseModel):
    """季度、年度执法统计 of a year or a quarter; every count is present, zero included."""

    year: int = Field(description="统计年度")
    quarter: int | None = Field(description="季度 1–4; null for the whole year")
    inspections: int = Field(description="现场检查 recorded in the period")
    leads: int = Field(description="线索 received")
    cases_filed: int = Field(description="立案")
    cases_closed: int = Field(description="结案")
    decisions_by_kind: dict[str, int] = Field(description="决定书 by kind (revoked ones left out)")
    fines_total_fen: int = Field(description="罚款 total of those decisions, in fen")
    confiscation_total_fen: int = Field(description="没收违法所得、非法财物 total, in fen")
    review_meetings: int = Field(description="案件审议会 held")
    cases_reviewed: int = Field(description="cases discussed at those meetings")
    referrals_by_medium: dict[str, int] = Field(description="涉嫌犯罪移送 requested, by environmental medium")


# Decisions (决定书)


class SeizureTerms(BaseModel):
    """查封扣押: items, term (≤ 30 days, +30), or the release of an earlier seizure."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["seize", "extend", "release"] = "seize"
    items: list[Text] = Field(default_factory=list, max_length=500)
    term_days: int | None = Field(default=None, ge=1)
    starts_on: LegalDate | None = None
    head_approval: bool = Field(default=False, description="负责人书面批准")
    related_decision_id: Text | None = Field(default=None, max_length=36)


class DailyPenaltyTerms(BaseModel):
    """按日连续处罚: after an order to correct and a covert recheck."""

    model_config = ConfigDict(extra="forbid")

    order_decision_id: Text | None = Field(default=None, max_length=36)
    recheck_on: LegalDate
    daily_amount_fen: int = Field(ge=1, le=MAX_FEN)
    days: int = Field(ge=1)

    @model_validator(mode="after")
    def _total_within_ceiling(self) -> Self:
        if self.daily_amount_fen * self.days > MAX_FEN:
            raise ValueError(f"按日罚款总额超过上限 daily_amount_fen × days is over {MAX_FEN} fen")
        return self


class RestrictionTerms(BaseModel):
    """限产、停产整治: ≤ 3 months, +3."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["restrict", "halt"]
    months: int = Field(ge=1, le=MAX_DAYS // 30)
    extension: bool = False


class DecisionCreate(BaseModel):
    """Issue a decision (作出决定). The document number is allocated by the service."""

    model_config = ConfigDict(extra="forbid")

    kind: DecisionKind
    case_id: Text | None = Field(default=None, max_length=36)
    decided_on: LegalDate = Field(description="决定日期")
    party: DecisionParty
    facts: Text = Field(min_length=1, max_length=20_000, description="违法事实")
    legal_basis: Text = Field(min_length=1, max_length=5_000, description="法律依据")
    violation_type: Text = Field(default="", max_length=200)
    penalty: PenaltyTerms = Field(default_factory=PenaltyTerms)
    evidence_summary: Text = Field(default="", max_length=20_000, description="证据")
    discretion: Text = Field(default="", max_length=5_000, description="裁量理由")
    statements_adopted: bool | None = Field(default=None, description="陈述申辩是否采纳")
    penalty_valid_until: LegalDate | None = Field(default=None, description="处罚有效期")
    licence_name: Text | None = Field(default=None, max_length=200)
    licence_number: Text | None = Field(default=None, max_length=100)
    seizure: SeizureTerms | None = None
    daily_penalty: DailyPenaltyTerms | None = None
    restriction: RestrictionTerms | None = None
    remarks: Text = Field(default="", max_length=2_000)
    simple_procedure: bool = Field(
        default=False,
        description="适用简易程序（当场处罚, 行政处罚法 §51）: only a warning, or a fine ≤ ¥200 (individual, "
        "sole trader) or ≤ ¥3,000 (organisation); made outside a case file",
    )

    @model_validator(mode="after")
    def _terms_match_kind(self) -> Self:
        given = {
            DecisionKind.SEIZURE: self.seizure,
            DecisionKind.DAILY_PENALTY: self.daily_penalty,
            DecisionKind.PRODUCTION_RESTRICTION: self.restriction,
        }
        for kind, terms in given.items():
            if terms is not None and kind != self.kind:
                raise ValueError(f"terms for {kind.value} given on a {self.kind.value} decision")
        if self.penalty.licence_measure and not self.licence_name:
            raise ValueError("a licence measure needs licence_name (许可证名称)")
        if self.penalty_valid_until is not None and self.penalty_valid_until < self.decided_on:
            raise ValueError("penalty_valid_until is before decided_on")
        return self


class DecisionPublic(BaseModel):
    id: str
    case_id: str | None
    kind: DecisionKind
    document_number: str
    decided_on: date
    party: dict[str, object]
    facts: str
    legal_basis: str
    violation_type: str
    penalty: dict[str, object]
    status: str
    issued_by: str
    created_at: datetime
    terms: dict[str, object] | None = None
    served_on: date | None = None
    service_method: str | None = None
    revoked_on: date | None = None
    change_reason: str | None = None
    version: int = 1


class ServiceRecord(BaseModel):
    """送达: date and method; electronic service only with the party's signed consent."""

    model_config = ConfigDict(extra="forbid")

    served_on: LegalDate
    method: Literal["on_the_spot", "direct", "mail", "electronic", "public_notice", "left_at_address", "entrusted"]
    electronic_consent: bool = False


class Revocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revoked_on: LegalDate
    reason: Text = Field(min_length=1, max_length=2_000)


class Amendment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amended_on: LegalDate
    reason: Text = Field(min_length=1, max_length=2_000)
    facts: Text | None = Field(default=None, min_length=1, max_length=20_000)
    legal_basis: Text | None = Field(default=None, min_length=1, max_length=5_000)
    penalty: PenaltyTerms | None = None
