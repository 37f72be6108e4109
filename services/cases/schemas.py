"""Request and answer models of the cases API, grouped by resource (one comment line per resource)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from services.cases.domain.draws import EntityCategory, PeriodKind
from services.cases.domain.history import CaseAction
from services.cases.domain.identifiers import is_valid_credit_code, is_valid_id_number
from services.cases.domain.local_time import today
from services.cases.domain.preservation import preservation_status
from services.cases.domain.registry import InspectionResult
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
    id: str = Field(description="当事人 id")
    party_type: PartyType = Field(description="organisation 单位 or individual 个人")
    name: str = Field(description="名称或姓名")
    credit_code: str | None = Field(description="统一社会信用代码 (organisations)")
    id_number: str | None = Field(description="居民身份证号码 (individuals); never published")
    legal_representative: str | None = Field(description="法定代表人")
    address: str | None = Field(description="住所/地址")
    town: str | None = Field(description="街镇")
    version: int = Field(description="changes with every change; the ETag is made from it")


class PartyList(BaseModel):
    items: list[PartyPublic] = Field(description="this page of parties")
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last")


# Teams and officers (执法队, 执法人员)

REVIEW_STARTED = (
    "初次从事法制审核工作的日期: from 2021-07-15 on (行政处罚法 §58 ¶2) the legal qualification is required; "
    "earlier starters may review without it; not recorded counts as starting now"
)

VALID_FROM = "执法证有效期自: the first day the credential is valid (发证日期); null: not recorded, valid since issued"
VALID_UNTIL = "执法证有效期至: the last day the credential is valid; null: no end recorded"


class TeamCreate(Input):
    name: Name = Field(min_length=1, max_length=100, description="执法队")


class TeamPublic(BaseModel):
    id: str = Field(description="执法队 id")
    name: str = Field(description="执法队名称")


class OfficerCreate(Input):
    name: Name = Field(min_length=1, max_length=100)
    credential_number: Text = Field(min_length=4, max_length=50, description="执法证号")
    credential_valid_from: LegalDate | None = Field(default=None, description=VALID_FROM)
    credential_valid_until: LegalDate | None = Field(default=None, description=VALID_UNTIL)
    legal_qualification: bool = Field(default=False, description="法律职业资格 (required for legal reviewers)")
    legal_review_started_on: LegalDate | None = Field(default=None, description=REVIEW_STARTED)
    team_id: Text | None = Field(default=None, max_length=36)
    subject: Text | None = Field(default=None, max_length=200, description="login subject of this officer")


class OfficerUpdate(Input):
    """What changes in an officer's record: the qualification obtained later, the review work's start date, a
    renewed credential's valid period."""

    legal_qualification: bool | None = None
    legal_review_started_on: LegalDate | None = Field(default=None, description=REVIEW_STARTED)
    credential_valid_from: LegalDate | None = Field(default=None, description=f"{VALID_FROM} (renewed credential)")
    credential_valid_until: LegalDate | None = Field(default=None, description="执法证有效期至 (renewed credential)")


class OfficerPublic(BaseModel):
    id: str = Field(description="执法人员 id")
    name: str = Field(description="姓名")
    subject: str | None = Field(description="the officer's login subject, if linked")
    credential_number: str = Field(description="执法证号")
    credential_valid_from: date | None = Field(description="执法证有效期自; null: not recorded")
    credential_valid_until: date | None = Field(description="执法证有效期至; null: no end recorded")
    legal_qualification: bool = Field(
        description="法律职业资格 (needed by a legal reviewer who began after 2021-07-15)"
    )
    legal_review_started_on: date | None = Field(description="初次从事法制审核工作的日期; null: not recorded")
    team_id: str | None = Field(description="执法队 id")
    active: bool = Field(description="false once deactivated (停用); kept so past records still name the officer")
    version: int = Field(description="changes with every change; the ETag is made from it")


# Inspections (现场检查)


class InspectionCreate(Input):
    """现场检查."""

    inspected_at: LegalDateTime
    place: Text = Field(min_length=1, max_length=300)
    party_id: Text | None = Field(default=None, max_length=36)
    officer_ids: list[Text] = Field(max_length=20, description="at least two officers with valid credentials")
    findings: Text = Field(min_length=1, max_length=20_000)
    open_lead: bool = Field(default=False, description="open a lead (线索) from the findings")
    result: InspectionResult | None = Field(
        default=None, description="检查结果; not given: violation_found when a lead is opened, else compliant"
    )
    planned_inspection_id: Text | None = Field(
        default=None,
        max_length=36,
        description="the planned inspection of a random draw (双随机抽查) this carries out; its two drawn officers "
        "must be among the officers",
    )


class InspectionPublic(BaseModel):
    id: str = Field(description="现场检查 id")
    inspected_at: datetime = Field(description="检查时间")
    place: str = Field(description="检查地点")
    party_id: str | None = Field(description="被检查的当事人, if registered")
    officer_ids: list[str] = Field(description="检查人员 (≥ 2 with valid credentials)")
    findings: str = Field(description="检查情况")
    lead_id: str | None = Field(description="the lead it opened, if any")
    result: InspectionResult | None = Field(default=None, description="检查结果; null for inspections before 0006")
    planned_inspection_id: str | None = Field(default=None, description="the planned random inspection it carried out")


# Supervised entities (监管对象名录)


class SupervisedEntityPublic(BaseModel):
    id: str = Field(description="监管对象 id")
    party_id: str = Field(description="当事人 id (organisation or sole trader)")
    name: str = Field(description="名称")
    category: EntityCategory = Field(
        description="监管类别: key_polluter 重点排污单位, ordinary 一般排污单位, special 特殊监管对象"
    )
    town: str | None = Field(description="街镇")
    industry: str | None = Field(description="行业")
    active: bool = Field(description="false: no longer supervised, left out of draws")
    last_inspected_on: date | None = Field(description="最近一次检查日期")
    last_result: InspectionResult | None = Field(description="最近一次检查结果")
    last_officer_ids: list[str] = Field(description="最近一次检查的执法人员 (kept out of the next draw where possible)")
    version: int = Field(description="changes with every change; the ETag is made from it")


class SupervisedEntityList(BaseModel):
    items: list[SupervisedEntityPublic] = Field(description="this page of the registry")
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last")


class RegistryImportPublic(BaseModel):
    """名录导入: every line imported, or none (a bad line is a 422 listing every bad line)."""

    created: int = Field(description="entities added to the registry")
    updated: int = Field(description="entities whose category, town or industry the file changed")
    parties_registered: int = Field(description="当事人 registered from the file's name and party_type")


# Inspector pool (执法人员库) and exclusions (回避、休假)


class ExclusionKind(StrEnum):
    CONFLICT_OF_INTEREST = "conflict_of_interest"  # 利害关系回避, with one entity
    LEAVE = "leave"  # 休假、外出, from every draw of the period
    OTHER = "other"  # from every draw of the period, reason given


class InspectorExclusionCreate(Input):
    officer_id: Text = Field(max_length=36)
    entity_id: Text | None = Field(
        default=None, max_length=36, description="监管对象 id: required for a conflict of interest, else none"
    )
    kind: ExclusionKind
    reason: Text = Field(min_length=2, max_length=2000, description="事由")
    starts_on: LegalDate
    ends_on: LegalDate | None = Field(default=None, description="last day; null: until further notice")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.kind == ExclusionKind.CONFLICT_OF_INTEREST) != (self.entity_id is not None):
            raise ValueError("a conflict of interest names one entity; leave and other exclusions name none")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class InspectorExclusionPublic(BaseModel):
    id: str = Field(description="exclusion id")
    officer_id: str = Field(description="执法人员 id")
    entity_id: str | None = Field(description="监管对象 id of a conflict of interest; null: every entity")
    kind: ExclusionKind = Field(description="conflict_of_interest 回避, leave 休假, other")
    reason: str = Field(description="事由")
    starts_on: date = Field(description="first day")
    ends_on: date | None = Field(description="last day; null: open")
    recorded_by: str = Field(description="who recorded it")


class PoolOfficer(BaseModel):
    id: str = Field(description="执法人员 id")
    name: str = Field(description="姓名")
    credential_number: str = Field(description="执法证号")
    credential_valid_until: date | None = Field(description="执法证有效期至")
    available: bool = Field(description="false: on leave (or otherwise excluded from every entity) on the day")
    exclusions: list[InspectorExclusionPublic] = Field(description="exclusions in force on the day")


class PoolTeam(BaseModel):
    team_id: str | None = Field(description="执法队 id; null for officers without a team")
    team_name: str | None = Field(description="执法队名称")
    officers: list[PoolOfficer] = Field(description="active officers with valid credentials")


class InspectorPoolPublic(BaseModel):
    """执法人员库 on a day: the active officers with valid credentials, by team, with their exclusions."""

    on: date = Field(description="the day the pool is read for")
    teams: list[PoolTeam] = Field(description="by team name")


# Inspection draws (双随机抽查) and planned inspections


class InspectionDrawCreate(Input):
    """A draw for a period and category; inputs are frozen and the seed's SHA-256 published at once."""

    category: EntityCategory
    period: PeriodKind = Field(description="抽查周期: month, quarter or year")
    year: int = Field(ge=2000, le=2100)
    period_number: int | None = Field(default=None, ge=1, le=12, description="month 1–12 or quarter 1–4")
    count: int | None = Field(
        default=None, ge=0, le=100_000, description="entities to draw; default: the category's proportion (data)"
    )
    skip_inspected_within_months: int | None = Field(
        default=None, ge=0, le=60, description="leave out entities inspected in the last N months; default: data"
    )
    redraw_of: Text | None = Field(default=None, max_length=36, description="the draw this one replaces (重新抽取)")
    reason: Text | None = Field(default=None, min_length=2, max_length=2000, description="why a redraw is made")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.period == PeriodKind.YEAR and self.period_number is not None:
            raise ValueError("a yearly draw has no period_number")
        if self.period != PeriodKind.YEAR and self.period_number is None:
            raise ValueError(f"a {self.period.value} draw needs period_number")
        if self.period == PeriodKind.QUARTER and self.period_number is not None and self.period_number > 4:
            raise ValueError("quarters are numbered 1–4")
        if (self.redraw_of is None) != (self.reason is None):
            raise ValueError("a redraw names the draw it replaces and the reason; a first draw neither")
        return self


class DrawExecution(Input):
    public_entropy: Text | None = Field(
        default=None,
        max_length=200,
        description="a public value known only after the commitment (e.g. a lottery result), mixed into the key",
    )


class DrawInputsPublic(BaseModel):
    entities: list[str] = Field(description="the category's registry (监管对象 ids), in id order")
    excluded: dict[str, str] = Field(description="entity id → why not eligible (inspected_recently, drawn_this_period)")
    officers: list[str] = Field(description="the pool (执法人员 ids), in id order")
    conflicts: dict[str, list[str]] = Field(description="entity id → officers conflicted with it (回避)")
    last_officers: dict[str, list[str]] = Field(description="entity id → officers of its last inspection")
    count: int = Field(description="entities to draw")
    skip_inspected_within_months: int = Field(description="entities inspected in this many months were left out")
    rate: dict[str, Any] | None = Field(
        default=None,
        description="the 抽查比例 row in force on the period's first day: rate_id, effective_from, this category's "
        "rate (per, proportion or count), the exclusion rule, the basis and its document number",
    )


class DrawAssignment(BaseModel):
    entity_id: str = Field(description="监管对象 id")
    party_id: str = Field(description="当事人 id")
    name: str = Field(description="名称")
    officer_ids: list[str] = Field(description="the two officers drawn")
    credential_numbers: list[str] = Field(description="their 执法证号, in the same order")
    planned_inspection_id: str = Field(description="the planned inspection made from it")


class InspectionDrawPublic(BaseModel):
    id: str = Field(description="抽查 id")
    category: EntityCategory = Field(description="监管类别")
    period_kind: PeriodKind = Field(description="抽查周期")
    year: int = Field(description="年度")
    period_number: int | None = Field(description="month or quarter number; null for a year")
    starts_on: date = Field(description="first day of the period")
    ends_on: date = Field(description="last day of the period: the planned inspections' due date")
    status: str = Field(description="committed (seed hidden), executed (seed revealed), superseded (redrawn)")
    count: int = Field(description="entities to draw")
    basis: str = Field(description="where the count comes from (the proportion's legal basis, or the head's count)")
    commitment: str = Field(description="SHA-256 (hex) of the seed, published before the draw")
    seed: str | None = Field(description="the seed (hex), revealed by the execution; null before")
    public_entropy: str | None = Field(description="public value mixed into the key at execution")
    inputs: DrawInputsPublic = Field(description="the frozen inputs the result is computed from")
    result: list[DrawAssignment] | None = Field(description="drawn entities in rank order; null before execution")
    redraw_of: str | None = Field(description="the draw this one replaces")
    reason: str | None = Field(description="why it was redrawn")
    created_by: str = Field(description="who created it")
    executed_by: str | None = Field(description="who executed it")
    executed_at: datetime | None = Field(description="when")
    version: int = Field(description="changes with every change; the ETag is made from it")

    @model_validator(mode="after")
    def _hide_seed(self) -> Self:
        # The seed is secret until the execution: knowing it with the frozen inputs tells the result in advance.
        if self.status == "committed":
            self.seed = None
        return self


class InspectionDrawList(BaseModel):
    items: list[InspectionDrawPublic] = Field(description="this page of draws")
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last")


class PlannedInspectionPublic(BaseModel):
    id: str = Field(description="planned inspection id")
    draw_id: str = Field(description="the draw it comes from")
    entity_id: str = Field(description="监管对象 id")
    party_id: str = Field(description="当事人 id")
    officer_ids: list[str] = Field(description="the two drawn officers")
    due_on: date = Field(description="due by (last day of the draw's period)")
    status: str = Field(description="planned, done or cancelled (its draw was redrawn)")
    inspection_id: str | None = Field(description="the inspection that carried it out")


class PlannedInspectionList(BaseModel):
    items: list[PlannedInspectionPublic] = Field(description="this page of planned inspections")
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last")


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
    id: str = Field(description="线索 id")
    source: str = Field(description="来源: inspection, complaint, monitoring, agency, police, other")
    received_on: date = Field(description="受理日期")
    summary: str = Field(description="线索内容")
    party_id: str | None = Field(description="当事人, if known")
    town: str | None = Field(description="街镇")
    inspection_id: str | None = Field(description="the inspection that opened it")
    exceedance_id: str | None = Field(description="the monitoring exceedance that opened it")
    details: dict[str, Any] | None = Field(description="the exceedance as monitoring reported it")
    status: str = Field(description="open, filed (立案) or declined (不予立案)")
    extended: bool = Field(description="the filing decision's period was extended (+15 days)")
    due_on: date = Field(description="立案决定期限")
    decided_by: str | None = Field(description="who filed or declined it")
    decline_reason: str | None = Field(description="不予立案理由")
    case_id: str | None = Field(description="the case filed from it")
    version: int = Field(description="changes with every change; the ETag is made from it")


class LeadList(BaseModel):
    items: list[LeadPublic] = Field(description="this page of leads")
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last")


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
    id: str = Field(description="案件 id")
    case_number: str = Field(description="立案编号")
    lead_id: str | None = Field(description="the lead filed")
    party_id: str = Field(description="当事人 id")
    party_name: str = Field(description="当事人名称 at filing")
    town: str | None = Field(description="街镇")
    team: str | None = Field(description="执法队 that owns the case")
    medium: str | None = Field(description="环境要素")
    summary: str = Field(description="案情摘要")
    stage: Stage = Field(description="办案阶段")
    investigators: list[str] = Field(description="承办人员 ids")
    reviewer_id: str | None = Field(description="审查人员")
    legal_reviewer_id: str | None = Field(description="法制审核人员")
    legal_opinion: str | None = Field(description="法制审核意见: agree, improve, disagree")
    flags: dict[str, bool] = Field(description="what sends the case to collective discussion (案情复杂 etc.)")
    proposed: dict[str, Any] = Field(description="拟处罚 as notified")
    filed_on: date = Field(description="立案日期")
    decision_due_on: date = Field(description="作出决定期限, clock stops and extensions counted")
    head_extension: bool = Field(description="负责人批准延期 (+30 days)")
    collective_extension: bool = Field(description="集体讨论延期")
    collective_extension_days: int | None = Field(description="the period the meeting set")
    notice_on: date | None = Field(description="告知书日期")
    notice_received_on: date | None = Field(description="告知书送达日期")
    answer_due_on: date | None = Field(description="陈述申辩期限")
    hearing_requested_on: date | None = Field(description="申请听证日期")
    hearing_notified_on: date | None = Field(default=None, description="听证通知送达日期")
    hearing_on: date | None = Field(default=None, description="听证日期 as notified")
    hearing_held_on: date | None = Field(description="举行听证日期")
    meeting_id: str | None = Field(description="the review meeting (案件审议会) that discussed it")
    decision_id: str | None = Field(description="决定书 id")
    decided_on: date | None = Field(description="决定日期")
    served_on: date | None = Field(description="送达日期")
    money_due_fen: int = Field(description="应缴金额 (fen)")
    paid_on: date | None = Field(description="缴款日期")
    demand_on: date | None = Field(description="催告日期")
    closed_on: date | None = Field(description="结案日期")
    outcome: str | None = Field(description="结果: penalty, no_penalty, transferred, closed")
    referral_requested: bool = Field(description="涉嫌犯罪移送 requested")
    police_decision: str | None = Field(description="公安机关的答复")
    publicity: list[dict[str, Any]] = Field(description="公示记录: what disclosure did with the decision")
    violation: dict[str, Any] | None = Field(default=None, description="违法行为时间, for the time bar")
    version: int = Field(description="changes with every change; the ETag is made from it")


class CaseList(BaseModel):
    items: list[CasePublic] = Field(description="this page of cases")
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last")


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
    id: str = Field(description="案件审议会 id")
    held_on: date = Field(description="召开日期")
    attendees: list[dict[str, Any]] = Field(description="参会人员 (legal counsel marked)")
    items: list[dict[str, Any]] = Field(description="审议的案件 and each outcome")
    minutes: str = Field(description="会议纪要")


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
    id: str = Field(description="移送申请 id (the referral service's ``request_id``)")
    case_id: str = Field(description="案件 id")
    offence: str = Field(description="涉嫌罪名")
    medium: str = Field(description="环境要素")
    police_unit: str = Field(description="接收移送的公安机关")
    package_items: list[str] = Field(description="移送材料清单")
    threshold_hints: list[str] = Field(description="严重污染环境 thresholds the facts meet")
    requested_on: date = Field(description="负责人批准日期")
    status: str = Field(description="requested; what the police did next is in the case history")


# Evidence (证据)


class EvidencePublic(BaseModel):
    id: str = Field(description="证据 id")
    case_id: str = Field(description="案件 id")
    kind: str = Field(description="video, audio, photo, document or record")
    filename: str = Field(description="文件名")
    content_type: str = Field(description="media type as uploaded")
    sha256: str = Field(description="SHA-256 of the content: its address in the store")
    size_bytes: int = Field(description="size in bytes")
    captured_by: str = Field(description="采集人")
    captured_at: datetime = Field(description="采集时间")
    uploaded_by: str = Field(description="上传人")


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
    id: str = Field(description="先行登记保存 id")
    case_id: str = Field(description="案件 id")
    items: list[str] = Field(description="登记保存物品清单")
    place: str = Field(description="保存地点")
    preserved_on: date = Field(description="先行登记保存之日")
    dispose_by: date = Field(description="处理决定期限 (the 7th working day after)")
    due_provisional: bool = Field(description="the calendar of a later year was not known: the date may move")
    disposed_on: date | None = Field(description="处理决定日期")
    disposal: str | None = Field(description="处理决定")
    disposal_note: str | None = Field(description="说明")

    @computed_field(  # type: ignore[prop-decorator]
        description="preserved; disposed (处理决定 made); lapsed: 7 working days passed without a disposal (失效)"
    )
    @property
    def status(self) -> Literal["preserved", "disposed", "lapsed"]:
        return preservation_status(self.disposed_on, self.dispose_by, on=today())  # type: ignore[return-value]


# Deadline watch list (期限预警)


class DeadlineItem(BaseModel):
    case_id: str | None = Field(description="案件 id (null for a lead)")
    lead_id: str | None = Field(default=None, description="线索 id (a lead's filing decision)")
    case_number: str | None = Field(description="立案编号")
    step: str = Field(
        description="the step due: decision, party_answer, service, payment, court_enforcement, evidence_disposal, "
        "lead_filing_decision"
    )
    due_on: date = Field(description="the last day")
    opens_on: date | None = Field(
        default=None,
        description="court_enforcement: the first day the bureau may apply (申请法院强制执行); due_on is the last",
    )
    overdue: bool = Field(description="the last day has passed")
    provisional: bool = Field(description="the calendar of a later year was not known: the date may move")


class DeadlineList(BaseModel):
    as_of: date = Field(description="the day judged against")
    within: int = Field(description="days ahead included")
    items: list[DeadlineItem] = Field(description="due steps, soonest first")


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
    inspections_by_category: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="现场检查 of registry entities, by category (监管类别) then result (检查结果, ``unrecorded`` "
        "for none); inspections of parties outside the registry under ``unregistered``",
    )
    registry_coverage: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="监管对象名录 coverage by category: ``entities`` active in the registry, ``inspected`` of them "
        "inspected at least once in the period",
    )
    legal_reviews_required: int = Field(
        default=0,
        description="重大执法决定法制审核: decisions of the period (revoked ones left out) whose case required the "
        "legal review (major public interest, hearing held, complex or multi-law case)",
    )
    legal_reviews_before_decision: int = Field(
        default=0,
        description="of those, the decisions whose case went through the legal review (法制审核, the reviewer's "
        "opinion recorded) before the decision: 法制审核覆盖率 = this / legal_reviews_required",
    )


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
    id: str = Field(description="决定书 id")
    case_id: str | None = Field(description="案件 id; null: made outside a case file")
    kind: DecisionKind = Field(description="决定书种类")
    document_number: str = Field(description="文书编号")
    decided_on: date = Field(description="决定日期")
    party: dict[str, object] = Field(description="当事人 as named on the decision")
    facts: str = Field(description="违法事实")
    legal_basis: str = Field(description="法律依据")
    violation_type: str = Field(description="违法类型")
    penalty: dict[str, object] = Field(description="处罚内容")
    status: str = Field(description="issued, amended (变更) or revoked (撤销)")
    issued_by: str = Field(description="作出人")
    created_at: datetime = Field(description="recorded at")
    terms: dict[str, object] | None = Field(
        default=None,
        description="kind-specific terms (seizure, daily penalty, restriction) and the rest of the request",
    )
    served_on: date | None = Field(default=None, description="送达日期")
    service_method: str | None = Field(default=None, description="送达方式")
    revoked_on: date | None = Field(default=None, description="撤销日期")
    change_reason: str | None = Field(default=None, description="变更、撤销理由")
    version: int = Field(default=1, description="changes with every change; the ETag is made from it")
    document_sha256: str | None = Field(
        default=None,
        description="SHA-256 of the decision document (PDF) as stored when issued or last amended (决定书文本); "
        "null for a decision recorded before documents were rendered",
    )


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


# 抽查比例: the dated random inspection rates the head enters from the national and Tianjin schemes


class CategoryRate(Input):
    """One category's rate: a proportion of its registry, or a number of entities, per period (``per``)."""

    per: PeriodKind = Field(description="the period the proportion or count is for: month, quarter or year")
    proportion: Decimal | None = Field(
        default=None, ge=0, le=1, max_digits=7, decimal_places=6, description="抽查比例, 0–1; or give count"
    )
    count: int | None = Field(default=None, ge=0, le=100_000, description="抽查数量; or give proportion")

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.proportion is None) == (self.count is None):
            raise ValueError("give either proportion or count")
        return self


class InspectionRateCreate(Input):
    """A dated row: in force from ``effective_from`` until the next row's; draws of a period use the row in force
    on its first day."""

    effective_from: LegalDate = Field(description="施行日期")
    rates: dict[EntityCategory, CategoryRate] = Field(min_length=1, description="category → its rate")
    skip_inspected_within_months: int = Field(
        default=0, ge=0, le=60, description="leave out entities inspected in the last N months (0: none)"
    )
    basis: Text = Field(min_length=2, max_length=4000, description="依据: the national or Tianjin scheme")
    document_number: Name = Field(default="", max_length=100, description="文号, e.g. 环办〔2015〕88号")
    confirmed: bool = Field(default=False, description="checked against the scheme's text")


class InspectionRateUpdate(Input):
    """A correction of a row no draw has used yet; a used row stays as it was (enter a new dated row)."""

    rates: dict[EntityCategory, CategoryRate] | None = Field(default=None, min_length=1)
    skip_inspected_within_months: int | None = Field(default=None, ge=0, le=60)
    basis: Text | None = Field(default=None, min_length=2, max_length=4000)
    document_number: Name | None = Field(default=None, max_length=100)
    confirmed: bool | None = None


class CategoryRatePublic(BaseModel):
    per: PeriodKind = Field(description="month, quarter or year")
    proportion: Decimal | None = Field(default=None, description="抽查比例 (decimal string); null: a count")
    count: int | None = Field(default=None, description="抽查数量; null: a proportion")


class InspectionRatePublic(BaseModel):
    id: str = Field(description="抽查比例 row id")
    effective_from: date = Field(description="施行日期")
    rates: dict[EntityCategory, CategoryRatePublic] = Field(description="category → its rate")
    skip_inspected_within_months: int = Field(description="entities inspected in this many months are left out")
    basis: str = Field(description="依据")
    document_number: str = Field(description="文号")
    confirmed: bool = Field(description="checked against the scheme's text")
    created_by: str = Field(description="who entered it")
    created_at: datetime = Field(description="when")
    version: int = Field(description="changes with every change; the ETag is made from it")


class InspectionRateList(BaseModel):
    items: list[InspectionRatePublic] = Field(description="every row, oldest effective_from first")
