"""Settings of the monitoring service (env prefix ``GREENLAW_MONITORING_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.monitoring.standards import STANDARDS_DIR
from shared.settings import ServiceSettings


class MonitoringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GREENLAW_MONITORING_", extra="ignore")

    service_name: str = "monitoring"
    standards_dirs: list[Path] = Field(
        default_factory=lambda: [STANDARDS_DIR],
        description="directories of standard tables (AQI, water, noise, validity), each with its effective date",
    )
    hj212_enabled: bool = True
    hj212_host: str = "127.0.0.1"
    hj212_port: int = Field(default=0, description="HJ 212 TCP port; 0 picks a free one (see app.state.hj212_port)")
    hj212_max_packet_bytes: int = 4096
    hj212_max_connections: int = 200
    hj212_idle_timeout_seconds: float = 300.0
    hj212_batch_max_packets: int = Field(
        default=1000, ge=1, description="HJ 212 data packets stored in one transaction at most (group commit)"
    )
    hj212_batch_linger_seconds: float = Field(
        default=0.002, ge=0, le=1, description="how long the HJ 212 writer waits for more packets before a commit"
    )
    batch_max_rows: int = 50_000
    batch_max_bytes: int = 20_000_000
