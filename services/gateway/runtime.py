"""What a running gateway holds: its settings, the accounts database, the accounts' token states kept fresh from
it, the rate limiter and sign-in guard, and one HTTP client per service. The lifespan opens and closes it; routes
reach it as ``app.state.gateway``."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.domain.rate_limits import RateLimiter
from services.gateway.forwarding import UpstreamClient
from services.gateway.public_cache import PublicCache
from services.gateway.revocation import AccountStates
from services.gateway.settings import GatewaySettings
from shared.guessing import GuessGuard


@dataclass
class GatewayRuntime:
    settings: GatewaySettings
    limiter: RateLimiter
    guard: GuessGuard
    engine: AsyncEngine | None = None
    sessions: async_sessionmaker[AsyncSession] | None = None
    clients: dict[str, UpstreamClient] = field(default_factory=dict)
    states: AccountStates = field(init=False)
    public_cache: PublicCache = field(init=False)

    def __post_init__(self) -> None:
        self.states = AccountStates(self.session)
        settings = self.settings
        self.public_cache = PublicCache(
            max_age=settings.public_cache_seconds,
            max_entries=settings.public_cache_entries,
            max_bytes=settings.public_cache_bytes,
        )

    def session(self) -> AsyncSession:
        if self.sessions is None:
            raise RuntimeError("the gateway is not started (its lifespan has not run)")
        return self.sessions()
