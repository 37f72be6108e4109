"""The client address behind the per-address limits (API4 resource consumption, API2 sign-in guessing).

Over real sockets, served as ``greenlaw serve`` serves: a caller who writes ``X-Forwarded-For`` itself gets neither a
fresh rate-limit bucket nor a fresh sign-in count, unless it is a configured trusted proxy
(``GREENLAW_GATEWAY_TRUSTED_PROXIES``); behind one, each forwarded client counts on its own and a forged entry
left of the proxy's own does not help.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from typer.testing import CliRunner

from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from services.ops import cli
from shared.outbound import tls_context
from shared.settings import CommonSettings
from tests.stack import serve
from tests.support.system import assert_problem

pytestmark = pytest.mark.integration

LOOPBACK = "127.0.0.1/32"
PUBLIC_PATH = "/public/v1/decisions"


def echo_app() -> FastAPI:
    """A stand-in disclosure service: answers with the forwarded headers it was sent."""
    app = FastAPI()

    @app.get(PUBLIC_PATH)
    async def decisions(request: Request) -> dict[str, Any]:
        return {name: request.headers.get(name) for name in ("x-forwarded-for", "x-forwarded-proto", "host")}

    return app


Gateway = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    """Start a gateway (in front of the echo service) with some settings; yields a client of it."""
    async with AsyncExitStack() as exits:
        upstream = await exits.enter_async_context(serve(echo_app()))

        @asynccontextmanager
        async def start(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
            settings = GatewaySettings(
                common=CommonSettings(environment="test"),
                database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
                disclosure_url=upstream,
                **{"rate_limit_public": "1000/minute", "rate_limit_token": "1000/minute", **overrides},
            )
            async with (
                serve(create_gateway_app(settings), lifespan=True) as url,
                httpx.AsyncClient(base_url=url, verify=tls_context()) as client,
            ):
                yield client

        yield start


async def sign_in(client: httpx.AsyncClient, attempt: int, forwarded_for: str) -> httpx.Response:
    """A wrong password for a different name each time, so only the address's count can stop it."""
    form = {"grant_type": "password", "username": f"guess{attempt}", "password": "wrong"}
    return await client.post("/auth/token", data=form, headers={"X-Forwarded-For": forwarded_for})


async def test_a_forged_forwarded_for_does_not_reset_the_sign_in_throttle(gateway: Gateway) -> None:
    async with gateway(login_source_throttle_after=3) as client:
        for attempt in range(3):
            assert (await sign_in(client, attempt, f"198.51.100.{attempt}")).status_code == 400
        throttled = await sign_in(client, 3, "198.51.100.99")
    assert assert_problem(throttled, 429)["type"].endswith(":login-throttled")


async def test_a_forged_forwarded_for_does_not_reset_the_public_rate_limit(gateway: Gateway) -> None:
    async with gateway(rate_limit_public="3/minute") as client:
        for n in range(3):
            answer = await client.get(PUBLIC_PATH, headers={"X-Forwarded-For": f"198.51.100.{n}"})
            assert answer.status_code == 200, answer.text
            # The service is told the address the gateway saw, not the caller's claim.
            assert answer.json()["x-forwarded-for"] == "127.0.0.1"
        assert_problem(await client.get(PUBLIC_PATH, headers={"X-Forwarded-For": "198.51.100.99"}), 429)


async def test_a_forged_forwarded_proto_is_not_passed_on(gateway: Gateway) -> None:
    async with gateway() as client:
        answer = await client.get(PUBLIC_PATH, headers={"X-Forwarded-Proto": "https", "Host": "evil.example"})
    assert answer.json()["x-forwarded-proto"] == "http"
    assert "evil.example" not in answer.text  # nor the caller's Host (links never come from it)


async def test_behind_a_trusted_proxy_each_forwarded_client_counts_apart(gateway: Gateway) -> None:
    async with gateway(trusted_proxies=[LOOPBACK], rate_limit_public="2/minute") as proxy:
        for _ in range(2):
            answer = await proxy.get(PUBLIC_PATH, headers={"X-Forwarded-For": "198.51.100.1"})
            assert answer.status_code == 200, answer.text
        assert_problem(await proxy.get(PUBLIC_PATH, headers={"X-Forwarded-For": "198.51.100.1"}), 429)
        other = await proxy.get(PUBLIC_PATH, headers={"X-Forwarded-For": "198.51.100.2", "X-Forwarded-Proto": "https"})
    assert other.status_code == 200, other.text
    assert other.json()["x-forwarded-for"] == "198.51.100.2"
    assert other.json()["x-forwarded-proto"] == "https"


async def test_behind_a_trusted_proxy_a_forged_left_most_entry_does_not_help(gateway: Gateway) -> None:
    async with gateway(trusted_proxies=[LOOPBACK], rate_limit_public="2/minute") as proxy:
        # The proxy appends the address it saw (198.51.100.7) to whatever the caller wrote; a second trusted hop
        # (127.0.0.1) is skipped too.
        chains = [f"203.0.113.{n}, 198.51.100.7" for n in range(2)] + ["203.0.113.9, 198.51.100.7, 127.0.0.1"]
        answers = [await proxy.get(PUBLIC_PATH, headers={"X-Forwarded-For": chain}) for chain in chains]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].json()["x-forwarded-for"] == "198.51.100.7"


async def test_behind_a_trusted_proxy_the_sign_in_throttle_counts_each_client(gateway: Gateway) -> None:
    async with gateway(trusted_proxies=[LOOPBACK], login_source_throttle_after=2) as proxy:
        for attempt in range(2):
            answer = await sign_in(proxy, attempt, f"203.0.113.{attempt}, 198.51.100.5")
            assert answer.status_code == 400, answer.text
        throttled = await sign_in(proxy, 2, "203.0.113.50, 198.51.100.5")
        assert assert_problem(throttled, 429)["type"].endswith(":login-throttled")
        assert (await sign_in(proxy, 3, "198.51.100.6")).status_code == 400  # another client is not slowed down


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_the_access_log_names_the_client_the_limits_count(tmp_path: Path) -> None:
    settings = GatewaySettings(
        common=CommonSettings(environment="test"),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        trusted_proxies=[LOOPBACK],
    )
    access, collected = logging.getLogger("uvicorn.access"), Collected()
    access.addHandler(collected)
    server = serve(create_gateway_app(settings), lifespan=True, log_level="info")
    try:
        async with server as url, httpx.AsyncClient(base_url=url, verify=tls_context()) as client:
            await client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.1, 198.51.100.8"})
            await client.get("/healthz", headers={"X-Forwarded-For": "not-an-address"})
    finally:
        access.removeHandler(collected)
    clients = [record.args[0] for record in collected.records]  # type: ignore[index]
    assert clients == ["198.51.100.8:0", "127.0.0.1:0"]


@pytest.mark.parametrize("command", [["run"], ["serve", "gateway"], ["serve", "disclosure"]])
def test_the_server_is_started_without_uvicorn_s_own_proxy_headers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: list[str]
) -> None:
    """uvicorn's default would believe X-Forwarded-For from any caller on loopback, below the gateway's rule."""
    monkeypatch.setenv("GREENLAW_ENVIRONMENT", "test")
    monkeypatch.setenv("GREENLAW_DATA_DIR", str(tmp_path))
    # Set, then removed: `greenlaw run` sets it, and the test's end restores its absence.
    monkeypatch.setenv("GREENLAW_DISCLOSURE_PUBLIC_BASE_URL", "")
    monkeypatch.delenv("GREENLAW_DISCLOSURE_PUBLIC_BASE_URL")
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda *args, **options: started.append(options))
    result = CliRunner().invoke(cli.app, [*command, "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert started[0]["proxy_headers"] is False
    assert started[0]["port"] == 8123
    if command == ["run"]:  # and the embedded mode's links name its own port
        assert os.environ["GREENLAW_DISCLOSURE_PUBLIC_BASE_URL"] == "http://127.0.0.1:8123"
