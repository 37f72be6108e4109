"""Request and response models of case records: review meetings, referrals, evidence, the deadline watch list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from services.cases.case_schemas import Input
from services.cases.common import today
from shared.bounds import LegalDate
from shared.contracts.common import Medium
from shared.fields import Fen, Name, Text


class Attendee(Input):
    name: Name = Field(min_length=1, max_length=100)
    role: Text = Field(default="", max_length=100)
    legal_counsel: bool = Field(default=False, description="法律顾问")


class MeetingItem(Input):
    case_id: Text = Field(max_length=36)
    outcome: Text = Field(min_length=1, max_length=2_000, description="审议结果")
    notes: Text = Field(default="", max_length=5_000)


class MeetingCreate(Input):
    """案件审议会."""

    held_on: LegalDate
    attendees: list[Attendee] = Field(min_length=3, max_length=50)
    items: list[MeetingItem] = Field(min_length=1, max_length=100)
    minutes: Text = Field(min_length=1, max_length=50_000)


class MeetingPublic(BaseModel):
    id: str
    held_on: date
    attendees: list[dict[str, Any]]
    items: list[dict[str, Any]]
    minutes: str


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


def preservation_status(disposed_on: date | None, dispose_by: date, *, on: date) -> str:
    """disposed; lapsed once the 7 working days ran out without a disposal (失效); preserved meanwhile."""
    if disposed_on is not None:
        return "disposed"
    return "lapsed" if on > dispose_by else "preserved"


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
