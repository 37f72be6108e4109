"""Station sign-in (站点认证): an MN and its password, sent by HTTP Basic or in HJ 212 packets.

Failures are counted per MN (``mn:…``, whether or not the station exists) and per client address (``ip:…``) in the
monitoring database, so every replica and both entry points share the counts. Past the thresholds a try is refused
before any password is checked, even the right one. An unknown MN, an inactive station and a wrong password cost
the same (one argon2 verification, one counted failure). HTTP Basic answers them alike; HJ 212 tells an MN error
from a password error, as the standard requires (QnRtn 4 / 3; see the service README).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.monitoring.handlers.passwords import PasswordCache
from services.monitoring.settings import MonitoringSettings
from services.monitoring.tables import Station, StationAuthFailure
from shared.guessing import Barrier, GuessGuard, GuessPolicy, address_key, clear_counts, name_key


class StationThrottled(Exception):
    """Too many failed sign-ins for this MN or from this address: refused without checking the password."""

    def __init__(self, barrier: Barrier) -> None:
        super().__init__(f"retry after {barrier.retry_after} s")
        self.barrier = barrier


def station_policy(settings: MonitoringSettings) -> GuessPolicy:
    return GuessPolicy(
        throttle_after=settings.station_auth_throttle_after,
        lockout_after=settings.station_auth_lockout_after,
        lockout_seconds=settings.station_auth_lockout_seconds,
        first_delay_seconds=settings.station_auth_first_delay_seconds,
        max_delay_seconds=settings.station_auth_max_delay_seconds,
        source_throttle_after=settings.station_auth_source_throttle_after,
        source_lockout_after=settings.station_auth_source_lockout_after,
    )


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the station, or why not (``mn_known``: the MN names an active station, so the
    password was wrong)."""

    station: Station | None
    mn_known: bool


class StationCredentials:
    def __init__(self, policy: GuessPolicy, passwords: PasswordCache, clock: Callable[[], float] = time.time) -> None:
        self.guard = GuessGuard(policy, StationAuthFailure, clock)
        self.passwords = passwords

    async def authenticate(
        self, sessions: async_sessionmaker[AsyncSession], code: str, password: str, *, address: str
    ) -> SignIn:
        """The active station with this MN and password, or why not; raises :class:`StationThrottled`."""
        keys = [name_key("mn", code), address_key(address)]
        async with sessions() as session:
            standing = await self.guard.standing(session, keys)
            if standing.barrier is not None:
                raise StationThrottled(standing.barrier)
            station = await session.scalar(select(Station).where(Station.code == code))
        # No connection is held while argon2 runs: a storm of guesses must not drain the pool.
        verified = await self.passwords.verify(code, password, station.password_hash if station else None)
        mn_known = station is not None and station.active
        if station is None or not mn_known or not verified:
            async with sessions() as session:
                await self.guard.failed(session, keys)
            return SignIn(None, mn_known)
        if keys[0] in standing.counted:
            async with sessions() as session:
                await self.guard.succeeded(session, keys[0])
        return SignIn(station, True)


async def unlock_station(session: AsyncSession, code: str) -> bool:
    """Clear an MN's failed sign-ins, e.g. after guesses locked a real station out; whether there were any.
    Not committed."""
    return await clear_counts(session, StationAuthFailure, [name_key("mn", code)]) > 0
