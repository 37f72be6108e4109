"""Gateway settings, read from ``GREENLAW_GATEWAY_*`` (common values from ``GREENLAW_*``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """Where the services are, how long to wait for them, and what a client may send and how often."""

    model_config = SettingsConfigDict(env_prefix="GREENLAW_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    cases_url: str = "http://127.0.0.1:8001"
    disclosure_url: str = "http://127.0.0.1:8002"
    referral_url: str = "http://127.0.0.1:8003"
    monitoring_url: str = "http://127.0.0.1:8004"
    upstream_timeout: float = 10.0
    # Readiness probes fan out to four services; a slow one must not hold the probe for long.
    readiness_timeout: float = 3.0
    openapi_cache_seconds: float = 30.0
    max_body_bytes: int = 10 * 1024 * 1024
    # multipart/form-data uploads (evidence recordings up to 200 MiB, referral documents); each service caps its own.
    max_upload_bytes: int = 256 * 1024 * 1024
    # Rate limits in the notation of the ``limits`` library ("<count>/<period>").
    rate_limit_public: str = "120/minute"
    rate_limit_authenticated: str = "1200/minute"
    rate_limit_token: str = "30/minute"  # noqa: S105 (a rate for /auth/token, not a secret)
    token_ttl_seconds: int = 3600

    def upstream_urls(self) -> dict[str, str]:
        return {
            "cases": self.cases_url,
            "disclosure": self.disclosure_url,
            "referral": self.referral_url,
            "monitoring": self.monitoring_url,
        }
