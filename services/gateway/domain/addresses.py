"""Whose address a request is (客户端地址): the rule for believing ``X-Forwarded-For`` from trusted proxies only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

Network = IPv4Network | IPv6Network


class TrustedProxies:
    """The networks whose ``X-Forwarded-*`` headers are believed."""

    def __init__(self, networks: Iterable[Network]) -> None:
        self.networks = tuple(networks)

    def trusts(self, address: str) -> bool:
        if not self.networks:  # the default: no proxy in front, nothing to parse on every request
            return False
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


def _parse(address: str) -> IPv4Address | IPv6Address | None:
    try:
        parsed = ip_address(address)
    except ValueError:
        return None
    if isinstance(parsed, IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped  # a dual-stack socket shows an IPv4 peer as ::ffff:a.b.c.d
    return parsed
