"""The admin API of the token issuer's accounts (账户管理), ``/api/v1/admin/users`` and ``/api/v1/admin/clients``.

Admin role only. Lists never show a password hash or secret; a new password or secret is returned once, with
``Cache-Control: no-store``, and is kept only as its hash. Each change is audited in the gateway database and this
replica's account states are reloaded at once (the others reload within ``account_refresh_seconds``).

The changes need neither ``If-Match`` nor ``Idempotency-Key``: deactivation, reactivation and signing out end in the
same state however often they are sent, and a reset or rotation must not be replayed (the answer holds a secret
that is never stored).
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway import lifecycle
from services.gateway.auth import BEARER_CHALLENGE
from services.gateway.lifecycle import Account, AccountConflict, AccountNotFound, Actor, Step
from services.gateway.revocation import AccountStates
from services.gateway.settings import GatewaySettings
from services.gateway.tables import GatewayClient, GatewayUser
from shared.auth import AccountKind, Principal, Role, bearer_token, verify_token
from shared.http import MAX_LIMIT
from shared.problems import Problem

PREFIX = "/api/v1/admin"
NO_STORE = "no-store"


class UserPublic(BaseModel):
    """A staff account (工作人员账户), without its password hash."""

    username: str
    roles: list[str]
    team: str | None
    active: bool = Field(description="false: deactivated (停用), cannot sign in, its tokens are refused")
    created_at: datetime
    tokens_revoked_at: datetime | None = Field(description="When its tokens were last ended")


class UserList(BaseModel):
    items: list[UserPublic]
    next_cursor: str | None


class ClientPublic(BaseModel):
    """A machine client (e.g. a police unit's liaison system, 公安联络系统), without its secret."""

    client_id: str
    role: str
    unit: str | None
    active: bool = Field(description="false: deactivated (停用), cannot get tokens, its tokens are refused")
    created_at: datetime
    tokens_revoked_at: datetime | None = Field(description="When its tokens were last ended")


class ClientList(BaseModel):
    items: list[ClientPublic]
    next_cursor: str | None


class PasswordReset(BaseModel):
    """The new password; without it one is generated (重置密码)."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=8, max_length=200)


class NewPassword(BaseModel):
    username: str
    password: str = Field(description="The new password, shown only in this answer")


class NewSecret(BaseModel):
    client_id: str
    client_secret: str = Field(description="The new secret, shown only in this answer; the old one no longer works")


def user_public(user: GatewayUser) -> UserPublic:
    return UserPublic(
        username=user.username,
        roles=user.role_names(),
        team=user.team,
        active=user.active,
        created_at=user.created_at,
        tokens_revoked_at=user.tokens_revoked_at,
    )


def client_public(client: GatewayClient) -> ClientPublic:
    return ClientPublic(
        client_id=client.client_id,
        role=client.role,
        unit=client.unit,
        active=client.active,
        created_at=client.created_at,
        tokens_revoked_at=client.tokens_revoked_at,
    )


def public(account: Account) -> UserPublic | ClientPublic:
    return user_public(account) if isinstance(account, GatewayUser) else client_public(account)


def actor_of(principal: Principal) -> Actor:
    account = (principal.account, principal.subject) if principal.account else None
    return Actor(name=principal.subject, account=account)


UserName = Annotated[str, Path(alias="username", min_length=1, max_length=100, description="Login name")]
ClientId = Annotated[str, Path(alias="client_id", min_length=1, max_length=100, description="Client id")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=500)]
ActiveFilter = Annotated[bool | None, Query(description="Only active (true) or deactivated (false) accounts")]
SessionFactory = Callable[[], AsyncSession]


def admin_router(settings: GatewaySettings, *, sessions: SessionFactory, states: AccountStates) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["admin"])

    async def current_admin(request: Request) -> Principal:
        token = bearer_token(request)
        if token is None:
            raise Problem(401, "需要令牌 A bearer token is required", headers=dict(BEARER_CHALLENGE))
        principal = verify_token(settings.common, token)
        states.check(principal)
        if principal.zone != "staff" or Role.ADMIN not in principal.roles:
            raise Problem(403, "需要管理员角色 Requires the admin role")
        return principal

    admin = Annotated[Principal, Depends(current_admin)]

    @asynccontextmanager
    async def changing() -> AsyncIterator[AsyncSession]:
        """One transaction for the change and its audit row; then this replica learns of it at once."""
        try:
            async with sessions() as session:
                yield session
                await session.commit()
        except AccountNotFound as exc:
            raise Problem(404, str(exc)) from exc
        except AccountConflict as exc:
            raise Problem(409, str(exc)) from exc
        await states.try_refresh()  # committed: if this reload fails, the periodic one catches up

    async def change(step: Step, kind: AccountKind, name: str, caller: Principal) -> UserPublic | ClientPublic:
        async with changing() as session:
            account = await step(session, kind, name, actor=actor_of(caller))
        return public(account)

    @router.get("/users", operation_id="gateway_list_users", summary="List staff accounts (用户列表)")
    async def list_users(_: admin, active: ActiveFilter = None, cursor: Cursor = None, limit: Limit = 50) -> UserList:
        async with sessions() as session:
            rows, next_cursor = await lifecycle.list_users(session, active=active, cursor=cursor, limit=limit)
        return UserList(items=[user_public(row) for row in rows], next_cursor=next_cursor)

    @router.get("/clients", operation_id="gateway_list_clients", summary="List machine clients (客户端列表)")
    async def list_clients(
        _: admin, active: ActiveFilter = None, cursor: Cursor = None, limit: Limit = 50
    ) -> ClientList:
        async with sessions() as session:
            rows, next_cursor = await lifecycle.list_clients(session, active=active, cursor=cursor, limit=limit)
        return ClientList(items=[client_public(row) for row in rows], next_cursor=next_cursor)

    @router.post(
        "/users/{username}/deactivation",
        operation_id="gateway_deactivate_user",
        summary=DEACTIVATE,
        response_model=UserPublic,
    )
    async def deactivate_user(username: UserName, caller: admin) -> UserPublic | ClientPublic:
        return await change(lifecycle.deactivate, "user", username, caller)

    @router.post(
        "/users/{username}/reactivation",
        operation_id="gateway_reactivate_user",
        summary=REACTIVATE,
        response_model=UserPublic,
    )
    async def reactivate_user(username: UserName, caller: admin) -> UserPublic | ClientPublic:
        return await change(lifecycle.reactivate, "user", username, caller)

    @router.post(
        "/users/{username}/token-revocation",
        operation_id="gateway_revoke_user_tokens",
        summary=SIGN_OUT,
        response_model=UserPublic,
    )
    async def revoke_user_tokens(username: UserName, caller: admin) -> UserPublic | ClientPublic:
        return await change(lifecycle.revoke_tokens, "user", username, caller)

    @router.post(
        "/users/{username}/password-reset",
        operation_id="gateway_reset_user_password",
        summary="Reset a user's password (重置密码); ends its tokens and lifts a sign-in lockout",
    )
    async def reset_password(username: UserName, body: PasswordReset, caller: admin, response: Response) -> NewPassword:
        async with changing() as session:
            user, password = await lifecycle.reset_password(session, username, body.password, actor=actor_of(caller))
        response.headers["Cache-Control"] = NO_STORE
        return NewPassword(username=user.username, password=password)

    @router.post(
        "/clients/{client_id}/deactivation",
        operation_id="gateway_deactivate_client",
        summary=DEACTIVATE,
        response_model=ClientPublic,
    )
    async def deactivate_client(client_id: ClientId, caller: admin) -> UserPublic | ClientPublic:
        return await change(lifecycle.deactivate, "client", client_id, caller)

    @router.post(
        "/clients/{client_id}/reactivation",
        operation_id="gateway_reactivate_client",
        summary=REACTIVATE,
        response_model=ClientPublic,
    )
    async def reactivate_client(client_id: ClientId, caller: admin) -> UserPublic | ClientPublic:
        return await change(lifecycle.reactivate, "client", client_id, caller)

    @router.post(
        "/clients/{client_id}/token-revocation",
        operation_id="gateway_revoke_client_tokens",
        summary=SIGN_OUT,
        response_model=ClientPublic,
    )
    async def revoke_client_tokens(client_id: ClientId, caller: admin) -> UserPublic | ClientPublic:
        return await change(lifecycle.revoke_tokens, "client", client_id, caller)

    @router.post(
        "/clients/{client_id}/secret-rotation",
        operation_id="gateway_rotate_client_secret",
        summary="Give a client a new generated secret (更换密钥); the old secret and its tokens end at once",
    )
    async def rotate_secret(client_id: ClientId, caller: admin, response: Response) -> NewSecret:
        async with changing() as session:
            client, secret = await lifecycle.rotate_secret(session, client_id, actor=actor_of(caller))
        response.headers["Cache-Control"] = NO_STORE
        return NewSecret(client_id=client.client_id, client_secret=secret)

    return router


DEACTIVATE = "Deactivate (停用): no more sign-ins, every token refused"
REACTIVATE = "Reactivate (启用): sign-ins allowed again; tokens from before stay refused"
SIGN_OUT = "Sign out everywhere (全部下线): end every token issued so far"
