"""Request and answer schemas of the disclosure service: the staff API, the public API and the portal's model.

Grouped by resource. Publications have two audiences: staff read ``PublicationStaff`` (the raw record and the
redacted text); the public reads ``PublicDecision``, built from the redacted columns only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.bounds import LegalDate
from shared.contracts.common import DecisionKind
from shared.fields import Name, Text

# Due dates


class DueDatePublic(BaseModel):
    """公示截止日期 of a decision of a kind decided on a date."""

    due_on: date = Field(description="公示截止日期")
    working_days: int = Field(description="the kind's period in working days (工作日), on the decision date")
    provisional: bool = Field(description="true when the holiday calendar for a year involved is not yet known")


# Publications (staff)


class PublicationStaff(BaseModel):
    """A publication (行政执法公示) as staff see it: the decision's raw record and the redacted public text."""

    id: str = Field(description="publication id")
    decision_id: str = Field(description="the decision in cases")
    kind: DecisionKind = Field(description="决定种类")
    document_number: str = Field(description="文书编号")
    party_name: str = Field(description="当事人 as in the decision (staff only)")
    decided_on: date = Field(description="决定日期")
    due_on: date = Field(description="公示截止日期")
    due_provisional: bool = Field(description="true when a year's holiday calendar was not yet known")
    status: str = Field(description="pending | published | withdrawn")
    created_at: datetime = Field(description="when the decision arrived")
    version: int = Field(description="bumped by every change; the ETag is built from it")
    publish_mode: str = Field(description="auto (自动发布) | approval (审核发布)")
    public_party_name: str = Field(description="当事人 as published (an individual's name masked)")
    credit_code: str | None = Field(description="统一社会信用代码 (organisations only)")
    town: str | None = Field(description="街镇")
    public_facts: str = Field(description="主要违法事实, redacted")
    public_legal_basis: str = Field(description="处罚依据, redacted")
    public_violation_type: str = Field(description="违法行为类型, redacted")
    public_penalty: dict[str, Any] = Field(description="处罚结果: the penalty terms and the redacted summary")
    redaction_report: list[dict[str, Any]] = Field(description="去标识化报告: field, category, count")
    published_on: date | None = Field(description="公示日期")
    on_time: bool | None = Field(description="published on or before the due date")
    overdue_notified_on: date | None = Field(description="when the overdue event (公示逾期) went out")
    withdrawn_on: date | None = Field(description="撤回日期")
    withdrawal_reason: str | None = Field(description="撤回理由")


class PublicationList(BaseModel):
    """A page of publications, by id."""

    items: list[PublicationStaff] = Field(description="the page")
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last")


class PublicationPublish(BaseModel):
    """审核发布. ``published_on`` records a publication that went out on an earlier day (补录, e.g. on the government
    website before this system); omitted, it is today. It decides whether the publication was on time."""

    model_config = ConfigDict(extra="forbid")

    published_on: LegalDate | None = Field(default=None, description="实际发布日期; default today (Asia/Shanghai)")


class PublicationUpdate(BaseModel):
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


# Redaction review (去标识化)


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

    publication_id: str = Field(description="publication id")
    current: bool = Field(description="false when an editor changed the public text after the proposal")
    review_below: float = Field(description="automatic publication waits for the editor below this confidence")
    items: list[RedactionMark] = Field(description="the markers, in text order per field")


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


# Deadlines and statistics


class PublicationDeadlineList(BaseModel):
    """Pending publications at risk (即将到期) or overdue (已逾期) today."""

    today: date = Field(description="today in Asia/Shanghai")
    items: list[PublicationStaff] = Field(description="the publications, by due date")


class OnTimeRatePublic(BaseModel):
    """公示及时率 of a period, by due date."""

    period: str = Field(description="YYYY or YYYY-MM")
    due: int = Field(description="publications due in the period")
    on_time: int = Field(description="published on or before the due date")
    late: int = Field(description="published after it, or unpublished and past it")
    pending_not_due: int = Field(description="unpublished and not yet due")
    rate: float | None = Field(description="公示及时率: on time / (on time + late); null when nothing was due")


class OnTimeStatistics(BaseModel):
    """公示及时率 of a year and of each of its months."""

    year: OnTimeRatePublic = Field(description="the whole year")
    months: list[OnTimeRatePublic] = Field(description="January to December")


# Credit China records (信用中国 双公示)


class CreditRecordPublic(BaseModel):
    """One row of the delivery ledger: a record sent (or to send) to Credit China."""

    id: str = Field(description="record id, sent as the Idempotency-Key")
    publication_id: str = Field(description="the publication it comes from")
    decision_id: str = Field(description="the decision in cases")
    operation: str = Field(description="upsert | delete")
    status: str = Field(description="pending | delivered | failed")
    attempts: int = Field(description="delivery attempts so far")
    last_error: str | None = Field(description="the last failure, if any")
    fields: dict[str, Any] = Field(description="the record's fields in the upload template's order")
    created_at: datetime = Field(description="when it was staged")
    delivered_at: datetime | None = Field(description="when the platform took it")


class CreditRecordList(BaseModel):
    """The delivery ledger (推送台账), oldest first."""

    items: list[CreditRecordPublic] = Field(description="the records")


# Annual reports (年度执法工作报告)


class AnnualReportPublish(BaseModel):
    """发布年度报告. ``published_on`` records a report that went out on an earlier day (补录); it decides on-time."""

    model_config = ConfigDict(extra="forbid")

    published_on: LegalDate | None = Field(default=None, description="实际发布日期 (补录); default today")


class PublicationFiguresPublic(BaseModel):
    """The year's publications (公示) as disclosure counted them."""

    due: int = Field(description="publications due in the year")
    on_time: int = Field(description="published on or before the due date")
    late: int = Field(description="published late, or unpublished past the due date")
    withdrawn: int = Field(description="withdrawals (撤回) in the year")
    on_time_rate: float | None = Field(description="公示及时率; null when nothing was due")


class AnnualReportPublic(BaseModel):
    """A published annual enforcement report (年度执法工作报告)."""

    year: int = Field(description="the year reported on")
    title: str = Field(description="the report's title")
    due_on: date = Field(description="due date: 31 January of the next year")
    statistics: dict[str, Any] = Field(description="the cases service's statistics of the year (执法统计), as given")
    publication: PublicationFiguresPublic = Field(description="the year's publication figures")
    text: list[str] = Field(description="the report's paragraphs (Chinese)")
    charts: dict[str, str] = Field(
        description="accessible inline SVG charts: decisions_by_kind, referrals_by_medium, "
        "inspections_by_category (when any)",
    )
    published_on: date = Field(description="发布日期 (the first publication's)")
    version: int = Field(description="1, then one more for each republication with new figures")


class AnnualReportStaff(AnnualReportPublic):
    """The report as the editor who published it reads it back."""

    on_time: bool = Field(description="first published on or before its due date")


class AnnualReportStatus(BaseModel):
    """A year's report against its due date."""

    year: int = Field(description="the year reported on")
    due_on: date = Field(description="due date")
    status: str = Field(description="pending | published | overdue | no_data (no data, not told to report)")
    published_on: date | None = Field(description="发布日期")
    on_time: bool | None = Field(description="published on or before the due date")


class AnnualReportSummary(BaseModel):
    """A published report in the public list."""

    year: int = Field(description="the year reported on")
    title: str | None = Field(description="the report's title")
    published_on: date = Field(description="发布日期")


class AnnualReportList(BaseModel):
    """Published annual reports, newest year first."""

    items: list[AnnualReportSummary] = Field(description="the reports")


# The public decisions (公示的行政执法决定), their withdrawal notices, and the monitoring bulletins shown with them


class PublicPenalty(BaseModel):
    """处罚结果 as published."""

    fine_fen: int = Field(description="罚款 in fen")
    confiscation_fen: int = Field(description="没收违法所得 in fen")
    warning: bool = Field(description="警告")
    licence_measure: str | None = Field(description="暂扣或吊销许可证、执照, if any")
    other_measures: list[str] = Field(description="其他处罚")
    summary: str = Field(description="处罚结果")


class PublicWithdrawal(BaseModel):
    """撤回: what stays public of a withdrawn decision."""

    withdrawn_on: date = Field(description="撤回日期")
    reason: str = Field(description="撤回理由")


class PublicDecision(BaseModel):
    """公示的行政执法决定 (redacted); a withdrawn one keeps only its number, kind, dates and the reason."""

    id: str = Field(description="publication id")
    kind: DecisionKind = Field(description="决定种类")
    kind_label: str = Field(description="the kind's document name (e.g. 行政处罚决定书)")
    document_number: str = Field(description="文书编号")
    status: str = Field(description="published | withdrawn")
    party_name: str | None = Field(description="当事人 (an individual's name masked)")
    party_type: str | None = Field(description="organisation | individual | sole_trader")
    credit_code: str | None = Field(description="统一社会信用代码")
    legal_representative: str | None = Field(description="法定代表人")
    town: str | None = Field(description="街镇")
    authority: str = Field(description="作出决定的机关")
    decided_on: date = Field(description="决定日期")
    published_on: date | None = Field(description="公示日期")
    due_on: date = Field(description="公示截止日期")
    facts: str | None = Field(description="主要违法事实, redacted")
    legal_basis: str | None = Field(description="处罚依据")
    violation_type: str | None = Field(description="违法行为类型")
    penalty: PublicPenalty | None = Field(description="处罚结果; null once withdrawn")
    withdrawal: PublicWithdrawal | None = Field(description="撤回; null while published")
    document_url: str | None = Field(
        default=None,
        description="公开版决定书 (PDF, redacted like this record): a path on this site; null once withdrawn",
    )


class PublicDecisionList(BaseModel):
    """A page of public decisions, newest decision date first."""

    items: list[PublicDecision] = Field(description="the page")
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last")


class PublicNotice(BaseModel):
    """撤回公告."""

    id: str = Field(description="notice id")
    publication_id: str = Field(description="the withdrawn publication")
    kind: DecisionKind = Field(description="决定种类")
    kind_label: str = Field(description="the kind's document name")
    document_number: str = Field(description="文书编号")
    cause: str = Field(description="revoked | amended")
    reason: str = Field(description="撤回理由")
    changed_on: date = Field(description="when the decision was revoked or amended")
    due_on: date = Field(description="撤回期限: 3 working days after the change (行政处罚法 §48 ¶2)")
    withdrawn_on: date = Field(description="撤回日期")


class PublicNoticeList(BaseModel):
    """Withdrawal notices, newest first."""

    items: list[PublicNotice] = Field(description="the notices")


class PublicBulletin(BaseModel):
    """监测简报."""

    id: str = Field(description="bulletin id (monitoring's)")
    kind: str = Field(description="air_daily | air_weekly | air_monthly | water_monthly | noise_annual")
    period_start: date = Field(description="first day of the period")
    period_end: date = Field(description="last day of the period")
    title: str = Field(description="标题")
    summary: str = Field(description="摘要")
    html: str | None = Field(default=None, description="the bulletin as Chinese HTML (single bulletin only)")


class PublicBulletinList(BaseModel):
    """Bulletins, newest period first."""

    items: list[PublicBulletin] = Field(description="the bulletins (without their HTML)")


# Random inspections (双随机、一公开): the plan, each draw with its inputs and result, the inspections' results


class InspectionDrawSummary(BaseModel):
    """抽查: one draw as published, from its commitment on (the seed and result only once executed)."""

    id: str = Field(description="draw id (the cases service's)")
    category: str = Field(description="key_polluter 重点排污单位, ordinary 一般排污单位, special 特殊监管对象")
    period_kind: str = Field(description="month, quarter or year")
    year: int = Field(description="the period's year")
    period_number: int | None = Field(description="month 1–12 or quarter 1–4")
    starts_on: date = Field(description="the period's first day")
    ends_on: date = Field(description="the period's last day: the drawn entities are inspected by then")
    count: int = Field(description="entities drawn (抽查数量)")
    eligible: int = Field(description="entities eligible for the draw")
    basis: str = Field(description="where the count comes from: the proportion in force and its basis, or a count")
    commitment: str = Field(description="SHA-256 (hex) of the secret seed, published before the draw")
    inputs_sha256: str | None = Field(
        description="SHA-256 (hex) of the frozen inputs as canonical JSON (keys sorted, no spaces, UTF-8), published "
        "before the draw: the inputs revealed after it must hash to it"
    )
    status: Literal["committed", "executed", "superseded"] = Field(description="committed, executed, superseded")
    redraw_of: str | None = Field(description="the draw this one replaces (重新抽取)")
    reason: str | None = Field(description="why it was redrawn")
    superseded_by: str | None = Field(description="the redraw that replaced this draw")
    committed_published_at: datetime = Field(description="when the commitment was published (UTC)")
    executed_published_at: datetime | None = Field(description="when the seed and result were published (UTC)")


class InspectionDrawList(BaseModel):
    """A year's draws: by period, then category; a redraw after the draw it replaces."""

    items: list[InspectionDrawSummary] = Field(description="the draws")


class DrawnInspectionPublic(BaseModel):
    """A drawn entity, its two officers (by 执法证号 only) and, once inspected, the result (抽查结果)."""

    rank: int = Field(description="1 for the entity of lowest rank, as the algorithm orders them")
    planned_inspection_id: str = Field(description="the planned inspection's id")
    entity_id: str = Field(description="监管对象 id, as in the inputs")
    name: str = Field(description="监管对象名称; a sole trader's (个体工商户) masked, 张某（个体工商户）")
    officer_credential_numbers: list[str] = Field(description="the two drawn officers' 执法证号")
    outcome: str = Field(
        description="planned 待检查, no_violation 未发现问题, violation_found 发现问题, lead_opened 已登记线索, "
        "case_filed 已立案, not_operating 停产关闭, cancelled 因重新抽取取消"
    )
    inspected_on: date | None = Field(description="检查日期")
    inspecting_credential_numbers: list[str] = Field(description="执法证号 of the officers who inspected")
    case_filed_on: date | None = Field(description="立案日期, when the lead was filed as a case")
    result_published_at: datetime | None = Field(description="when the result was published (UTC)")


class InspectionDrawPublic(InspectionDrawSummary):
    """One draw with what anyone needs to recompute it (algorithm in the disclosure README): the revealed seed,
    the public entropy, the frozen inputs by id, and the published names and credential numbers of those ids."""

    seed: str | None = Field(description="hex; its SHA-256 is the commitment; null until executed")
    public_entropy: str | None = Field(description="the public value mixed into the key, if any")
    inputs: dict[str, Any] = Field(
        description="entities, excluded (id → inspected_recently | drawn_this_period), officers, conflicts, "
        "last_officers, count: exactly as frozen at the commitment; empty until executed"
    )
    entity_names: dict[str, str] = Field(description="监管对象 id → name as published")
    officer_credential_numbers: dict[str, str] = Field(description="执法人员 id → 执法证号")
    results: list[DrawnInspectionPublic] = Field(description="the drawn entities in rank order")


class InspectionPlanRow(BaseModel):
    """One category and period of the year's plan (抽查计划)."""

    category: str = Field(description="监管对象类别")
    period_kind: str = Field(description="month, quarter or year")
    period_number: int | None = Field(description="month or quarter")
    starts_on: date = Field(description="the period's first day")
    ends_on: date = Field(description="the period's last day")
    count: int = Field(description="entities to inspect")
    eligible: int = Field(description="entities eligible")
    basis: str = Field(description="抽查比例 and its basis, or the count entered")
    draw_id: str = Field(description="the draw in force for it (a redraw replaces the first)")


class InspectionRateRow(BaseModel):
    """抽查比例 in force from a date: per category a proportion (or count) per period, and its basis."""

    effective_from: date = Field(description="施行日期; in force until the next row's")
    rates: dict[str, dict[str, Any]] = Field(
        description="category → {per: month|quarter|year, proportion: decimal string} or {per, count}"
    )
    skip_inspected_within_months: int = Field(description="entities inspected in this many months are left out")
    basis: str = Field(description="依据: the national or Tianjin scheme")
    document_number: str = Field(description="文号")
    confirmed: bool = Field(description="checked against the scheme's text")


class InspectionPlanPublic(BaseModel):
    """抽查计划 of a year: the draws in force, by period and category, and the rates (抽查比例) in force."""

    year: int = Field(description="the year")
    items: list[InspectionPlanRow] = Field(description="by period, then category")
    rates: list[InspectionRateRow] = Field(
        default_factory=list,
        description="the 抽查比例 rows in force during the year: the one in force on 1 January, then any later",
    )


# Before-enforcement publication (事前公开, 国办发〔2018〕118号): the lists the editor keeps, the officer list fed by
# cases, the enforcement statistics


class ListEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AuthorityItem(ListEntry):
    """权责清单的一项: a power the bureau holds, its kind and legal basis."""

    item: Name = Field(min_length=1, max_length=300, description="事项名称")
    kind: Name = Field(min_length=1, max_length=40, description="权力类别, e.g. 行政处罚, 行政强制, 行政检查")
    legal_basis: Text = Field(min_length=1, max_length=4000, description="设定依据")


class ProcedureItem(ListEntry):
    """执法流程: a procedure and its steps in order."""

    name: Name = Field(min_length=1, max_length=200, description="流程名称, e.g. 行政处罚一般程序")
    steps: list[Text] = Field(min_length=1, max_length=50, description="步骤, in order")
    time_limit: Text = Field(default="", max_length=1000, description="办理时限")
    legal_basis: Text = Field(default="", max_length=4000, description="依据")


class RemedyItem(ListEntry):
    """救济渠道: where and by when a party may ask for reconsideration (行政复议) or sue (行政诉讼)."""

    channel: Literal["reconsideration", "litigation"] = Field(
        description="reconsideration 行政复议, litigation 行政诉讼"
    )
    body: Name = Field(min_length=1, max_length=200, description="受理机关")
    address: Text = Field(default="", max_length=500, description="地址")
    time_limit: Text = Field(min_length=1, max_length=500, description="期限")
    legal_basis: Text = Field(default="", max_length=1000, description="依据")


class InspectionItem(ListEntry):
    """随机抽查事项清单的一项."""

    item: Name = Field(min_length=1, max_length=300, description="抽查事项")
    legal_basis: Text = Field(min_length=1, max_length=4000, description="抽查依据")
    subjects: Text = Field(min_length=1, max_length=500, description="抽查对象")
    method: Text = Field(min_length=1, max_length=500, description="检查方式")
    frequency: Text = Field(min_length=1, max_length=500, description="抽查比例和频次")


class ListUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text = Field(default="", max_length=500, description="说明 of this version (what changed)")


class AuthorityListUpdate(ListUpdate):
    """A new version of the 权责清单 (the whole list). Needs If-Match."""

    items: list[AuthorityItem] = Field(max_length=1000, description="the whole list, in order")


class ProcedureListUpdate(ListUpdate):
    """A new version of the 执法流程 (the whole list). Needs If-Match."""

    items: list[ProcedureItem] = Field(max_length=200, description="the whole list, in order")


class RemedyListUpdate(ListUpdate):
    """A new version of the 救济渠道 (the whole list). Needs If-Match."""

    items: list[RemedyItem] = Field(max_length=50, description="the whole list, in order")


class InspectionListUpdate(ListUpdate):
    """A new version of the 随机抽查事项清单 (the whole list). Needs If-Match."""

    items: list[InspectionItem] = Field(max_length=1000, description="the whole list, in order")


class ListVersionFields(BaseModel):
    list_kind: str = Field(description="authority-list, procedures, remedies or random-inspection-items")
    title: str = Field(description="the list's Chinese title")
    version: int = Field(description="1 for the first published version; 0: nothing published yet (staff only)")
    published_on: date | None = Field(description="发布日期 of this version")
    note: str = Field(description="说明 of this version")


class AuthorityListPublic(ListVersionFields):
    """权责清单, one version."""

    items: list[AuthorityItem] = Field(description="权责清单的事项")


class ProcedureListPublic(ListVersionFields):
    """执法流程, one version."""

    items: list[ProcedureItem] = Field(description="执法流程")


class RemedyListPublic(ListVersionFields):
    """救济渠道, one version."""

    items: list[RemedyItem] = Field(description="救济渠道")


class InspectionListPublic(ListVersionFields):
    """随机抽查事项清单, one version."""

    items: list[InspectionItem] = Field(description="随机抽查事项")


class ListVersionSummary(BaseModel):
    """One version in a list's history."""

    version: int = Field(description="version number")
    published_on: date = Field(description="发布日期")
    note: str = Field(description="说明")
    items: int = Field(description="number of entries")


class ListVersionList(BaseModel):
    """A list's published versions, newest first (历史版本)."""

    list_kind: str = Field(description="the list")
    title: str = Field(description="the list's Chinese title")
    items: list[ListVersionSummary] = Field(description="the versions, newest first")


class PublicOfficer(BaseModel):
    """执法人员 as published before enforcement: name and credential number by law, nothing else personal."""

    name: str = Field(description="姓名")
    credential_number: str = Field(description="执法证号")
    unit: str = Field(description="执法单位")
    team: str | None = Field(description="执法队")
    credential_valid_from: date | None = Field(description="执法证有效期自; null: not recorded")
    credential_valid_until: date | None = Field(description="执法证有效期至; null: no end recorded")
    status: Literal["valid", "expired", "not_yet_valid"] = Field(
        description="valid 有效, expired 证件已过有效期, not_yet_valid 证件尚未生效 (on the list's day)"
    )


class PublicOfficerList(BaseModel):
    """执法人员名单 on a day: the active officers as the register stood at the end of that day."""

    as_of: date = Field(description="the day the list shows (Asia/Shanghai)")
    items: list[PublicOfficer] = Field(description="by credential number")


class PublicOfficerChange(BaseModel):
    """A change of the officer list (名单变更): an officer registered, changed or deactivated (停用)."""

    changed_on: date = Field(description="变更日期 (Asia/Shanghai)")
    change: Literal["registered", "changed", "deactivated"] = Field(description="登记, 变更, 停用")
    name: str = Field(description="姓名")
    credential_number: str = Field(description="执法证号")
    unit: str = Field(description="执法单位")
    team: str | None = Field(description="执法队")
    credential_valid_from: date | None = Field(description="执法证有效期自")
    credential_valid_until: date | None = Field(description="执法证有效期至")


class PublicOfficerChangeList(BaseModel):
    """The officer list's history, newest first."""

    items: list[PublicOfficerChange] = Field(description="the changes, newest first")


class StatisticsReleasePublish(BaseModel):
    """发布执法统计. ``published_on`` records a release made on an earlier day (补录)."""

    model_config = ConfigDict(extra="forbid")

    published_on: LegalDate | None = Field(default=None, description="实际发布日期 (补录); default today")


class StatisticsReleasePublic(BaseModel):
    """执法统计季报或年报: the cases statistics of the period as published."""

    year: int = Field(description="the year")
    period: Literal["Q1", "Q2", "Q3", "Q4", "year"] = Field(description="a quarter, or the whole year")
    title: str = Field(description="e.g. 2021年第一季度行政执法统计")
    statistics: dict[str, Any] = Field(description="the cases service's statistics of the period (执法统计), as given")
    published_on: date = Field(description="发布日期 (the first version's)")
    revised_on: date = Field(description="更新日期: this version's date (the publication date for version 1)")
    version: int = Field(description="1, then one more for each republication with new figures")


class StatisticsReleaseSummary(BaseModel):
    """A published release in the public list."""

    year: int = Field(description="the year")
    period: Literal["Q1", "Q2", "Q3", "Q4", "year"] = Field(description="a quarter, or the whole year")
    title: str = Field(description="the release's title")
    published_on: date = Field(description="发布日期")


class StatisticsReleaseList(BaseModel):
    """Published enforcement statistics, newest period first."""

    items: list[StatisticsReleaseSummary] = Field(description="the releases, newest period first")


# The rule-of-law activity register (法治建设活动台账)

ActivityKind = Literal[
    "study_session", "lecture", "training", "consultation", "outreach", "adviser", "committee_meeting", "dispute"
]
StudyTopic = Literal["constitution", "law_thought", "other"]
AdviserType = Literal["full_time", "part_time"]
DisputeType = Literal["reconsideration", "litigation"]
DisputeOutcome = Literal["upheld", "revoked", "changed", "unlawful", "withdrawn", "pending"]


class ActivityFacts(BaseModel):
    """The facts of a register entry; which apply depends on the kind (a 422 names the missing and the foreign)."""

    model_config = ConfigDict(extra="forbid")

    year: int | None = Field(default=None, ge=2000, le=2100, description="年度: required of an adviser (聘请年度)")
    occurred_on: LegalDate | None = Field(default=None, description="日期: every kind but an adviser")
    subject: Text | None = Field(default=None, max_length=500, description="主题、题目或案由")
    topic: StudyTopic | None = Field(
        default=None, description="学法内容 of a study session: constitution 宪法, law_thought 习近平法治思想, other"
    )
    town: Name | None = Field(default=None, max_length=50, description="街镇 of a training (or an outreach)")
    enterprises: int | None = Field(default=None, ge=0, le=100_000, description="覆盖、走访企业数")
    problems_solved: int | None = Field(default=None, ge=0, le=10_000, description="专家会诊解决问题数")
    materials: int | None = Field(default=None, ge=0, le=1_000_000, description="发放宣传资料份数")
    adviser_type: AdviserType | None = Field(default=None, description="法律顾问: full_time 专职, part_time 兼职")
    firm: Name | None = Field(default=None, max_length=200, description="法律顾问所在律师事务所")
    meetings_attended: int | None = Field(default=None, ge=0, le=1000, description="参加案件审议会次数")
    subjects: list[Annotated[Text, Field(max_length=500)]] = Field(
        default_factory=list, max_length=50, description="法制委员会会议研究事项 (each at most 500 characters)"
    )
    dispute_type: DisputeType | None = Field(default=None, description="reconsideration 行政复议, litigation 行政诉讼")
    outcome: DisputeOutcome | None = Field(
        default=None,
        description="结果: upheld 维持/驳回, revoked 撤销, changed 变更, unlawful 确认违法, withdrawn 撤回, "
        "pending 审理中",
    )
    note: Text | None = Field(default=None, max_length=2000, description="备注")


class ActivityCreate(ActivityFacts):
    """A new register entry (登记法治建设活动)."""

    kind: ActivityKind = Field(
        description="study_session 中心组学法, lecture 法治讲座, training 普法培训, consultation 专家会诊, "
        "outreach 送法入企, adviser 法律顾问, committee_meeting 法制委员会会议, dispute 行政复议、行政诉讼案件"
    )


class ActivityUpdate(ActivityFacts):
    """Facts to change (``If-Match``); a field sent as null is cleared. The kind stays."""


class ActivityPublic(ActivityFacts):
    """A register entry."""

    id: str = Field(description="entry id")
    kind: ActivityKind = Field(description="活动种类")
    year: int = Field(description="年度")
    version: int = Field(description="bumped by every change; the ETag is built from it")
    recorded_by: str = Field(description="登记人")
    created_at: datetime = Field(description="登记时间")
    updated_at: datetime = Field(description="最后修改时间")


class ActivityList(BaseModel):
    """A page of register entries, by id."""

    items: list[ActivityPublic] = Field(description="the page")
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last")


# The rule-of-law annual report (法治政府建设年度报告)

ReportSectionKey = Literal["overview", "study", "enforcement", "publicity", "legal_support", "disputes", "plans"]


class ReportSection(BaseModel):
    """One section of the report."""

    key: ReportSectionKey = Field(description="section key")
    title: str = Field(description="标题")
    text: str = Field(description="正文")


class RuleOfLawReportUpdate(BaseModel):
    """The sections to rewrite (编辑); an approved report goes back to draft and needs the head again."""

    model_config = ConfigDict(extra="forbid")

    sections: dict[ReportSectionKey, Annotated[Text, Field(min_length=1, max_length=20_000)]] = Field(
        min_length=1, description="section key → new text"
    )


class RuleOfLawReportPublish(BaseModel):
    """Publish the approved report."""

    model_config = ConfigDict(extra="forbid")

    published_on: LegalDate | None = Field(default=None, description="实际发布日期 (补录); default today")


class RuleOfLawReportPublic(BaseModel):
    """A published rule-of-law annual report (法治政府建设年度报告)."""

    year: int = Field(description="the year reported on")
    title: str = Field(description="标题")
    due_on: date = Field(description="due date: 31 March of the next year (before 1 April)")
    activities: dict[str, Any] = Field(description="the activity register's totals of the year (法治建设活动)")
    figures: dict[str, Any] = Field(
        description="the system's figures: decisions by kind, publication on time, review meetings and cases "
        "reviewed, the share of filed cases reviewed, referrals by medium; since 重大执法决定法制审核 is counted, "
        "``legal_reviews_required``, ``legal_reviews_before_decision`` and ``legal_review_coverage`` (法制审核覆盖率: "
        "the share of the decisions that required the legal review reviewed before the decision; null if none did)"
    )
    sections: list[ReportSection] = Field(description="the report's sections (Chinese)")
    published_on: date | None = Field(description="发布日期")
    document_url: str | None = Field(default=None, description="the report as PDF: a path on this site")


class RuleOfLawReportStaff(RuleOfLawReportPublic):
    """The report as staff work on it: its stage, who drafted and approved it."""

    stage: Literal["draft", "approved", "published"] = Field(description="草稿 | 已审定 | 已发布")
    version: int = Field(description="bumped by every change; the ETag is built from it")
    drafted_by: str = Field(description="起草人")
    approved_by: str | None = Field(description="审定人 (负责人)")
    approved_at: datetime | None = Field(description="审定时间")
    on_time: bool | None = Field(description="published before its due date")


class RuleOfLawReportStatus(BaseModel):
    """A year's rule-of-law report against its due date."""

    year: int = Field(description="the year reported on")
    due_on: date = Field(description="due date")
    status: str = Field(description="published | pending | overdue | no_data (no data, not told to report)")
    stage: str | None = Field(description="draft | approved | published; null before a draft")
    published_on: date | None = Field(description="发布日期")
    on_time: bool | None = Field(description="published on or before the due date")


class RuleOfLawReportSummary(BaseModel):
    """A published report in the public list."""

    year: int = Field(description="the year reported on")
    title: str = Field(description="标题")
    published_on: date | None = Field(description="发布日期")


class RuleOfLawReportList(BaseModel):
    """Published rule-of-law reports, newest year first."""

    items: list[RuleOfLawReportSummary] = Field(description="the reports")
