"""Settings of the disclosure service (env prefix ``GREENLAW_DISCLOSURE_``)."""

from __future__ import annotations

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


class DisclosureSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GREENLAW_DISCLOSURE_", extra="ignore")

    service_name: str = "disclosure"
    publication_working_days: dict[DecisionKind, int] = Field(
        default_factory=lambda: dict(DEFAULT_WORKING_DAYS),
        description="公示期限 in working days per decision kind",
    )
