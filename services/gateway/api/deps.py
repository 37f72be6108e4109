"""What the gateway's own routes share: the runtime, a database session, the admin caller, and the one helper
that changes an account (run the change, commit it with its audit row, reload this replica's token states)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.handlers.lifecycle import Actor
from services.gateway.runtime import GatewayRuntime
from services.gateway.zones import BEARER_CHALLENGE
from shared.auth import Principal, Role, bearer_token, verify_token
from shared.http import MAX_LIMIT
from shared.problems import Problem

NO_STORE = "no-store"
T = TypeVar("T")


def runtime_of(request: Request) -> GatewayRuntime:
    runtime: GatewayRuntime = request.app.state.gateway
    return runtime


async def session(request: Request) -> AsyncIterator[AsyncSession]:
    async with runtime_of(request).session() as opened:
        yield opened


Session = Annotated[AsyncSession, Depends(session)]


async def current_admin(request: Request) -> Principal:
    """The admin API checks its token here (it is not behind a proxied zone): a live staff token with ``admin``."""
    runtime = runtime_of(request)
    token = bearer_token(request)
    if token is None:
        raise Problem(401, "需要令牌 A bearer token is required", headers=dict(BEARER_CHALLENGE))
    principal = verify_token(runtime.settings.common, token)
    runtime.states.check(principal)
    if principal.zone != "staff" or Role.ADMIN not in principal.roles:
        raise Problem(403, "需要管理员角色 Requires the admin role")
    return principal


Admin = Annotated[Principal, Depends(current_admin)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=500)]
ActiveFilter = Annotated[bool | None, Query(description="Only active (true) or deactivated (false) accounts")]


def actor_of(principal: Principal) -> Actor:
    account = (principal.account, principal.subject) if principal.account else None
    return Actor(name=principal.subject, account=account)


async def change_account(request: Request, act: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``act`` in one transaction with its audit row and commit; then this replica learns of the change at once
    (if this reload fails, the periodic one catches up). Refusals are the handlers' domain errors (404, 409)."""
    runtime = runtime_of(request)
    async with runtime.session() as opened:
        done = await act(opened)
        await opened.commit()
    await runtime.states.try_refresh()
    return done
