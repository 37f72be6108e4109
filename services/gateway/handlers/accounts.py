"""Accounts of the built-in token issuer: creating staff users and police clients, and checking credentials.

Secrets are stored as Argon2id hashes. Hashing is CPU-bound (tens of milliseconds by design), so it runs in a
worker thread to keep the event loop answering other requests. Its cost is the gateway settings'
(``GREENLAW_GATEWAY_PASSWORD_*``: the app's, or the environment's); a hash stored at another cost is made again at
this one when its account next signs in.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.settings import GatewaySettings
from services.gateway.tables import GatewayClient, GatewayUser, LoginFailure
from shared.auth import Role
from shared.errors import Invalid
from shared.guessing import GuessGuard, GuessPolicy, clear_counts, name_key

_configured: list[GatewaySettings] = []


def configure_hashing(settings: GatewaySettings) -> None:
    """Hash at ``settings``' cost from now on in this process (the gateway app and the CLI call it with theirs)."""
    _configured[:] = [settings]
    _hasher.cache_clear()
    _dummy_hash.cache_clear()


@functools.cache
def _hasher() -> PasswordHasher:
    """New hashes at the configured cost: the settings given to :func:`configure_hashing`, else the environment's."""
    settings = _configured[0] if _configured else GatewaySettings()
    return PasswordHasher(
        time_cost=settings.password_time_cost,
        memory_cost=settings.password_memory_kib,
        parallelism=settings.password_parallelism,
    )


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the account does not exist, so a wrong name costs as long as a wrong password (at the
    configured cost, which is what real hashes come to after their next sign-in)."""
    return _hasher().hash("greenlaw-no-such-account")


class AccountError(Invalid):
    """An account cannot be created as asked (unknown role, duplicate name, missing value)."""


def parse_roles(roles: str | Iterable[str]) -> list[Role]:
    """``"officer,head"`` or ``["officer", "head"]`` → roles; an unknown name is an :class:`AccountError`."""
    names = roles.split(",") if isinstance(roles, str) else list(roles)
    cleaned = [name.strip() for name in names if name.strip()]
    if not cleaned:
        raise AccountError("至少需要一个角色 At least one role is required")
    unknown = sorted({name for name in cleaned if name not in {role.value for role in Role}})
    if unknown:
        valid = ", ".join(role.value for role in Role)
        raise AccountError(f"未知角色 Unknown role(s): {', '.join(unknown)}; valid roles: {valid}")
    return sorted({Role(name) for name in cleaned})


async def hash_secret(secret: str) -> str:
    if not secret:
        raise AccountError("密码不能为空 The password or secret must not be empty")
    return await asyncio.to_thread(_hasher().hash, secret)


class _Verified(NamedTuple):
    matches: bool
    rehashed: str | None  # the secret hashed again at the configured cost, when the stored hash is of another


async def _verify(secret_hash: str | None, secret: str, *, may_rehash: bool) -> _Verified:
    """Check ``secret`` (against the dummy hash when there is no account); with ``may_rehash`` (an active account)
    a match on a hash of another cost is hashed again in the same thread. An inactive account's right password is
    answered as its wrong one, so nothing is hashed again for it, and its answer takes no longer."""

    def verify() -> _Verified:
        hasher = _hasher()
        try:
            if not hasher.verify(secret_hash or _dummy_hash(), secret) or secret_hash is None:
                return _Verified(matches=False, rehashed=None)
        except (VerificationError, InvalidHashError):
            return _Verified(matches=False, rehashed=None)
        return _Verified(True, hasher.hash(secret) if may_rehash and hasher.check_needs_rehash(secret_hash) else None)

    return await asyncio.to_thread(verify)


async def _flush_unique(session: AsyncSession, row: GatewayUser | GatewayClient, what: str) -> None:
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise AccountError(f"已存在 {what} already exists") from exc


async def add_user(
    session: AsyncSession, *, username: str, password: str, roles: str | Iterable[str], team: str | None = None
) -> GatewayUser:
    """Add a staff user. The row is flushed, not committed: the caller owns the transaction."""
    username = username.strip()
    if not username:
        raise AccountError("用户名不能为空 The username must not be empty")
    if await session.scalar(select(GatewayUser.id).where(GatewayUser.username == username)) is not None:
        raise AccountError(f"用户已存在 User {username!r} already exists")
    role_names = ",".join(role.value for role in parse_roles(roles))
    user = GatewayUser(username=username, password_hash=await hash_secret(password), roles=role_names, team=team)
    await _flush_unique(session, user, f"User {username!r}")
    return user


async def add_client(
    session: AsyncSession, *, client_id: str, secret: str, role: str, unit: str | None = None
) -> GatewayClient:
    """Add a machine client; a police client must name its unit. Flushed, not committed."""
    client_id = client_id.strip()
    if not client_id:
        raise AccountError("客户端标识不能为空 The client id must not be empty")
    roles = parse_roles(role)
    if len(roles) != 1:
        raise AccountError("客户端只能有一个角色 A client has exactly one role")
    parsed = roles[0]
    if parsed is Role.POLICE and not (unit and unit.strip()):
        raise AccountError("公安客户端需要单位 A police client needs its unit (e.g. 西青公安分局)")
    if await session.scalar(select(GatewayClient.id).where(GatewayClient.client_id == client_id)) is not None:
        raise AccountError(f"客户端已存在 Client {client_id!r} already exists")
    client = GatewayClient(
        client_id=client_id, secret_hash=await hash_secret(secret), role=parsed.value, unit=unit and unit.strip()
    )
    await _flush_unique(session, client, f"Client {client_id!r}")
    return client


async def authenticate_user(session: AsyncSession, username: str, password: str) -> GatewayUser | None:
    """The active user with this username and password, or ``None`` (without telling which was wrong). A hash of
    another cost is replaced in the session (the caller commits)."""
    user = await session.scalar(select(GatewayUser).where(GatewayUser.username == username))
    active = user is not None and user.active
    verified = await _verify(user.password_hash if user else None, password, may_rehash=active)
    if user is None or not verified.matches or not user.active:
        return None
    if verified.rehashed is not None:
        await _replace_hash(session, col(GatewayUser.password_hash), user.id, user.password_hash, verified.rehashed)
    return user


async def authenticate_client(session: AsyncSession, client_id: str, secret: str) -> GatewayClient | None:
    """The active client with this id and secret, or ``None``; a hash of another cost is replaced, as for users."""
    client = await session.scalar(select(GatewayClient).where(GatewayClient.client_id == client_id))
    active = client is not None and client.active
    verified = await _verify(client.secret_hash if client else None, secret, may_rehash=active)
    if client is None or not verified.matches or not client.active:
        return None
    if verified.rehashed is not None:
        await _replace_hash(session, col(GatewayClient.secret_hash), client.id, client.secret_hash, verified.rehashed)
    return client


async def _replace_hash(session: AsyncSession, column: Any, row_id: int | None, old: str, new: str) -> None:
    """Store the hash made again at the configured cost, only if the stored one is still the hash just verified:
    a password reset committed meanwhile must not be undone by a hash of the old password. Not committed."""
    model = column.class_
    statement = update(model).where(col(model.id) == row_id, column == old).values({column: new})
    await session.execute(statement.execution_options(synchronize_session=False))


# --- guessing at the token endpoint -------------------------------------------------------------------------
# The rule is shared.guessing's (stations are guarded alike); the counts live in the gateway's database, so every
# gateway replica enforces the same. Names that do not exist are counted and locked alike.


def account_key(kind: str, name: str) -> str:
    """The key failures of one account name count against (``user:zhang``, ``client:xiqing-police``)."""
    return name_key(kind, name)


def login_guard(policy: GuessPolicy, clock: Callable[[], float] = time.time) -> GuessGuard:
    """Failed sign-ins counted in ``gateway_login_failure``."""
    return GuessGuard(policy, LoginFailure, clock)


async def unlock(session: AsyncSession, name: str) -> int:
    """Clear the failures and any lockout of a user or client name; how many counts were cleared. Not committed."""
    return await clear_counts(session, LoginFailure, [account_key("user", name), account_key("client", name)])
