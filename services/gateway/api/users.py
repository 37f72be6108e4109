"""The admin API of staff accounts (用户管理, ``/api/v1/admin/users``), admin role only.

Lists never show a password hash; a new password is returned once, with ``Cache-Control: no-store``, and is kept
only as its hash. Each change is audited in the gateway database and this replica's account states are reloaded at
once (the others reload within ``account_refresh_seconds``).

The changes need neither ``If-Match`` nor ``Idempotency-Key``: deactivation, reactivation and signing out end in the
same state however often they are sent, and a reset must not be replayed (the answer holds a password that is never
stored).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from services.gateway.api.deps import (
    NO_STORE,
    ActiveFilter,
    Admin,
    Cursor,
    Limit,
    Session,
    actor_of,
    change_account,
)
from services.gateway.handlers import lifecycle
from services.gateway.schemas import NewPasswordPublic, PasswordReset, UserList, UserPublic
from services.gateway.tables import GatewayUser
from shared.auth import Principal

PREFIX = "/api/v1/admin"
DEACTIVATE = "Deactivate (停用): no more sign-ins, every token refused"
REACTIVATE = "Reactivate (启用): sign-ins allowed again; tokens from before stay refused"
SIGN_OUT = "Sign out everywhere (全部下线): end every token issued so far"

router = APIRouter(prefix=f"{PREFIX}/users", tags=["admin"])
UserName = Annotated[str, Path(alias="username", min_length=1, max_length=100, description="Login name")]


def user_public(user: GatewayUser) -> UserPublic:
    return UserPublic(
        username=user.username,
        roles=user.role_names(),
        team=user.team,
        active=user.active,
        created_at=user.created_at,
        tokens_revoked_at=user.tokens_revoked_at,
    )


async def _change(request: Request, step: lifecycle.Step, username: str, caller: Principal) -> UserPublic:
    user = await change_account(request, lambda session: step(session, "user", username, actor=actor_of(caller)))
    assert isinstance(user, GatewayUser)
    return user_public(user)


@router.get("", operation_id="gateway_list_users", summary="List staff accounts (用户列表)")
async def list_users(
    session: Session, _: Admin, active: ActiveFilter = None, cursor: Cursor = None, limit: Limit = 50
) -> UserList:
    rows, next_cursor = await lifecycle.list_users(session, active=active, cursor=cursor, limit=limit)
    return UserList(items=[user_public(row) for row in rows], next_cursor=next_cursor)


@router.post("/{username}/deactivation", operation_id="gateway_deactivate_user", summary=DEACTIVATE)
async def deactivate_user(username: UserName, request: Request, caller: Admin) -> UserPublic:
    return await _change(request, lifecycle.deactivate, username, caller)


@router.post("/{username}/reactivation", operation_id="gateway_reactivate_user", summary=REACTIVATE)
async def reactivate_user(username: UserName, request: Request, caller: Admin) -> UserPublic:
    return await _change(request, lifecycle.reactivate, username, caller)


@router.post("/{username}/token-revocation", operation_id="gateway_revoke_user_tokens", summary=SIGN_OUT)
async def revoke_user_tokens(username: UserName, request: Request, caller: Admin) -> UserPublic:
    return await _change(request, lifecycle.revoke_tokens, username, caller)


@router.post(
    "/{username}/password-reset",
    operation_id="gateway_reset_user_password",
    summary="Reset a user's password (重置密码); ends its tokens and lifts a sign-in lockout",
)
async def reset_password(
    username: UserName, body: PasswordReset, request: Request, caller: Admin, response: Response
) -> NewPasswordPublic:
    actor = actor_of(caller)
    user, password = await change_account(
        request, lambda session: lifecycle.reset_password(session, username, body.password, actor=actor)
    )
    response.headers["Cache-Control"] = NO_STORE
    return NewPasswordPublic(username=user.username, password=password)
