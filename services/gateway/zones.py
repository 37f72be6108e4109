"""The zone policy for proxied paths (访问区域): public needs nothing, staff and police need their own live tokens."""

from __future__ import annotations

from fastapi import Request

from services.gateway.domain.routes import AccessZone
from services.gateway.revocation import AccountStates
from shared.auth import Principal, bearer_token, verify_token
from shared.problems import Problem
from shared.settings import CommonSettings

BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="greenlaw"'}

# Monitoring stations push readings with HTTP Basic (HJ 212 MN and password), not with a token.
STATION_PUSH_PATH = "/api/v1/monitoring/readings:batch"


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


def _station_push(request: Request) -> bool:
    scheme = request.headers.get("authorization", "").partition(" ")[0].lower()
    return scheme == "basic" and request.method == "POST" and request.url.path == STATION_PUSH_PATH
