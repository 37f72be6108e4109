"""Bearer JWT: issuing (gateway's built-in issuer) and verification (gateway and every service).

Services verify the token again: the gateway is not the only lock.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from enum import StrEnum
from typing import Any, Literal

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict

from shared.problems import Problem
from shared.settings import CommonSettings


class Role(StrEnum):
    OFFICER = "officer"  # 执法人员
    LEGAL_REVIEWER = "legal_reviewer"  # 法制审核
    HEAD = "head"  # 负责人
    DISCLOSURE_EDITOR = "disclosure_editor"
    MONITORING_REVIEWER = "monitoring_reviewer"
    POLICE = "police"
    ADMIN = "admin"
    AUDITOR = "auditor"


Zone = Literal["staff", "police"]
# Which kind of the gateway's accounts a token was issued to (claim ``acct``): a staff user or a machine client.
AccountKind = Literal["user", "client"]


class Principal(BaseModel):
    """Who is calling, from a verified token."""

    model_config = ConfigDict(frozen=True)

    subject: str
    roles: frozenset[Role]
    zone: Zone
    team: str | None = None
    unit: str | None = None  # the police unit of a police client
    # The gateway's account behind the token and its token generation (claims ``acct`` and ``gen``): the gateway
    # refuses a token whose generation is older than the account's (signed out everywhere, deactivated, new secret).
    account: AccountKind | None = None
    generation: int = 0

    def has_any(self, roles: Iterable[Role]) -> bool:
        return bool(self.roles.intersection(roles))


def issue_token(
    settings: CommonSettings,
    *,
    subject: str,
    roles: Iterable[str],
    zone: Zone,
    team: str | None = None,
    unit: str | None = None,
    ttl_seconds: int = 3600,
    account: AccountKind | None = None,
    generation: int = 0,
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": sorted(roles),
        "zone": zone,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if team:
        claims["team"] = team
    if unit:
        claims["unit"] = unit
    if account:
        claims["acct"] = account
        claims["gen"] = generation
    return jwt.encode(
        claims,
        settings.jwt_secret.get_secret_value(),
        algorithm=settings.jwt_algorithm,
        headers={"kid": settings.jwt_key_id},
    )


def _unauthorized(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="greenlaw"'})


def verify_token(settings: CommonSettings, token: str) -> Principal:
    """Verify signature, expiry, issuer and audience; the algorithm is pinned (no ``alg: none``)."""
    try:
        key = settings.verification_key(jwt.get_unverified_header(token).get("kid"))
    except jwt.PyJWTError as exc:
        raise _unauthorized(f"令牌无效 Invalid token: {exc}") from exc
    if key is None:
        raise _unauthorized("令牌密钥未知 Unknown signing key (kid)")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _unauthorized("令牌已过期 Token expired") from exc
    except jwt.PyJWTError as exc:
        raise _unauthorized(f"令牌无效 Invalid token: {exc}") from exc
    try:
        return Principal(
            subject=claims["sub"],
            roles=frozenset(Role(r) for r in claims.get("roles", [])),
            zone=claims.get("zone", "staff"),
            team=claims.get("team"),
            unit=claims.get("unit"),
            account=claims.get("acct"),
            generation=claims.get("gen", 0),
        )
    except (ValueError, KeyError) as exc:
        raise _unauthorized("令牌声明无效 Invalid token claims") from exc


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return token.strip()


def principal_dependency(settings: CommonSettings) -> Callable[[Request], Awaitable[Principal]]:
    """A FastAPI dependency that verifies the caller's bearer token."""

    async def current_principal(request: Request) -> Principal:
        token = bearer_token(request)
        if token is None:
            raise _unauthorized("需要令牌 Bearer token required")
        return verify_token(settings, token)

    return current_principal


def require_roles(
    current: Callable[[Request], Awaitable[Principal]], *roles: Role, zone: Zone = "staff"
) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the caller holds one of ``roles`` (admin always passes) in the given zone."""
    allowed = set(roles) | {Role.ADMIN}

    # A default rather than Annotated: the closure's ``current`` is not resolvable from a string annotation.
    async def check(principal: Principal = Depends(current)) -> Principal:
        if principal.zone != zone:
            raise Problem(403, f"此令牌不能用于该区域 Token not valid for the {zone} zone")
        if roles and not principal.has_any(allowed):
            names = ", ".join(sorted(r.value for r in roles))
            raise Problem(403, f"需要角色 Requires one of the roles: {names}")
        return principal

    return check
