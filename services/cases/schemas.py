"""Request and response models of the cases API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.cases.domain.identifiers import is_valid_credit_code, is_valid_id_number
from shared.contracts.common import DecisionKind, PartyType, PenaltyTerms


class PartyInput(BaseModel):
    """当事人 as named on a decision."""

    model_config = ConfigDict(extra="forbid")

    party_id: str | None = Field(default=None, max_length=36)
    party_type: PartyType
    name: str = Field(min_length=1, max_length=200, description="名称或姓名")
    credit_code: str | None = Field(default=None, description="统一社会信用代码 (GB 32100-2015)")
    id_number: str | None = Field(default=None, description="居民身份证号码 (GB 11643); never published")
    legal_representative: str | None = Field(default=None, max_length=100, description="法定代表人")
    address: str | None = Field(default=None, max_length=300)
    town: str | None = Field(default=None, max_length=50, description="街镇")

    @model_validator(mode="after")
    def _check_identifiers(self) -> Self:
        if self.credit_code is not None and not is_valid_credit_code(self.credit_code):
            raise ValueError("统一社会信用代码校验位错误 invalid unified social credit code (check character)")
        if self.id_number is not None and not is_valid_id_number(self.id_number):
            raise ValueError("身份证号码校验位错误 invalid resident ID number (check character)")
        if self.party_type == PartyType.ORGANISATION and not self.credit_code:
            raise ValueError("organisations need a unified social credit code")
        return self


class DecisionCreate(BaseModel):
    """Issue a decision (作出决定). The document number is allocated by the service."""

    model_config = ConfigDict(extra="forbid")

    kind: DecisionKind
    case_id: str | None = Field(default=None, max_length=36)
    decided_on: date = Field(description="决定日期")
    party: PartyInput
    facts: str = Field(min_length=1, max_length=20_000, description="违法事实")
    legal_basis: str = Field(min_length=1, max_length=5_000, description="法律依据")
    violation_type: str = Field(default="", max_length=200)
    penalty: PenaltyTerms = Field(default_factory=PenaltyTerms)


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
