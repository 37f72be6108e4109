"""The client's address and scheme, taken from ``X-Forwarded-For`` / ``-Proto`` only when a trusted proxy sent them.

Any caller can write those headers, so the server never applies them by itself (uvicorn runs with
``proxy_headers=False``, see ``services/ops/cli.py``). Only when the socket peer is one of
``GREENLAW_GATEWAY_TRUSTED_PROXIES`` (an ingress controller, a load balancer) does the gateway read them: the
client is the right-most ``X-Forwarded-For`` address that is not itself a trusted proxy, since each proxy appends
the address it saw and everything left of the last trusted proxy's entry was written by the caller (the rule:
``domain/addresses.py``). The result
replaces the ASGI scope's ``client`` (and ``scheme``), so the rate limiter, the sign-in throttle, the logs and the
``X-Forwarded-*`` headers sent on to the services all see the one address.
"""

from __future__ import annotations

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.domain.addresses import TrustedProxies
from shared.auth import Principal


def forwarded_values(scope: Scope, header: bytes) -> list[str]:
    """The comma-separated values of every ``header`` line, in order (proxies may add lines or values)."""
    values: list[str] = []
    for name, value in scope["headers"]:
        if name == header:
            values.extend(part.strip() for part in value.decode("latin-1").split(","))
    return [value for value in values if value]


class ClientAddressMiddleware:
    """Put the client's real address (and scheme) in the scope when the peer is a trusted proxy."""

    def __init__(self, app: ASGIApp, *, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] == "http" and peer and self.proxies.trusts(peer[0]):
            scope["client"] = (self.proxies.client(peer[0], forwarded_values(scope, b"x-forwarded-for")), 0)
            # The scheme the nearest proxy was asked with: its right-most value, if it is one.
            proto = [value.lower() for value in forwarded_values(scope, b"x-forwarded-proto")[-1:]]
            if proto and proto[0] in ("http", "https"):
                scope["scheme"] = proto[0]
        await self.app(scope, receive, send)


def client_host(request: Request) -> str:
    """The address a request counts against: the peer, or the client behind a trusted proxy (see above)."""
    return request.client.host if request.client else "unknown"


def client_key(request: Request, principal: Principal | None) -> str:
    """Whom a request counts against: the token's subject, else the client address (the socket peer, or behind a
    trusted proxy the address it forwarded)."""
    if principal is not None:
        return f"{principal.zone}:{principal.subject}"
    return f"ip:{client_host(request)}"
