"""Settings of the cases service (env prefix ``GREENLAW_CASES_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.contracts.common import DecisionKind
from shared.settings import ServiceSettings

DEFAULT_PREFIXES: dict[DecisionKind, str] = {
    DecisionKind.PENALTY: "津西青环罚",
    DecisionKind.SEIZURE: "津西青环查扣",
    DecisionKind.YELLOW_CARD: "津西青环黄牌",
    DecisionKind.ORDER_TO_CORRECT: "津西青环责改",
    DecisionKind.DAILY_PENALTY: "津西青环按日罚",
    DecisionKind.PRODUCTION_RESTRICTION: "津西青环限停",
}


class CasesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GREENLAW_CASES_", extra="ignore")

    service_name: str = "cases"
    document_prefixes: dict[DecisionKind, str] = Field(
        default_factory=lambda: dict(DEFAULT_PREFIXES), description="文书编号前缀 per decision kind"
    )
    authority: str = "天津市西青区生态环境局"
    authority_credit_code: str = ""
