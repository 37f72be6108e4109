"""Settings of the monitoring service (env prefix ``GREENLAW_MONITORING_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class MonitoringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GREENLAW_MONITORING_", extra="ignore")

    service_name: str = "monitoring"
