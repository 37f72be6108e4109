"""Request and response models of the cases API: parties and decisions (决定书)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.cases.domain.identifiers import is_valid_credit_code, is_valid_id_number
from shared.bounds import MAX_DAYS, LegalDate
from shared.contracts.common import DecisionKind, PartyType, PenaltyTerms
from shared.fields import MAX_FEN, Name, Text


class PartyInput(BaseModel):
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


class DecisionParty(PartyInput):
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
