"""Settings of the disclosure service (env prefix ``GREENLAW_DISCLOSURE_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.contracts.common import DecisionKind
from shared.settings import ServiceSettings

# 国办发〔2018〕118号: penalty decisions within 7 working days, other enforcement decisions within 20.
DEFAULT_WORKING_DAYS: dict[DecisionKind, int] = {
    DecisionKind.PENALTY: 7,
    DecisionKind.DAILY_PENALTY: 7,
    DecisionKind.SEIZURE: 20,
    DecisionKind.YELLOW_CARD: 20,
    DecisionKind.ORDER_TO_CORRECT: 20,
    DecisionKind.PRODUCTION_RESTRICTION: 20,
}

PublishMode = Literal["auto", "approval"]
_APPROVAL: PublishMode = "approval"
NameStyle = Literal["full", "surname", "surname_double"]


class DisclosureSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GREENLAW_DISCLOSURE_", extra="ignore")

    service_name: str = "disclosure"
    publication_working_days: dict[DecisionKind, int] = Field(
        default_factory=lambda: dict(DEFAULT_WORKING_DAYS),
        description="公示期限 in working days per decision kind",
    )
    # An editor checks the redaction before anything goes out unless a kind is switched to "auto".
    publish_modes: dict[DecisionKind, PublishMode] = Field(
        default_factory=lambda: dict.fromkeys(DecisionKind, _APPROVAL),
        description="auto-publish or editor approval (审核发布), per decision kind",
    )
    redaction_review_below: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="an automatic publication waits for the editor when a redaction's confidence is below this",
    )
    redaction_recheck_interval_seconds: float = Field(
        default=7 * 24 * 3600.0,
        description="how often every published decision is re-checked with the current detectors (0: never)",
    )
    individual_name_style: NameStyle = Field(
        default="full", description="how an individual's name is published: full, surname (张某), surname_double"
    )
    withdrawal_working_days: int = Field(default=3, description="行政处罚法 §48 ¶2: withdraw within 3 working days")
    at_risk_working_days: int = Field(default=2, description="unpublished and due within this many working days")
    watch_interval_seconds: float = Field(default=300.0, description="how often the deadline watch runs")
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed to read /public/v1")
    public_cache_seconds: int = 60
    public_base_url: str | None = Field(
        default=None,
        description="the site's public address for absolute links (Atom feed); else the gateway's forwarded host",
    )
    public_cache_entries: int = Field(
        default=1000, description="rendered public pages kept in memory until the public data changes (0: none)"
    )
    timezone: str = "Asia/Shanghai"

    # Credit China (信用中国) double-publicity delivery.
    credit_china_url: str | None = Field(default=None, description="endpoint receiving penalty records; off if unset")
    credit_china_token: str | None = None
    credit_china_max_attempts: int = 5
    credit_china_backoff_seconds: float = 0.5
    credit_china_interval_seconds: float = 10.0
    credit_china_timeout_seconds: float = 10.0
    # 公示期 at least 3 months, at most 3 years from the decision date; the tiering is unconfirmed, so it is data.
    credit_china_publicity_months: int = 36
    authority: str = "天津市西青区生态环境局"
    authority_credit_code: str = ""

    # The annual enforcement report reads the cases statistics over HTTP.
    cases_url: str = "http://127.0.0.1:8001"
    annual_report_due_month_day: tuple[int, int] = Field(default=(1, 31), description="due on this day of Y+1")
