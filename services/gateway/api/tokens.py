"""The token issuer's endpoint (``POST /auth/token``): OAuth2 password grant for staff, client credentials grant for
police units' systems. Errors are problem+json carrying the OAuth2 ``error`` code as an extension member."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response

from services.gateway.api.deps import NO_STORE, Session, runtime_of
from services.gateway.handlers.tokens import SignIn, sign_in
from services.gateway.proxies import client_host, client_key
from services.gateway.schemas import TokenCreate, TokenPublic
from shared.auth import Principal, issue_token
from shared.problems import PROBLEM_MEDIA_TYPE
from shared.settings import CommonSettings

router = APIRouter(tags=["auth"])


def _problem_schema(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": {"type": "object"}}}}


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
    request: Request, response: Response, form: Annotated[TokenCreate, Form()], session: Session
) -> TokenPublic:
    runtime = runtime_of(request)
    # Counted before any password is checked, so guessing is slowed down too.
    await runtime.limiter.check("token", client_key(request, None))
    attempt = SignIn(form, request.headers.get("authorization", ""), client_host(request))
    principal = await sign_in(session, runtime.guard, attempt)
    response.headers["Cache-Control"] = NO_STORE  # RFC 6749 §5.1
    ttl = runtime.settings.token_ttl_seconds
    return TokenPublic(access_token=token_for(runtime.settings.common, principal, ttl), expires_in=ttl)


def token_for(common: CommonSettings, principal: Principal, ttl_seconds: int) -> str:
    return issue_token(
        common,
        subject=principal.subject,
        roles=[role.value for role in principal.roles],
        zone=principal.zone,
        team=principal.team,
        unit=principal.unit,
        ttl_seconds=ttl_seconds,
        account=principal.account,
        generation=principal.generation,
    )
