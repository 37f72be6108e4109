"""The event catalogue of the design, as versioned payload contracts. A breaking change is a new ``vN``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.common import DecisionKind, Medium, PartySnapshot, PenaltyTerms
from shared.contracts.envelope import EventPayload

# --- cases → disclosure -------------------------------------------------------------------------------------


class DecisionIssuedV1(EventPayload):
    """A decision was issued (决定已作出); disclosure creates a publication due by the kind's deadline."""

    event_type = "cases.decision.issued.v1"

    decision_id: str
    case_id: str | None = Field(default=None, description="立案案件 id, if the decision belongs to a case")
    case_number: str | None = None
    kind: DecisionKind
    document_number: str = Field(description="文书编号, e.g. 津西青环罚〔2021〕12号")
    decided_on: date = Field(description="决定日期 (Asia/Shanghai)")
    party: PartySnapshot
    facts: str = Field(description="主要违法事实")
    legal_basis: str = Field(description="处罚依据")
    penalty: PenaltyTerms = Field(default_factory=PenaltyTerms)
    violation_type: str = Field(default="", description="违法行为类型")
    authority: str = Field(default="", description="作出决定机关")
    authority_credit_code: str = Field(default="", description="机关统一社会信用代码")
    penalty_categories: list[str] = Field(
        default_factory=list,
        description="处罚类别 (Credit China), e.g. 罚款, 没收违法所得, 警告, 暂扣许可证, 吊销许可证",
    )
    penalty_valid_until: date | None = Field(default=None, description="处罚有效期 (Credit China 处罚决定有效期)")
    licence_name: str | None = Field(default=None, description="暂扣或吊销的许可证名称")
    licence_number: str | None = Field(default=None, description="暂扣或吊销的许可证编号")
    evidence_summary: str = Field(default="", description="证据")
    discretion: str = Field(default="", description="裁量理由")
    statements_adopted: bool | None = Field(default=None, description="陈述申辩意见是否采纳")
    terms: dict[str, Any] = Field(
        default_factory=dict,
        description="kind-specific terms: seizure term and items, daily amount, restriction months",
    )
    remarks: str = Field(default="", description="备注")


class DecisionRevokedV1(EventPayload):
    """A published decision was changed, revoked, found unlawful or void: withdraw within 3 working days."""

    event_type = "cases.decision.revoked.v1"

    decision_id: str
    document_number: str
    revoked_on: date
    reason: str = Field(description="撤回理由, published with the notice")


class DecisionAmendedV1(EventPayload):
    """A decision was amended; disclosure withdraws the old text and republishes the new one."""

    event_type = "cases.decision.amended.v1"

    decision_id: str
    amended_on: date
    reason: str
    decision: DecisionIssuedV1 = Field(description="the decision as amended")


class CaseFiledV1(EventPayload):
    """立案."""

    event_type = "cases.case.filed.v1"

    case_id: str
    case_number: str
    filed_on: date
    party_name: str
    medium: Medium | None = None
    lead_id: str | None = Field(
        default=None, description="the lead (线索) filed; a drawn inspection's lead shows its case"
    )


class CaseClosedV1(EventPayload):
    """结案."""

    event_type = "cases.case.closed.v1"

    case_id: str
    case_number: str
    closed_on: date
    outcome: str


class EvidenceReference(BaseModel):
    """An evidence file held by cases, referenced by a referral package by its content hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    evidence_id: str
    name: str = Field(description="file or item name, e.g. 现场检查笔录.pdf")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    checklist_item: str | None = Field(default=None, description="the package checklist item it belongs to")


class ReferralRequestedV1(EventPayload):
    """The head approved transferring a suspected crime (涉嫌犯罪案件移送) to the police."""

    event_type = "cases.referral.requested.v1"

    request_id: str
    case_id: str
    case_number: str
    party: PartySnapshot
    offence: str = Field(description="涉嫌罪名, e.g. 污染环境罪")
    medium: Medium
    summary: str
    police_unit: str = Field(description="receiving police unit, e.g. 西青公安分局")
    team: str | None = Field(
        default=None, description="执法队 of the case, e.g. 执法一队; the referral's officers are this team's"
    )
    package_items: list[str] = Field(default_factory=list, description="移送材料清单")
    threshold_hints: list[str] = Field(default_factory=list, description="serious-pollution thresholds met")
    approved_on: date
    approved_at: datetime | None = Field(
        default=None, description="moment of the head's approval; starts the 24-hour transfer limit"
    )
    reported_on: date | None = Field(
        default=None, description="date the case team reported to the head; starts the 3-day approval limit"
    )
    evidence: list[EvidenceReference] = Field(
        default_factory=list, description="cases' evidence files referenced by the package (移送材料 from 证据)"
    )


# --- referral → cases ---------------------------------------------------------------------------------------


class _ReferralOutcome(EventPayload):
    referral_id: str
    case_id: str
    police_unit: str
    at: datetime


class ReferralReceivedV1(_ReferralOutcome):
    """Police signed the receipt (签收); the case clock stops."""

    event_type = "referral.referral.received.v1"

    receiver: str


class ReferralAcceptedV1(_ReferralOutcome):
    """Police opened a criminal case (立案)."""

    event_type = "referral.referral.accepted.v1"

    police_case_number: str


class ReferralDeclinedV1(_ReferralOutcome):
    """Police declined to open a case (不予立案); the case clock resumes."""

    event_type = "referral.referral.declined.v1"

    reason: str


class ReferralReturnedV1(_ReferralOutcome):
    """Police returned the file (退回); the case clock resumes."""

    event_type = "referral.referral.returned.v1"

    reason: str


# --- monitoring → cases, disclosure -------------------------------------------------------------------------


class ExceedanceDetectedV1(EventPayload):
    """超标: a station exceeded its limit or target for a period; cases turns it into a lead (线索)."""

    event_type = "monitoring.exceedance.detected.v1"

    exceedance_id: str
    station_code: str = Field(description="HJ 212 MN")
    station_name: str
    station_kind: Literal["water_section", "air_station", "noise_point", "pollution_source"]
    town: str | None = None
    parameter: str
    value: float
    limit: float
    unit: str
    period_start: datetime
    period_end: datetime


class BulletinPublishedV1(EventPayload):
    """A monitoring bulletin (监测简报) was published."""

    event_type = "monitoring.bulletin.published.v1"

    bulletin_id: str
    kind: Literal["air_daily", "air_weekly", "air_monthly", "water_monthly", "noise_annual"]
    period_start: date
    period_end: date
    title: str
    summary: str
    html: str = Field(description="the bulletin as Chinese HTML")


# --- disclosure → cases -------------------------------------------------------------------------------------


class PublicationPublishedV1(EventPayload):
    """公示已发布."""

    event_type = "disclosure.publication.published.v1"

    publication_id: str
    decision_id: str
    document_number: str
    published_on: date
    due_on: date
    on_time: bool


class PublicationWithdrawnV1(EventPayload):
    """公示已撤回."""

    event_type = "disclosure.publication.withdrawn.v1"

    publication_id: str
    decision_id: str
    withdrawn_on: date
    reason: str


class PublicationOverdueV1(EventPayload):
    """公示逾期: the first day after the due date with the decision unpublished."""

    event_type = "disclosure.publication.overdue.v1"

    publication_id: str
    decision_id: str
    document_number: str
    due_on: date


# --- cases → disclosure: random inspections (双随机、一公开), published by a later piece of work ----------------


class DrawnInspection(BaseModel):
    """One drawn entity with its two officers, named by their credential numbers (执法证号)."""

    model_config = ConfigDict(frozen=True)

    entity_id: str = Field(description="监管对象 id")
    party_id: str = Field(description="当事人 id")
    name: str = Field(description="监管对象名称")
    officer_credential_numbers: list[str] = Field(description="the two officers' 执法证号")
    planned_inspection_id: str = Field(description="the planned inspection made from it")


class InspectionDrawCommittedV1(EventPayload):
    """抽查计划: a draw was created; its inputs are frozen and the SHA-256 of its secret seed is published."""

    event_type = "cases.inspection_draw.committed.v1"

    draw_id: str
    category: str = Field(description="key_polluter 重点排污单位, ordinary 一般排污单位, special 特殊监管对象")
    period_kind: str = Field(description="month, quarter or year")
    year: int
    period_number: int | None = Field(default=None, description="month 1–12 or quarter 1–4")
    starts_on: date
    ends_on: date = Field(description="the planned inspections are due by this day")
    count: int = Field(description="entities to draw")
    basis: str = Field(description="where the count comes from (抽查比例 and its legal basis, or the head's count)")
    commitment: str = Field(description="SHA-256 (hex) of the seed; the executed event reveals the seed")
    eligible: int = Field(description="entities eligible for the draw")
    redraw_of: str | None = Field(default=None, description="the draw this one replaces (重新抽取)")
    reason: str | None = Field(default=None, description="why it was redrawn")
    inputs_sha256: str | None = Field(
        default=None,
        description="SHA-256 (hex) of the frozen inputs as canonical JSON (keys sorted, no spaces, UTF-8), so the "
        "inputs the executed event reveals can be checked against what was fixed before the draw",
    )


class InspectionDrawExecutedV1(EventPayload):
    """抽查结果: the seed is revealed; anyone can recompute the result from it and the inputs (cases README)."""

    event_type = "cases.inspection_draw.executed.v1"

    draw_id: str
    commitment: str
    seed: str = Field(description="hex; SHA-256 of its bytes is the commitment")
    public_entropy: str | None = Field(default=None, description="public value mixed into the key")
    inputs: dict[str, Any] = Field(description="the frozen inputs: entities, excluded, officers, conflicts, ...")
    entity_names: dict[str, str] = Field(description="监管对象 id → 名称, for every entity of the inputs")
    officer_credential_numbers: dict[str, str] = Field(description="执法人员 id → 执法证号, for every pool officer")
    results: list[DrawnInspection] = Field(description="drawn entities in rank order")
    superseded_draw_id: str | None = Field(default=None, description="the draw this redraw replaced")
    entity_party_types: dict[str, str] = Field(
        default_factory=dict,
        description="监管对象 id → organisation or sole_trader (个体工商户: a natural person's name, masked in public)",
    )


class PlannedInspectionCarriedOutV1(EventPayload):
    """抽查结果公开: a drawn entity was inspected, with the result."""

    event_type = "cases.planned_inspection.carried_out.v1"

    planned_inspection_id: str
    draw_id: str
    entity_id: str
    name: str = Field(description="监管对象名称")
    inspected_on: date = Field(description="检查日期 (Asia/Shanghai)")
    result: str = Field(description="compliant 未发现问题, violation_found 发现违法问题, not_operating 停产关闭")
    officer_credential_numbers: list[str] = Field(description="执法证号 of the inspecting officers")
    lead_id: str | None = Field(default=None, description="the lead (线索) the inspection opened, if any")


# --- cases → disclosure: the register of officers, published before enforcement (事前公开) -------------------------


class _OfficerRecord(EventPayload):
    """The officer as the public list shows it: by law (国办发〔2018〕118号) an officer's name and credential number
    are published; nothing else personal travels here (no phone, ID number or login)."""

    officer_id: str = Field(description="执法人员 id")
    version: int = Field(description="the register row's version; a consumer keeps the highest it has seen")
    name: str = Field(description="姓名")
    credential_number: str = Field(description="执法证号")
    unit: str = Field(description="执法单位 (the bureau)")
    team: str | None = Field(default=None, description="执法队")
    credential_valid_until: date | None = Field(default=None, description="执法证有效期至; null: no end recorded")
    active: bool = Field(description="false once deactivated (停用)")
    credential_valid_from: date | None = Field(
        default=None, description="执法证有效期自; null: not recorded (and in events sent before it was)"
    )


class OfficerRegisteredV1(_OfficerRecord):
    """An officer was entered in the register (登记执法人员)."""

    event_type = "cases.officer.registered.v1"


class OfficerChangedV1(_OfficerRecord):
    """An officer's record changed (e.g. a renewed credential's new end date)."""

    event_type = "cases.officer.changed.v1"


class OfficerDeactivatedV1(_OfficerRecord):
    """An officer was deactivated (停用): off the public list from now on, kept in its history."""

    event_type = "cases.officer.deactivated.v1"


class InspectionRatesChangedV1(EventPayload):
    """抽查比例: a dated row of the random inspection rates was entered or corrected (also the first rows, loaded
    from the service's data file); the public draw plan shows the rows in force."""

    event_type = "cases.inspection_rates.changed.v1"

    rate_id: str
    effective_from: date = Field(description="the row is in force from this day until the next row's")
    rates: dict[str, dict[str, Any]] = Field(
        description="category → {per: month|quarter|year, proportion: decimal string} or {per, count}"
    )
    skip_inspected_within_months: int = Field(description="entities inspected in this many months are left out")
    basis: str = Field(description="the scheme the numbers come from (国家或天津市方案)")
    document_number: str = Field(default="", description="its document number (文号)")
    confirmed: bool = Field(description="checked against the scheme's text")
    version: int = Field(description="the row's version; a later version replaces an earlier one")


CATALOGUE: tuple[type[EventPayload], ...] = (
    DecisionIssuedV1,
    DecisionRevokedV1,
    DecisionAmendedV1,
    CaseFiledV1,
    CaseClosedV1,
    InspectionDrawCommittedV1,
    InspectionDrawExecutedV1,
    PlannedInspectionCarriedOutV1,
    ReferralRequestedV1,
    ReferralReceivedV1,
    ReferralAcceptedV1,
    ReferralDeclinedV1,
    ReferralReturnedV1,
    ExceedanceDetectedV1,
    BulletinPublishedV1,
    PublicationPublishedV1,
    PublicationWithdrawnV1,
    PublicationOverdueV1,
    OfficerRegisteredV1,
    OfficerChangedV1,
    OfficerDeactivatedV1,
    InspectionRatesChangedV1,
)

BY_TYPE: dict[str, type[EventPayload]] = {cls.event_type: cls for cls in CATALOGUE}
TOPICS: tuple[str, ...] = tuple(sorted({cls.topic() for cls in CATALOGUE}))
