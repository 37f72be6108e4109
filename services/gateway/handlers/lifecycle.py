"""Account lifecycle (账户管理) of the token issuer: list, deactivate (停用), reactivate (启用), reset a password,
rotate a client secret, sign out everywhere. Used by the admin API and the ``greenlaw users|clients`` commands alike.

Every change raises the account's token generation where old tokens must end, and is appended to the gateway's
hash-chained audit log with the acting admin, never with a password or secret. Functions flush, never commit: the
caller owns the transaction, so the audit row is written exactly when the change is.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel, ConfigDict
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.handlers.accounts import hash_secret, unlock
from services.gateway.tables import GatewayClient, GatewayUser
from shared.audit import append_audit
from shared.auth import AccountKind
from shared.bounds import Int64
from shared.errors import Conflict, NotFound
from shared.http import decode_position, encode_cursor
from shared.keyset import Key, keyset, split

Account = GatewayUser | GatewayClient
# A change of one account: (session, kind, name, *, actor) → the account as changed.
Step = Callable[..., Awaitable["Account"]]
AccountT = TypeVar("AccountT", GatewayUser, GatewayClient)
MODELS: dict[AccountKind, type[GatewayUser] | type[GatewayClient]] = {"user": GatewayUser, "client": GatewayClient}
LABELS: dict[AccountKind, str] = {"user": "用户 User", "client": "客户端 Client"}
GENERATED_SECRET_BYTES = 24  # 32 URL-safe characters


class AccountNotFound(NotFound):
    """No user or client of that name."""


class AccountConflict(Conflict):
    """The change is not allowed in the account's state (e.g. an admin deactivating its own account)."""


@dataclass(frozen=True)
class Actor:
    """Who makes the change: the text written to the audit log, and the account it signs in with (if any)."""

    name: str
    account: tuple[AccountKind, str] | None = None


def account_name(account: Account) -> str:
    return account.username if isinstance(account, GatewayUser) else account.client_id


async def load_account(session: AsyncSession, kind: AccountKind, name: str) -> Account:
    """The account, locked for the change (PostgreSQL); :class:`AccountNotFound` if there is none."""
    if kind == "user":
        return await _load(session, GatewayUser, name)
    return await _load(session, GatewayClient, name)


async def _load(session: AsyncSession, model: type[AccountT], name: str) -> AccountT:
    column = col(GatewayUser.username) if model is GatewayUser else col(GatewayClient.client_id)
    account = (await session.exec(select(model).where(column == name).with_for_update())).first()
    if account is None:
        kind: AccountKind = "user" if model is GatewayUser else "client"
        raise AccountNotFound(f"{LABELS[kind]} {name!r} 不存在 not found")
    return account


async def list_users(
    session: AsyncSession, *, active: bool | None, cursor: str | None, limit: int
) -> tuple[list[GatewayUser], str | None]:
    return await _page(session, GatewayUser, active=active, cursor=cursor, limit=limit)


async def list_clients(
    session: AsyncSession, *, active: bool | None, cursor: str | None, limit: int
) -> tuple[list[GatewayClient], str | None]:
    return await _page(session, GatewayClient, active=active, cursor=cursor, limit=limit)


class IdPosition(BaseModel):
    """The account lists' cursor: the last id, which a ``bigint`` holds."""

    model_config = ConfigDict(extra="forbid", strict=True)
    id: Int64


async def _page(
    session: AsyncSession, model: type[AccountT], *, active: bool | None, cursor: str | None, limit: int
) -> tuple[list[AccountT], str | None]:
    """One page in creation order (keyset on ``id``); the cursor holds the last id."""
    statement = select(model)
    position = decode_position(cursor, IdPosition)
    if active is not None:
        statement = statement.where(col(model.active) == active)
    after = (position.id,) if position else None
    rows, last = split(list((await session.exec(keyset(statement, (Key(col(model.id)),), after, limit))).all()), limit)
    return rows, encode_cursor({"id": last.id}) if last else None


def end_tokens(account: Account) -> None:
    """Every token issued so far carries a lower generation and is refused from now on."""
    account.token_generation += 1
    account.tokens_revoked_at = datetime.now(UTC)


async def _record(session: AsyncSession, kind: AccountKind, account: Account, actor: Actor, action: str) -> None:
    session.add(account)
    data = {"active": account.active, "token_generation": account.token_generation}
    await append_audit(
        session, actor=actor.name, entity_type=kind, entity_id=account_name(account), action=action, data=data
    )


async def deactivate(session: AsyncSession, kind: AccountKind, name: str, *, actor: Actor) -> Account:
    """Refuse sign-ins and end every token; deactivating an inactive account changes nothing."""
    if actor.account == (kind, name):
        raise AccountConflict("不能停用自己的账户 An admin cannot deactivate its own account")
    account = await load_account(session, kind, name)
    if account.active:
        account.active = False
        end_tokens(account)
        await _record(session, kind, account, actor, "deactivated")
    return account


async def reactivate(session: AsyncSession, kind: AccountKind, name: str, *, actor: Actor) -> Account:
    """Allow sign-ins again; tokens from before the deactivation stay refused (their generation is older)."""
    account = await load_account(session, kind, name)
    if not account.active:
        account.active = True
        await _record(session, kind, account, actor, "reactivated")
    return account


async def revoke_tokens(session: AsyncSession, kind: AccountKind, name: str, *, actor: Actor) -> Account:
    """Sign out everywhere (全部下线): end every token issued so far; the credentials stay valid."""
    account = await load_account(session, kind, name)
    end_tokens(account)
    await _record(session, kind, account, actor, "tokens_revoked")
    return account


async def reset_password(
    session: AsyncSession, username: str, password: str | None, *, actor: Actor
) -> tuple[GatewayUser, str]:
    """Set a new password (the one given, or a generated one), end every token and lift a sign-in lockout.

    Returns the account and the new password, which is stored only as its hash: the caller shows it once.
    """
    user = await _load(session, GatewayUser, username)
    new_password = password or secrets.token_urlsafe(GENERATED_SECRET_BYTES)
    user.password_hash = await hash_secret(new_password)
    end_tokens(user)
    await unlock(session, username)
    await _record(session, "user", user, actor, "password_reset")
    return user, new_password


async def rotate_secret(session: AsyncSession, client_id: str, *, actor: Actor) -> tuple[GatewayClient, str]:
    """Replace a client's secret with a generated one: the old secret and every token end at once."""
    client = await _load(session, GatewayClient, client_id)
    new_secret = secrets.token_urlsafe(GENERATED_SECRET_BYTES)
    client.secret_hash = await hash_secret(new_secret)
    end_tokens(client)
    await _record(session, "client", client, actor, "secret_rotated")
    return client, new_secret
