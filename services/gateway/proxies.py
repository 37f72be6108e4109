"""The client's address and scheme, taken from ``X-Forwarded-For`` / ``-Proto`` only when a trusted proxy sent them.

Any caller can write those headers, so the server never applies them by itself (uvicorn runs with
``proxy_headers=False``, see ``services/ops/cli.py``). Only when the socket peer is one of
``GREENLAW_GATEWAY_TRUSTED_PROXIES`` (an ingress controller, a load balancer) does the gateway read them: the
client is the right-most ``X-Forwarded-For`` address that is not itself a trusted proxy, since each proxy appends
the address it saw and everything left of the last trusted proxy's entry was written by the caller. The result
replaces the ASGI scope's ``client`` (and ``scheme``), so the rate limiter, the sign-in throttle, the logs and the
``X-Forwarded-*`` headers sent on to the services all see the one address.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network


class TrustedProxies:
    """The networks whose ``X-Forwarded-*`` headers are believed."""

    def __init__(self, networks: Iterable[Network]) -> None:
        self.networks = tuple(networks)

    def trusts(self, address: str) -> bool:
        parsed = _parse(address)
        return parsed is not None and any(parsed in network for network in self.networks)

    def client(self, peer: str, forwarded_for: Sequence[str]) -> str:
        """The client behind ``peer``: walking ``X-Forwarded-For`` from the right while the hop is trusted.

        An entry that is not an address ends the walk at the trusted hop that passed it on, and a chain of
        trusted proxies only ends at its left-most entry (a request made by a proxy itself).
        """
        client = peer
        for entry in reversed(forwarded_for):
            if not self.trusts(client) or _parse(entry) is None:
                break
            client = entry
        return client


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


def _parse(address: str) -> IPv4Address | IPv6Address | None:
    try:
        parsed = ip_address(address)
    except ValueError:
        return None
    if isinstance(parsed, IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped  # a dual-stack socket shows an IPv4 peer as ::ffff:a.b.c.d
    return parsed
