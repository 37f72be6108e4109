"""Settings of the disclosure service (env prefix ``GREENLAW_DISCLOSURE_``)."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.contracts.common import DecisionKind
from shared.settings import ServiceSettings

PublishMode = Literal["auto", "approval"]
_APPROVAL: PublishMode = "approval"
NameStyle = Literal["full", "surname", "surname_double"]
# Where links point when no public address is configured (development and tests only): `greenlaw run`'s default.
LOCAL_BASE_URL = "http://127.0.0.1:8000"


class DisclosureSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GREENLAW_DISCLOSURE_", extra="ignore")

    service_name: str = "disclosure"
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
        description="the site's public address for absolute links (Atom feed), e.g. https://sthj.example.gov.cn; "
        "required in production, never taken from a request's Host",
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
    # The rule-of-law report reads the referral service's yearly statistics (referrals by medium and outcome).
    referral_url: str = "http://127.0.0.1:8003"
    # The rule-of-law annual report (法治政府建设年度报告): public before 1 April of Y+1.
    rule_of_law_report_due_month_day: tuple[int, int] = Field(
        default=(3, 31), description="the rule-of-law report is due on this day of Y+1"
    )
    reports_required_from: int | None = Field(
        default=None,
        description="the first year the bureau was told to report for: from it, both annual reports are owed (overdue "
        "past their due date) even for a year without data; before it, only years with data are",
    )

    @model_validator(mode="after")
    def _public_address(self) -> DisclosureSettings:
        if self.public_base_url is None:
            return self
        if not _http_address(self.public_base_url):
            raise ValueError(
                "GREENLAW_DISCLOSURE_PUBLIC_BASE_URL must be an address such as https://host[:port][/path]"
            )
        self.public_base_url = self.public_base_url.rstrip("/")
        return self

    def require_public_address(self) -> None:
        """In production the service's links need the configured address. Checked when the service is built, not
        with the settings: the one-shot commands that read them too (migrate, backup, audit verify) make no links."""
        if self.public_base_url is None and self.common.environment == "production":
            raise ValueError("GREENLAW_DISCLOSURE_PUBLIC_BASE_URL must be set in production (the site's address)")

    def public_links_base(self) -> str:
        """The address absolute links to the public pages start with (公示网址)."""
        return self.public_base_url or LOCAL_BASE_URL


def _http_address(value: str) -> bool:
    """An absolute http(s) address with a host (and a valid port, if any); no credentials, query or fragment."""
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises on a port that is not one
    except ValueError:
        return False
    plain = not (parts.username or parts.query or parts.fragment or " " in value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and plain
