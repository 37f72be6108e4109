"""The whole system in this process for the security tests: the four services on SQLite and the in-process bus,
behind the gateway, called through httpx's ASGI transport (no sockets, so the matrix of routes × roles is fast)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from shared.auth import issue_token
from tests.stack import Stack, StackConfig

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


@pytest.fixture(scope="package")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    data_dir: Path = tmp_path_factory.mktemp("security")
    with pytest.MonkeyPatch.context() as patch:
        # Penalty decisions publish themselves, so the public responses have something to show.
        patch.setenv("GREENLAW_DISCLOSURE_PUBLISH_MODES", json.dumps({"penalty": "auto"}))
        stack = Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=data_dir))
        await stack.__aenter__()
    try:
        settings = GatewaySettings(
            common=stack.common, rate_limit_public="100000/minute", rate_limit_authenticated="100000/minute"
        )
        gateway = create_gateway_app(settings, asgi_apps=dict(stack.apps))
        async with gateway.router.lifespan_context(gateway):
            yield System(stack, gateway)
    finally:
        await stack.__aexit__(None, None, None)


def assert_problem(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    """The answer is an RFC 9457 problem with one of ``statuses``."""
    assert response.status_code in statuses, f"{response.status_code}: {response.text[:500]}"
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert body["type"].startswith("urn:greenlaw:problem:")
    return body
