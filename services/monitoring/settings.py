"""Settings of the monitoring service (env prefix ``GREENLAW_MONITORING_``)."""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path

from pydantic import Field, IPvAnyNetwork
from pydantic_settings import SettingsConfigDict

from services.monitoring.data.loader import STANDARDS_DIR
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
    hj212_auth_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="an HJ 212 connection that has not sent one valid packet with the right MN and PW within this "
        "is closed, so connections that never sign in cannot hold the slots",
    )
    hj212_batch_max_packets: int = Field(
        default=1000, ge=1, description="HJ 212 data packets stored in one transaction at most (group commit)"
    )
    hj212_batch_linger_seconds: float = Field(
        default=0.002, ge=0, le=1, description="how long the HJ 212 writer waits for more packets before a commit"
    )
    hj212_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="HJ 212 listener processes sharing the port (SO_REUSEPORT): the service's own and workers - 1 "
        "more, each with its own database connections and group commit; more than 1 needs PostgreSQL",
    )
    batch_max_rows: int = 50_000
    # Guessing station passwords (HTTP Basic and HJ 212 PW): after ``station_auth_throttle_after`` failures of one
    # MN each further try must wait (``station_auth_first_delay_seconds``, doubling, at most
    # ``station_auth_max_delay_seconds``); after ``station_auth_lockout_after`` the MN is locked for
    # ``station_auth_lockout_seconds``, also how long a failure counts. The ``station_auth_source_*`` values apply
    # the same to all failures from one address. A successful sign-in clears the MN's count.
    station_auth_throttle_after: int = Field(default=5, ge=1)
    station_auth_lockout_after: int = Field(default=10, ge=1)
    station_auth_lockout_seconds: int = Field(default=900, ge=1)
    station_auth_first_delay_seconds: float = Field(default=1.0, ge=0)
    station_auth_max_delay_seconds: int = Field(default=60, ge=0)
    station_auth_source_throttle_after: int = Field(default=20, ge=1)
    station_auth_source_lockout_after: int = Field(default=50, ge=1)
    trusted_proxies: list[IPvAnyNetwork] = Field(
        default_factory=lambda: [ip_network("127.0.0.1"), ip_network("::1")],
        description="addresses or networks of the gateway: a request from one of them counts against the address "
        "it forwarded (the last X-Forwarded-For entry) in the station sign-in throttle",
    )
    batch_max_bytes: int = 20_000_000
    public_cache_seconds: int = Field(
        default=60, ge=0, le=3600, description="shared cache lifetime of the open monitoring API's answers"
    )
    bulletin_schedule_enabled: bool = Field(
        default=True,
        description="publish the daily, weekly and monthly air bulletins once their days are reviewed, and the last "
        "ended year's noise bulletin once its measurements are",
    )
    bulletin_schedule_interval_seconds: float = Field(
        default=900.0, gt=0, description="how often the automatic air bulletins look for reviewed periods"
    )
    bulletin_schedule_lookback_days: int = Field(
        default=40,
        ge=1,
        le=400,
        description="how far back a period may start and still be published automatically (older ones by hand)",
    )
