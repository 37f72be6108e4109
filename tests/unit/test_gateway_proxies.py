"""Whose address a request is: the walk along X-Forwarded-For from the socket peer while the hop is trusted."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from services.gateway.domain.addresses import TrustedProxies

pytestmark = pytest.mark.unit

PROXIES = TrustedProxies([ip_network("10.0.0.0/8"), ip_network("fd00::/8")])


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        pytest.param("203.0.113.5", ["198.51.100.1"], "203.0.113.5", id="untrusted-peer-header-ignored"),
        pytest.param("10.1.2.3", [], "10.1.2.3", id="proxy-without-header-is-the-client"),
        pytest.param("10.1.2.3", ["198.51.100.1"], "198.51.100.1", id="one-proxy"),
        pytest.param("10.1.2.3", ["1.1.1.1", "198.51.100.1"], "198.51.100.1", id="forged-left-most-ignored"),
        pytest.param("10.1.2.3", ["1.1.1.1", "198.51.100.1", "10.9.9.9"], "198.51.100.1", id="two-proxies"),
        pytest.param("10.1.2.3", ["10.7.7.7", "10.8.8.8"], "10.7.7.7", id="all-trusted-left-most"),
        pytest.param("10.1.2.3", ["198.51.100.1", "garbage"], "10.1.2.3", id="garbage-stops-at-the-proxy"),
        pytest.param("10.1.2.3", ["198.51.100.1:4711"], "10.1.2.3", id="ports-are-not-addresses"),
        pytest.param("fd00::1", ["2001:db8::7"], "2001:db8::7", id="ipv6"),
        pytest.param("::ffff:10.1.2.3", ["198.51.100.1"], "198.51.100.1", id="ipv4-mapped-peer"),
    ],
)
def test_the_client_is_the_right_most_untrusted_address(peer: str, forwarded_for: list[str], client: str) -> None:
    assert PROXIES.client(peer, forwarded_for) == client


def test_no_trusted_proxies_trusts_nobody() -> None:
    nobody = TrustedProxies([])
    assert not nobody.trusts("127.0.0.1")
    assert nobody.client("127.0.0.1", ["198.51.100.1"]) == "127.0.0.1"
