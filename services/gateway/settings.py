"""Gateway settings, read from ``GREENLAW_GATEWAY_*`` (common values from ``GREENLAW_*``)."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.catalogue import UPSTREAMS
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
    # How often each replica reloads which accounts are deactivated or signed out, so a change made elsewhere (another
    # replica, the greenlaw command) refuses the account's tokens here within this many seconds.
    account_refresh_seconds: float = Field(default=2.0, gt=0, le=5)
    # Guessing at /auth/token: after ``login_throttle_after`` failed sign-ins of one account each further try
    # must wait (``login_first_delay_seconds``, doubling, at most ``login_max_delay_seconds``); after
    # ``login_lockout_after`` the account is locked for ``login_lockout_seconds``, also how long a failure counts.
    # The ``login_source_*`` values apply the same to all failures from one client address. A successful sign-in
    # clears the account's count.
    login_throttle_after: int = 5
    login_lockout_after: int = 10
    login_lockout_seconds: int = 900
    login_first_delay_seconds: float = 1.0
    login_max_delay_seconds: int = 60
    login_source_throttle_after: int = 20
    login_source_lockout_after: int = 50
    # Browser origins allowed to call the API across origins (CORS), e.g. ["https://www.xq.gov.cn"]. Empty: no CORS
    # headers at all, so browsers keep other sites' pages from reading the API.
    cors_allow_origins: list[str] = Field(default_factory=list)
    # Browser origins allowed to read the public API (/public/v1: open monitoring data, disclosure) across origins,
    # GET and HEAD only, e.g. ["https://www.xq.gov.cn"]. Empty: no CORS headers there. Never applies to staff, police
    # or portal paths.
    public_cors_origins: list[str] = Field(default_factory=list)
    # Proxies in front of the gateway (ingress controller, load balancer) whose X-Forwarded-For and -Proto are
    # believed, e.g. ["10.42.0.0/16"]. Empty: the socket peer is the client, whatever the headers say.
    trusted_proxies: list[IPv4Network | IPv6Network] = Field(default_factory=list)

    # The public answers cache (公开数据缓存, ``public_cache.py``): how long an answer may be kept at most (also never
    # longer than the service's max-age; 0 turns the cache off), and its bounds. The 2 s ceiling is the safety net
    # should an invalidation be lost: no withdrawn decision stays public here for longer than that.
    public_cache_seconds: float = Field(default=1.0, ge=0, le=2)
    public_cache_entries: int = Field(default=1000, ge=0)
    public_cache_bytes: int = Field(default=32 * 1024 * 1024, ge=0)

    # The Argon2id cost of account hashes (密码哈希强度): argon2-cffi's default (RFC 9106's second recommendation,
    # t=3, 64 MiB, p=4) unless set; never below OWASP's minimum (t=2, 19 MiB, p=1), as station passwords use. A
    # stored hash of other parameters is made again at these on its account's next successful sign-in.
    password_time_cost: int = Field(default=3, ge=2, le=20)
    password_memory_kib: int = Field(default=65_536, ge=19_456, le=4 * 1024 * 1024)
    password_parallelism: int = Field(default=4, ge=1, le=16)

    def upstream_urls(self) -> dict[str, str]:
        return {name: str(getattr(self, f"{name}_url")) for name in UPSTREAMS}
