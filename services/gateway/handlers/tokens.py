"""Signing in at the token issuer (签发令牌): the OAuth2 password and client credentials grants (RFC 6749), with
failed sign-ins counted so guessing is slowed down and then locked out.

Refusals are domain errors carrying the OAuth2 ``error`` code as an extension member (``invalid_request``,
``invalid_grant``, ``invalid_client``, ``unsupported_grant_type``).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import unquote_plus

from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.domain.tokens import CREDENTIAL_ERRORS, client_zone
from services.gateway.handlers.accounts import account_key, authenticate_client, authenticate_user
from services.gateway.schemas import TokenCreate
from shared.auth import Principal, Role
from shared.errors import DomainError, TooMany
from shared.guessing import Barrier, GuessGuard, address_key


class OAuthRefused(DomainError):
    """RFC 6749 §5.2 error answered with 400."""

    status = 400


class OAuthUnauthorized(DomainError):
    """RFC 6749 §5.2 ``invalid_client``, answered with 401."""

    status = 401


def oauth_error(status: int, error: str, detail: str, *, basic: bool = False) -> DomainError:
    # RFC 6749 §5.2: a client that tried HTTP Basic gets a Basic challenge with its 401.
    slug = f"oauth-{error.replace('_', '-')}"
    if status == 401:
        headers = {"WWW-Authenticate": 'Basic realm="greenlaw"'} if basic else None
        return OAuthUnauthorized(detail, slug=slug, headers=headers, error=error)
    return OAuthRefused(detail, slug=slug, error=error)


@dataclass(frozen=True)
class SignIn:
    """A token request as the endpoint read it: the form, the ``Authorization`` header, the client address."""

    form: TokenCreate
    authorization: str
    address: str


def basic_credentials(authorization: str) -> tuple[str, str] | None:
    """Client id and secret from ``Authorization: Basic``, form-decoded as RFC 6749 §2.3.1 requires."""
    scheme, _, encoded = authorization.partition(" ")
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


async def sign_in(session: AsyncSession, guard: GuessGuard, attempt: SignIn) -> Principal:
    """Who the credentials are, refused while the account or address is throttled or locked; a wrong password or
    secret counts as a failure, a success clears the account's count (the guard commits the counts)."""
    keys = attempt_keys(attempt)
    barrier = (await guard.standing(session, keys)).barrier
    if barrier is not None:
        raise login_refused(barrier)
    try:
        principal = await grant(session, attempt)
    except DomainError as exc:
        if exc.extensions.get("error") in CREDENTIAL_ERRORS:
            await guard.failed(session, keys)
        raise
    if len(keys) > 1:
        await guard.succeeded(session, keys[0])
    return principal


def attempt_keys(attempt: SignIn) -> list[str]:
    """What a sign-in counts against: the account name it names (if any), then the client address."""
    form = attempt.form
    keys = [address_key(attempt.address)]
    name: str | None = None
    if form.grant_type == "password":
        name = form.username and account_key("user", form.username)
    elif form.grant_type == "client_credentials":
        try:
            basic = basic_credentials(attempt.authorization)
        except DomainError:
            basic = None
        client_id = basic[0] if basic else form.client_id
        name = client_id and account_key("client", client_id)
    return [name, *keys] if name else keys


def login_refused(barrier: Barrier) -> TooMany:
    """A 429 that says to wait (throttled) or that the account is locked; it does not tell if the account exists."""
    wait = barrier.retry_after
    headers = {"Retry-After": str(wait)}
    if barrier.locked:
        detail = f"登录失败次数过多，账户已临时锁定 Too many failed sign-ins: locked for {wait} s"
        return TooMany(detail, slug="login-locked", headers=headers, retry_after=wait)
    detail = f"登录失败次数过多，请稍后再试 Too many failed sign-ins: retry after {wait} s"
    return TooMany(detail, slug="login-throttled", headers=headers, retry_after=wait)


async def grant(session: AsyncSession, attempt: SignIn) -> Principal:
    grant_type = attempt.form.grant_type
    if grant_type == "password":
        return await password_grant(session, attempt.form)
    if grant_type == "client_credentials":
        return await client_credentials_grant(session, attempt)
    if not grant_type:
        raise oauth_error(400, "invalid_request", "需要 grant_type grant_type is required")
    raise oauth_error(400, "unsupported_grant_type", f"不支持的授权类型 Unsupported grant: {grant_type}")


async def password_grant(session: AsyncSession, form: TokenCreate) -> Principal:
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


async def client_credentials_grant(session: AsyncSession, attempt: SignIn) -> Principal:
    basic = basic_credentials(attempt.authorization)
    client_id, secret = basic or (attempt.form.client_id, attempt.form.client_secret)
    if not client_id or not secret:
        raise oauth_error(400, "invalid_request", "需要客户端凭据 client_id and client_secret are required")
    client = await authenticate_client(session, client_id, secret)
    if client is None:
        raise oauth_error(401, "invalid_client", "客户端凭据错误 Wrong client credentials", basic=bool(basic))
    return Principal(
        subject=client.client_id,
        roles=frozenset({Role(client.role)}),
        zone=client_zone(client.role),
        unit=client.unit,
        account="client",
        generation=client.token_generation,
    )
