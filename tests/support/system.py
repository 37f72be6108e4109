"""The whole system in this process as the security tests see it (``System``, built by the ``system`` fixture of
tests/security/conftest.py), and the check that an answer is an RFC 9457 problem."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from shared.auth import issue_token
from tests.stack import Stack

PROBLEM = "application/problem+json"


@dataclass
class System:
    stack: Stack
    gateway: FastAPI

    def staff_token(self, *roles: str, subject: str = "tester", team: str | None = None) -> str:
        return issue_token(self.stack.common, subject=subject, roles=roles, zone="staff", team=team)

    def police_token(self, unit: str = "西青公安分局", subject: str = "xiqing-police") -> str:
        return issue_token(self.stack.common, subject=subject, roles=["police"], zone="police", unit=unit)

    def client(self, token: str | None = None, **headers: str) -> httpx.AsyncClient:
        """A client of the gateway, with a bearer token if given."""
        if token:
            headers["Authorization"] = f"Bearer {token}"
        transport = httpx.ASGITransport(app=self.gateway, client=("203.0.113.7", 50000))
        return httpx.AsyncClient(transport=transport, base_url="http://gateway", headers=headers)

    def service(self, name: str, token: str | None = None) -> httpx.AsyncClient:
        """A client of one service directly, bypassing the gateway (services check tokens themselves)."""
        return self.stack.client(name, token=token)


def assert_problem(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    """The answer is an RFC 9457 problem with one of ``statuses``."""
    assert response.status_code in statuses, f"{response.status_code}: {response.text[:500]}"
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert body["type"].startswith("urn:greenlaw:problem:")
    return body
