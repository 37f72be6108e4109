"""Authentication at the gateway: the zone policy for proxied paths and the built-in token issuer.

The issuer speaks OAuth2 (RFC 6749): the password grant for staff, the client credentials grant for police
units' systems. Errors are problem+json carrying the OAuth2 ``error`` code as an extension member.
"""

import base64
import binascii
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Depends, Form, Request, Response
from pydantic import BaseModel, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.accounts import (
    account_key,
    authenticate_client,
    authenticate_user,
)
from services.gateway.limits import RateLimiter, client_key
from services.gateway.proxies import client_host
from services.gateway.revocation import AccountStates
from services.gateway.routing import AccessZone
from services.gateway.settings import GatewaySettings
from shared.auth import Principal, Role, bearer_token, issue_token, verify_token
from shared.fields import Text
from shared.guessing import Barrier, GuessGuard, address_key
from shared.problems import PROBLEM_MEDIA_TYPE, Problem
from shared.settings import CommonSettings

BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="greenlaw"'}
SessionDependency = Callable[[], AsyncIterator[AsyncSession]]


def authorize(request: Request, zone: AccessZone, settings: CommonSettings, states: AccountStates) -> Principal | None:
    """Enforce the zone of a proxied path: public needs nothing, staff and police need their own tokens, and the
    token's account must still accept it (not deactivated, not signed out since)."""
    if zone == "public":
        return None
    if _station_push(request):
        return None  # the monitoring service checks the station's MN and password itself
    token = bearer_token(request)
    if token is None:
        raise Problem(401, "需要令牌 A bearer token is required", headers=dict(BEARER_CHALLENGE))
    principal = verify_token(settings, token)
    states.check(principal)
    if principal.zone != zone:
        raise Problem(403, f"此令牌不能用于该区域 A {principal.zone} token is not valid in the {zone} zone")
    return principal


# Monitoring stations push readings with HTTP Basic (HJ 212 MN and password), not with a token.
STATION_PUSH_PATH = "/api/v1/monitoring/readings:batch"


def _station_push(request: Request) -> bool:
    scheme = request.headers.get("authorization", "").partition(" ")[0].lower()
    return scheme == "basic" and request.method == "POST" and request.url.path == STATION_PUSH_PATH


class TokenForm(BaseModel):
    """An OAuth2 token request (``application/x-www-form-urlencoded``)."""

    grant_type: Text | None = Field(
        default=None, description="`password` (staff) or `client_credentials` (police clients)"
    )
    username: Text | None = Field(default=None, description="Staff user name (password grant)")
    password: Text | None = Field(default=None, description="Staff password (password grant)")
    client_id: Text | None = Field(default=None, description="Client id, unless sent with HTTP Basic")
    client_secret: Text | None = Field(default=None, description="Client secret, unless sent with HTTP Basic")
    scope: Text | None = Field(default=None, description="Ignored: access follows the account's roles")


class TokenResponse(BaseModel):
    access_token: str = Field(description="A JWT to send as `Authorization: Bearer <token>`")
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the token expires")


def oauth_error(status: int, error: str, detail: str, *, basic: bool = False) -> Problem:
    # RFC 6749 §5.2: a client that tried HTTP Basic gets a Basic challenge with its 401.
    headers = {"WWW-Authenticate": 'Basic realm="greenlaw"'} if basic and status == 401 else None
    return Problem(status, detail, slug=f"oauth-{error.replace('_', '-')}", headers=headers, error=error)


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """Client id and secret from ``Authorization: Basic``, form-decoded as RFC 6749 §2.3.1 requires."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, sep, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise oauth_error(401, "invalid_client", "客户端凭据格式有误 Malformed Basic credentials", basic=True) from exc
    client_id, secret = unquote_plus(client_id), unquote_plus(secret)
    if not sep or "\x00" in client_id + secret:  # NUL: no database can look it up (PostgreSQL refuses it)
        raise oauth_error(401, "invalid_client", "客户端凭据格式有误 Malformed Basic credentials", basic=True)
    return client_id, secret


async def password_grant(session: AsyncSession, form: TokenForm) -> Principal:
    if not form.username or not form.password:
        raise oauth_error(400, "invalid_request", "需要用户名和密码 username and password are required")
    user = await authenticate_user(session, form.username, form.password)
    if user is None:
        raise oauth_error(400, "invalid_grant", "用户名或密码错误 Wrong username or password")
    roles = frozenset(Role(name) for name in user.role_names())
    return Principal(
        subject=user.username,
        roles=roles,
        zone="staff",
        team=user.team,
        account="user",
        generation=user.token_generation,
    )


async def client_credentials_grant(session: AsyncSession, form: TokenForm, request: Request) -> Principal:
    basic = basic_credentials(request)
    client_id, secret = basic or (form.client_id, form.client_secret)
    if not client_id or not secret:
        raise oauth_error(400, "invalid_request", "需要客户端凭据 client_id and client_secret are required")
    client = await authenticate_client(session, client_id, secret)
    if client is None:
        raise oauth_error(401, "invalid_client", "客户端凭据错误 Wrong client credentials", basic=bool(basic))
    role = Role(client.role)
    # Police systems get the police zone; any other machine client acts in the staff zone with its one role.
    zone = "police" if role is Role.POLICE else "staff"
    return Principal(
        subject=client.client_id,
        roles=frozenset({role}),
        zone=zone,
        unit=client.unit,
        account="client",
        generation=client.token_generation,
    )


def _problem_schema(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": {"type": "object"}}}}


# No ``from __future__ import annotations`` here: FastAPI must evaluate ``Depends(sessions)`` in the
# endpoint's signature, and ``sessions`` is a local of the router factory that postponed annotations cannot see.
def token_router(
    settings: GatewaySettings, *, sessions: SessionDependency, limiter: RateLimiter, guard: GuessGuard
) -> APIRouter:
    router = APIRouter(tags=["auth"])

    @router.post(
        "/auth/token",
        operation_id="gateway_issue_token",
        summary="Issue an access token (OAuth2 password or client credentials grant)",
        description="Staff: `grant_type=password`. Police systems: `grant_type=client_credentials`, with the "
        "client id and secret in the form or as HTTP Basic. 获取访问令牌。",
        responses={
            400: _problem_schema("invalid_request, invalid_grant or unsupported_grant_type"),
            401: _problem_schema("invalid_client"),
            429: _problem_schema(
                "Too many requests, or too many failed sign-ins (type `…:login-throttled`, or `…:login-locked` "
                "while the account is locked); see Retry-After"
            ),
        },
    )
    async def issue(
        request: Request,
        response: Response,
        form: Annotated[TokenForm, Form()],
        session: Annotated[AsyncSession, Depends(sessions)],
    ) -> TokenResponse:
        # Counted before any password is checked, so guessing is slowed down too.
        await limiter.check("token", client_key(request, None))
        keys = attempt_keys(form, request)
        barrier = (await guard.standing(session, keys)).barrier
        if barrier is not None:
            raise login_refused(barrier)
        try:
            principal = await grant(session, form, request)
        except Problem as exc:
            if exc.extensions.get("error") in CREDENTIAL_ERRORS:
                await guard.failed(session, keys)
            raise
        if len(keys) > 1:
            await guard.succeeded(session, keys[0])
        response.headers["Cache-Control"] = "no-store"  # RFC 6749 §5.1
        return TokenResponse(access_token=_token_for(settings, principal), expires_in=settings.token_ttl_seconds)

    return router


# Answers that mean a password or secret was checked and was wrong (or the account is unknown or inactive).
CREDENTIAL_ERRORS = frozenset({"invalid_grant", "invalid_client"})


def attempt_keys(form: TokenForm, request: Request) -> list[str]:
    """What a sign-in counts against: the account name it names (if any), then the client address."""
    keys = [address_key(client_host(request))]
    name: str | None = None
    if form.grant_type == "password":
        name = form.username and account_key("user", form.username)
    elif form.grant_type == "client_credentials":
        try:
            basic = basic_credentials(request)
        except Problem:
            basic = None
        client_id = basic[0] if basic else form.client_id
        name = client_id and account_key("client", client_id)
    return [name, *keys] if name else keys


def login_refused(barrier: Barrier) -> Problem:
    """A 429 that says to wait (throttled) or that the account is locked; it does not tell if the account exists."""
    headers = {"Retry-After": str(barrier.retry_after)}
    if barrier.locked:
        detail = f"登录失败次数过多，账户已临时锁定 Too many failed sign-ins: locked for {barrier.retry_after} s"
        title = "账户已锁定 Locked"
        return Problem(429, detail, slug="login-locked", title=title, headers=headers, retry_after=barrier.retry_after)
    detail = f"登录失败次数过多，请稍后再试 Too many failed sign-ins: retry after {barrier.retry_after} s"
    return Problem(429, detail, slug="login-throttled", headers=headers, retry_after=barrier.retry_after)


async def grant(session: AsyncSession, form: TokenForm, request: Request) -> Principal:
    if form.grant_type == "password":
        return await password_grant(session, form)
    if form.grant_type == "client_credentials":
        return await client_credentials_grant(session, form, request)
    if not form.grant_type:
        raise oauth_error(400, "invalid_request", "需要 grant_type grant_type is required")
    raise oauth_error(400, "unsupported_grant_type", f"不支持的授权类型 Unsupported grant: {form.grant_type}")


def _token_for(settings: GatewaySettings, principal: Principal) -> str:
    return issue_token(
        settings.common,
        subject=principal.subject,
        roles=[role.value for role in principal.roles],
        zone=principal.zone,
        team=principal.team,
        unit=principal.unit,
        ttl_seconds=settings.token_ttl_seconds,
        account=principal.account,
        generation=principal.generation,
    )
