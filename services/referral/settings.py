"""Settings of the referral service (env prefix ``GREENLAW_REFERRAL_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ReferralSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GREENLAW_REFERRAL_", extra="ignore")

    service_name: str = "referral"
