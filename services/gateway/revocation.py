"""Ended tokens: every gateway replica refuses a token of a deactivated account, or one older than the account's
token generation, without a database read per request.

Each replica keeps the state of the accounts that can refuse a token (inactive, or signed out at least once) in
memory, reloads it from the gateway database every ``account_refresh_seconds``, and reloads it at once after a
change it made itself. A change made by another replica or by the ``greenlaw`` command is seen within one period.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.domain.tokens import AccountState
from services.gateway.tables import GatewayClient, GatewayUser
from shared.auth import AccountKind, Principal
from shared.periodic import Periodic
from shared.problems import Problem

log = structlog.get_logger()


class AccountStates:
    """The in-memory map (kind, name) → state of the accounts whose tokens may be refused."""

    def __init__(self, sessions: Callable[[], AsyncSession]) -> None:
        self._sessions = sessions
        self._states: dict[tuple[AccountKind, str], AccountState] = {}
        # One reload at a time, so a reload that read before a change cannot overwrite one that read after it.
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        async with self._lock, self._sessions() as session:
            states: dict[tuple[AccountKind, str], AccountState] = {}
            users = select(GatewayUser.username, GatewayUser.active, GatewayUser.token_generation).where(
                or_(col(GatewayUser.active).is_(False), col(GatewayUser.token_generation) > 0)
            )
            for name, active, generation in await session.exec(users):
                states["user", name] = AccountState(active, generation)
            clients = select(GatewayClient.client_id, GatewayClient.active, GatewayClient.token_generation).where(
                or_(col(GatewayClient.active).is_(False), col(GatewayClient.token_generation) > 0)
            )
            for name, active, generation in await session.exec(clients):
                states["client", name] = AccountState(active, generation)
            self._states = states

    async def try_refresh(self) -> bool:
        """Reload, or keep the last known states if the database is briefly away (logged; the next round retries)."""
        try:
            await self.refresh()
        except Exception as exc:  # any database error: a failed reload must not stop the loop or fail a request
            log.warning("account_states_refresh_failed", error=repr(exc))
            return False
        return True

    async def keep_fresh(self, interval: float) -> None:
        """Reload every ``interval`` seconds for as long as the gateway runs."""
        failure = "account_states_refresh_failed"
        await Periodic("account-states", self.refresh, interval, failure_event=failure, first_delay=interval).run()

    def check(self, principal: Principal) -> None:
        """401 problem if the token's account is deactivated or the token predates its account's generation.

        A token without the ``acct`` claim (issued before it existed) is checked against a user and a client of
        its subject alike; a subject with no account here (another issuer) has nothing to refuse.
        """
        kinds: tuple[AccountKind, ...] = (principal.account,) if principal.account else ("user", "client")
        for kind in kinds:
            state = self._states.get((kind, principal.subject))
            if state is not None and state.refuses(principal.generation):
                raise Problem(
                    401,
                    "令牌已失效 The token has been revoked: the account was deactivated or signed out; sign in again",
                    slug="token-revoked",
                    headers={"WWW-Authenticate": 'Bearer realm="greenlaw", error="invalid_token"'},
                )
