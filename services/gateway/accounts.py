"""Accounts of the built-in token issuer: creating staff users and police clients, and checking credentials.

Secrets are stored as Argon2id hashes. Hashing is CPU-bound (tens of milliseconds by design), so it runs in a
worker thread to keep the event loop answering other requests.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.tables import GatewayClient, GatewayUser, LoginFailure
from shared.auth import Role

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the account does not exist, so a wrong name costs as long as a wrong password."""
    return _hasher.hash("greenlaw-no-such-account")


class AccountError(ValueError):
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
    return await asyncio.to_thread(_hasher.hash, secret)


async def _matches(secret_hash: str | None, secret: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(secret_hash or _dummy_hash(), secret) and secret_hash is not None
        except (VerificationError, InvalidHashError):
            return False

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
    """The active user with this username and password, or ``None`` (without telling which was wrong)."""
    user = await session.scalar(select(GatewayUser).where(GatewayUser.username == username))
    if not await _matches(user.password_hash if user else None, password):
        return None
    return user if user is not None and user.active else None


async def authenticate_client(session: AsyncSession, client_id: str, secret: str) -> GatewayClient | None:
    """The active client with this id and secret, or ``None``."""
    client = await session.scalar(select(GatewayClient).where(GatewayClient.client_id == client_id))
    if not await _matches(client.secret_hash if client else None, secret):
        return None
    return client if client is not None and client.active else None


# --- guessing at the token endpoint -------------------------------------------------------------------------

KEY_MAX_LENGTH = 300


def account_key(kind: str, name: str) -> str:
    """The key failures of one account name count against (``user:zhang``, ``client:xiqing-police``).

    Names that do not exist are counted and locked alike, so the answers never tell whether an account exists.
    """
    return f"{kind}:{name}"[:KEY_MAX_LENGTH]


def source_key(address: str) -> str:
    return f"ip:{address}"[:KEY_MAX_LENGTH]


@dataclass(frozen=True)
class LoginPolicy:
    """When failed sign-ins slow an account (or a client address) down, and when they lock it."""

    throttle_after: int = 5
    lockout_after: int = 10
    lockout_seconds: int = 900
    first_delay_seconds: float = 1.0
    max_delay_seconds: int = 60
    source_throttle_after: int = 20
    source_lockout_after: int = 50

    def limits(self, key: str) -> tuple[int, int]:
        if key.startswith("ip:"):
            return self.source_throttle_after, self.source_lockout_after
        return self.throttle_after, self.lockout_after

    def delay(self, key: str, failures: int) -> float:
        """Seconds to wait after the last failure: 0 below the threshold, then the first delay, doubling with each
        further failure, up to the maximum."""
        throttle_after, _ = self.limits(key)
        if failures < throttle_after:
            return 0.0
        return float(min(self.first_delay_seconds * 2 ** (failures - throttle_after), self.max_delay_seconds))


@dataclass(frozen=True)
class LoginBarrier:
    """Why a sign-in may not be tried now, and for how many seconds."""

    locked: bool
    retry_after: int


class LoginGuard:
    """Counts failed sign-ins in the gateway's database, so that every gateway replica enforces the same counts."""

    def __init__(self, policy: LoginPolicy, clock: Callable[[], float] = time.time) -> None:
        self.policy = policy
        self.clock = clock

    def _current(self, row: LoginFailure, now: float) -> bool:
        """Whether the row still counts: locked, or its first failure within the lockout period."""
        if row.locked_until is not None:
            return row.locked_until > now
        return now - row.first_failed_at < self.policy.lockout_seconds

    async def barrier(self, session: AsyncSession, keys: Sequence[str]) -> LoginBarrier | None:
        """Whether any of ``keys`` is locked or must still wait; checked before any password is."""
        now = self.clock()
        rows = (await session.scalars(select(LoginFailure).where(col(LoginFailure.key).in_(keys)))).all()
        locked, wait = False, 0.0
        for row in rows:
            if not self._current(row, now):
                continue
            if row.locked_until is not None:
                locked, wait = True, max(wait, row.locked_until - now)
            else:
                wait = max(wait, row.last_failed_at + self.policy.delay(row.key, row.failures) - now)
        if wait <= 0:
            return None
        return LoginBarrier(locked=locked, retry_after=max(1, math.ceil(wait)))

    async def failed(self, session: AsyncSession, keys: Sequence[str]) -> None:
        """Count one failure against each key; the one that reaches its lockout threshold is locked."""
        now = self.clock()
        for key in keys:
            try:
                await self._count(session, key, now)
            except IntegrityError:  # another replica counted the first failure of this key at the same moment
                await session.rollback()
                await self._count(session, key, now)

    async def _count(self, session: AsyncSession, key: str, now: float) -> None:
        row = await session.get(LoginFailure, key, with_for_update=True)
        if row is None:
            row = LoginFailure(key=key, failures=0, first_failed_at=now)
        elif not self._current(row, now):
            row.failures, row.first_failed_at, row.locked_until = 0, now, None
        row.failures += 1
        row.last_failed_at = now
        if row.failures >= self.policy.limits(key)[1]:
            row.locked_until = now + self.policy.lockout_seconds
        session.add(row)
        await session.commit()

    async def succeeded(self, session: AsyncSession, key: str) -> None:
        """A successful sign-in clears its account's count (not its address's: one's own account must not
        wipe out the guesses made at others')."""
        await session.execute(delete(LoginFailure).where(col(LoginFailure.key) == key))
        await session.commit()


async def unlock(session: AsyncSession, name: str) -> int:
    """Clear the failures and any lockout of a user or client name; how many counts were cleared. Not committed."""
    keys = [account_key("user", name), account_key("client", name)]
    result = await session.execute(delete(LoginFailure).where(col(LoginFailure.key).in_(keys)))
    return int(getattr(result, "rowcount", 0) or 0)
