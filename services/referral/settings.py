"""Settings of the referral service (env prefix ``GREENLAW_REFERRAL_``).

The time limits of domain §4 are data here, so an operator corrects a rule by configuration, not a release.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.referral.domain.deadlines import DeadlineRule as DomainRule
from services.referral.domain.deadlines import Unit
from shared.settings import ServiceSettings


class DeadlineRule(BaseModel):
    amount: int = Field(ge=0)
    unit: Unit

    def to_domain(self) -> DomainRule:
        return DomainRule(self.amount, self.unit)


def _rule(amount: int, unit: Unit) -> DeadlineRule:
    return DeadlineRule(amount=amount, unit=unit)


# 国务院令310 (2020) and the 2017 environmental measures, domain §4.
DEFAULT_RULES: dict[str, DeadlineRule] = {
    "approval": _rule(3, "working_days"),  # head decides on the team's report
    "transfer": _rule(24, "hours"),  # transfer after approval
    "receipt": _rule(24, "hours"),  # police sign for the file
    "supplement": _rule(3, "working_days"),  # bureau supplements an incomplete file
    "reconsideration_request": _rule(3, "working_days"),  # bureau asks reconsideration of a refusal
    "reconsideration_answer": _rule(3, "working_days"),  # police answer it
    "supervision_request": _rule(3, "working_days"),  # bureau asks procuratorate supervision
    "exhibits_handover": _rule(3, "working_days"),  # after the police open a case
}

# Police decision on opening a case: 3 days normal, 7 needing checks, 30 complex with approval.
DEFAULT_DECISION_TRACKS: dict[str, DeadlineRule] = {
    "normal": _rule(3, "working_days"),
    "checks": _rule(7, "working_days"),
    "complex": _rule(30, "calendar_days"),
}


class ReferralSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GREENLAW_REFERRAL_", extra="ignore")

    service_name: str = "referral"
    deadline_rules: dict[str, DeadlineRule] = Field(default_factory=lambda: dict(DEFAULT_RULES))
    decision_tracks: dict[str, DeadlineRule] = Field(default_factory=lambda: dict(DEFAULT_DECISION_TRACKS))
    at_risk_hours: int = Field(default=8, ge=0, description="an hour limit is at risk this close to its end")
    at_risk_working_days: int = Field(default=1, ge=0, description="a day limit is at risk this close to its end")
    documents_dir: Path | None = Field(default=None, description="default: <data_dir>/referral-documents")
    max_document_bytes: int = Field(default=50 * 1024 * 1024, gt=0)  # below the gateway's upload cap
    procuratorate_url: str | None = Field(default=None, description="检察院 endpoint receiving the copies")
    procuratorate_timeout: float = 10.0
    procuratorate_attempts: int = Field(default=5, ge=1)
    procuratorate_backoff_seconds: float = Field(default=1.0, ge=0)
    procuratorate_backoff_max_seconds: float = Field(default=60.0, ge=0)
    procuratorate_poll_interval: float = Field(default=30.0, gt=0)
    authority: str = "天津市西青区生态环境局"
    procuratorate_name: str = Field(
        default="天津市西青区人民检察院", description="同级人民检察院 named on the transfer letter's copy line (抄送)"
    )

    @model_validator(mode="after")
    def _every_limit_has_a_rule(self) -> ReferralSettings:
        missing = sorted(set(DEFAULT_RULES) - set(self.deadline_rules))
        missing += sorted(set(DEFAULT_DECISION_TRACKS) - set(self.decision_tracks))
        if missing:
            raise ValueError(f"referral time limits without a rule: {', '.join(missing)}")
        return self

    def resolved_documents_dir(self) -> Path:
        return self.documents_dir or self.common.data_dir / "referral-documents"

    def domain_rules(self) -> dict[str, DomainRule]:
        return {name: rule.to_domain() for name, rule in self.deadline_rules.items()}

    def domain_tracks(self) -> dict[str, DomainRule]:
        return {name: rule.to_domain() for name, rule in self.decision_tracks.items()}
