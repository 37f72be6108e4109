"""The gateway over real sockets: uvicorn serving the gateway and a small echo service on loopback ports."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio
from fastapi import FastAPI, Request
from starlette.requests import ClientDisconnect
from starlette.responses import StreamingResponse

from services.catalogue import UPSTREAMS
from services.gateway.app import MIGRATIONS_DIR, create_gateway_app
from services.gateway.handlers.accounts import add_client, add_user
from services.gateway.settings import GatewaySettings
from shared.auth import Zone, issue_token
from shared.db import create_engine, migrate, session_factory
from shared.outbound import tls_context
from shared.settings import CommonSettings
from tests.infra import free_port
from tests.stack import serve

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
MAX_BODY = 1000
TIMEOUT = 0.5


def echo_app() -> FastAPI:
    """A stand-in service: answers with what it received; one slow endpoint."""
    app = FastAPI()

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/api/v1/cases/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(TIMEOUT + 1)
        return {"status": "late"}

    @app.get("/api/v1/cases/trickle")
    async def trickle() -> StreamingResponse:
        async def parts() -> AsyncIterator[bytes]:
            yield b"begun;"
            await asyncio.sleep(TIMEOUT + 0.3)
            yield b"ended"

        return StreamingResponse(parts(), media_type="text/plain")

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"], include_in_schema=False)
    async def echo(request: Request, path: str) -> dict[str, Any]:
        try:
            body = await request.body()
        except ClientDisconnect:  # the gateway gave up on an oversized body half-way
            return {}
        return {
            "path": request.url.path,
            "raw_path": request.scope["raw_path"].decode(),
            "query": request.url.query,
            "method": request.method,
            "headers": dict(request.headers),
            "body_length": len(body),
        }

    return app


def settings_for(tmp: Path, upstream: str, **overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}",
        "cases_url": upstream,
        "disclosure_url": upstream,
        "referral_url": upstream,
        "monitoring_url": upstream,
        "upstream_timeout": TIMEOUT,
        "readiness_timeout": TIMEOUT,
        "max_body_bytes": MAX_BODY,
        "max_upload_bytes": 2 * MAX_BODY,
        "rate_limit_public": "1000/minute",
        "rate_limit_authenticated": "1000/minute",
        "rate_limit_token": "1000/minute",
    }
    values.update(overrides)
    return GatewaySettings(common=CommonSettings(environment="test"), **values)


GatewayFactory = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest_asyncio.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[str, GatewayFactory]]:
    """The echo service, and a factory of gateways in front of it (each with its own database)."""
    async with AsyncExitStack() as exits:
        upstream = await exits.enter_async_context(serve(echo_app(), lifespan=True))

        async def start_gateway(asgi_apps: dict[str, Any] | None = None, **overrides: Any) -> httpx.AsyncClient:
            settings = settings_for(tmp_path_factory.mktemp("gw"), upstream, **overrides)
            gateway = create_gateway_app(settings, asgi_apps=asgi_apps)
            url = await exits.enter_async_context(serve(gateway, lifespan=True))
            return await exits.enter_async_context(httpx.AsyncClient(base_url=url, timeout=10, verify=tls_context()))

        yield upstream, start_gateway


@pytest_asyncio.fixture(scope="module")
async def gateway(stack: tuple[str, GatewayFactory]) -> httpx.AsyncClient:
    return await stack[1]()


@pytest_asyncio.fixture(scope="module")
async def accounts(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway whose database holds a staff user and a police client, made with accounts.py."""
    tmp = tmp_path_factory.mktemp("accounts")
    settings = settings_for(tmp, f"http://127.0.0.1:{free_port()}")
    engine = create_engine(settings.resolved_database_url())
    await migrate(engine, MIGRATIONS_DIR)
    async with session_factory(engine)() as session:
        await add_user(session, username="zhang", password="correct horse", roles="officer,head", team="一队")
        await add_client(session, client_id="xiqing-police", secret="s3cret", role="police", unit="西青公安分局")
        await session.commit()
    await engine.dispose()
    async with (
        serve(create_gateway_app(settings), lifespan=True) as url,
        httpx.AsyncClient(base_url=url, verify=tls_context()) as client,
    ):
        yield client


def token(zone: Zone = "staff", **claims: Any) -> dict[str, str]:
    """A bearer header for a fresh subject, signed like the gateway's own tokens."""
    roles = ["police"] if zone == "police" else ["officer"]
    subject = f"user-{uuid.uuid4().hex[:8]}"
    signed = issue_token(CommonSettings(), subject=subject, roles=roles, zone=zone, **claims)
    return {"Authorization": f"Bearer {signed}"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


# --- the token issuer ---------------------------------------------------------------------------------------


async def test_staff_user_gets_a_staff_token(accounts: httpx.AsyncClient) -> None:
    response = await accounts.post(
        "/auth/token", data={"grant_type": "password", "username": "zhang", "password": "correct horse"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["zone"] == "staff"
    assert claims["team"] == "一队"
    assert sorted(claims["roles"]) == ["head", "officer"]


@pytest.mark.parametrize("use_basic", [False, True])
async def test_police_client_gets_a_police_token(accounts: httpx.AsyncClient, use_basic: bool) -> None:
    credentials = {"client_id": "xiqing-police", "client_secret": "s3cret"}
    if use_basic:
        response = await accounts.post(
            "/auth/token", data={"grant_type": "client_credentials"}, auth=("xiqing-police", "s3cret")
        )
    else:
        response = await accounts.post("/auth/token", data={"grant_type": "client_credentials", **credentials})
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["zone"] == "police"
    assert claims["roles"] == ["police"]
    assert claims["unit"] == "西青公安分局"


async def test_wrong_password_is_an_oauth_problem(accounts: httpx.AsyncClient) -> None:
    response = await accounts.post(
        "/auth/token", data={"grant_type": "password", "username": "zhang", "password": "wrong"}
    )
    assert assert_problem(response, 400)["error"] == "invalid_grant"
    response = await accounts.post(
        "/auth/token", data={"grant_type": "client_credentials", "client_id": "xiqing-police", "client_secret": "x"}
    )
    assert assert_problem(response, 401)["error"] == "invalid_client"
    response = await accounts.post("/auth/token", data={"grant_type": "implicit"})
    assert assert_problem(response, 400)["error"] == "unsupported_grant_type"


# --- zones --------------------------------------------------------------------------------------------------


async def test_staff_api_without_token_is_401(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/v1/cases")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_stations_push_readings_with_basic_credentials_only_there(gateway: httpx.AsyncClient) -> None:
    station = httpx.BasicAuth("MN001", "station-password")
    pushed = await gateway.post("/api/v1/monitoring/readings:batch", json=[], auth=station)
    assert pushed.status_code == 200  # forwarded: monitoring checks the station's MN and password
    assert pushed.json()["headers"]["authorization"].startswith("Basic ")
    assert_problem(await gateway.post("/api/v1/monitoring/stations", json={}, auth=station), 401)
    assert_problem(await gateway.get("/api/v1/monitoring/readings:batch", auth=station), 401)


async def test_zones_refuse_the_other_zones_token(gateway: httpx.AsyncClient) -> None:
    assert_problem(await gateway.get("/api/v1/cases", headers=token("police", unit="西青公安分局")), 403)
    assert_problem(await gateway.get("/police/v1/referrals", headers=token("staff")), 403)
    assert_problem(await gateway.get("/api/v1/cases", headers={"Authorization": "Bearer not-a-jwt"}), 401)


async def test_tokens_of_the_right_zone_pass_with_their_header(gateway: httpx.AsyncClient) -> None:
    headers = token("police", unit="西青公安分局")
    response = await gateway.get("/police/v1/referrals", headers=headers)
    assert response.status_code == 200
    assert response.json()["headers"]["authorization"] == headers["Authorization"]
    response = await gateway.post("/api/v1/cases/c1:close?x=1", headers=token("staff"), json={"a": 1})
    assert response.status_code == 200
    assert response.json()["path"] == "/api/v1/cases/c1:close"
    assert response.json()["query"] == "x=1"


async def test_public_paths_need_no_token(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/public/v1/decisions/%E5%86%B3%E5%AE%9A?q=%E6%B0%B4", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    echoed = response.json()
    assert echoed["raw_path"] == "/public/v1/decisions/%E5%86%B3%E5%AE%9A"
    assert echoed["query"] == "q=%E6%B0%B4"
    assert echoed["headers"]["accept"] == "text/csv"
    assert (await gateway.get("/portal/")).status_code == 200


async def test_unknown_prefix_is_404_and_gateway_routes_are_its_own(gateway: httpx.AsyncClient) -> None:
    assert_problem(await gateway.get("/api/v2/cases"), 404)
    assert_problem(await gateway.get("/portals"), 404)
    assert (await gateway.get("/healthz")).json()["service"] == "gateway"
    assert (await gateway.get("/metrics")).text.startswith("#")


# --- request IDs, limits ------------------------------------------------------------------------------------


async def test_request_id_reaches_the_service_and_comes_back(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/public/v1/x", headers={"X-Request-ID": "rid-42", "X-Correlation-ID": "c-7"})
    assert response.headers["x-request-id"] == "rid-42"
    assert response.headers.get_list("x-request-id") == ["rid-42"]
    echoed = response.json()["headers"]
    assert echoed["x-request-id"] == "rid-42"
    assert echoed["x-correlation-id"] == "c-7"
    assert echoed["x-forwarded-for"] == "127.0.0.1"
    generated = await gateway.get("/public/v1/x")
    assert generated.json()["headers"]["x-request-id"] == generated.headers["x-request-id"]


async def test_rate_limit_answers_429_with_retry_after(stack: tuple[str, GatewayFactory]) -> None:
    limited = await stack[1](rate_limit_public="3/minute", rate_limit_token="2/minute")
    statuses = [(await limited.get("/public/v1/x")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = await limited.get("/public/v1/x")
    assert_problem(response, 429)
    assert 1 <= int(response.headers["retry-after"]) <= 60
    for _ in range(2):
        await limited.post("/auth/token", data={"grant_type": "password", "username": "a", "password": "b"})
    assert_problem(await limited.post("/auth/token", data={"grant_type": "password"}), 429)


async def test_oversized_bodies_are_413(gateway: httpx.AsyncClient) -> None:
    headers = token("staff")
    response = await gateway.post("/api/v1/cases", headers=headers, content=b"x" * (MAX_BODY + 1))
    assert assert_problem(response, 413)["request_id"] == response.headers["x-request-id"]

    async def chunks(count: int) -> AsyncIterator[bytes]:
        for _ in range(count):
            yield b"y" * 300

    assert_problem(await gateway.post("/api/v1/cases", headers=headers, content=chunks(5)), 413)
    response = await gateway.post("/api/v1/cases", headers=headers, content=chunks(3))
    assert response.status_code == 200
    assert response.json()["body_length"] == 900


async def test_uploads_have_their_own_larger_cap(gateway: httpx.AsyncClient) -> None:
    headers = {**token("staff"), "Content-Type": "multipart/form-data; boundary=x"}
    accepted = await gateway.post("/api/v1/cases", headers=headers, content=b"u" * (MAX_BODY + 1))
    assert accepted.status_code == 200
    assert_problem(await gateway.post("/api/v1/cases", headers=headers, content=b"u" * (2 * MAX_BODY + 1)), 413)


# --- unreachable and slow services --------------------------------------------------------------------------


async def test_stopped_service_is_a_quick_503(stack: tuple[str, GatewayFactory]) -> None:
    dead = await stack[1](cases_url=f"http://127.0.0.1:{free_port()}")
    started = time.monotonic()
    body = assert_problem(await dead.get("/api/v1/cases", headers=token("staff")), 503)
    assert body["upstream"] == "cases"
    assert time.monotonic() - started < 1


async def test_slow_service_times_out(gateway: httpx.AsyncClient) -> None:
    started = time.monotonic()
    response = await gateway.get("/api/v1/cases/slow", headers=token("staff"))
    assert response.status_code in (503, 504)
    assert response.headers["content-type"].startswith(PROBLEM)
    assert time.monotonic() - started < TIMEOUT + 1


async def test_readiness_follows_the_services(stack: tuple[str, GatewayFactory], gateway: httpx.AsyncClient) -> None:
    ready = await gateway.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"]) == {"database", *UPSTREAMS}
    degraded = await stack[1](monitoring_url=f"http://127.0.0.1:{free_port()}")
    checks = assert_problem(await degraded.get("/readyz"), 503)["checks"]
    assert checks["monitoring"].startswith("error")
    assert checks["cases"] == "ok"


async def test_openapi_merges_the_services(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/openapi.json")).json()
    assert "/auth/token" in document["paths"]
    assert "/api/v1/cases/slow" in document["paths"]
    assert "/readyz" in document["paths"]  # the gateway's own, not the echo service's
    assert "gateway_oauth2" in document["components"]["securitySchemes"]
    assert "swagger" in (await gateway.get("/docs")).text.lower()


async def test_docs_pages_work_without_the_internet(gateway: httpx.AsyncClient) -> None:
    """A bureau intranet has no CDN: every script, style and icon the pages load comes from the gateway itself."""
    for page, marker in (("/docs", "SwaggerUIBundle"), ("/redoc", "<redoc")):
        answer = await gateway.get(page)
        assert answer.status_code == 200, page
        assert marker in answer.text
        assert "<title>greenlaw 生态环境局执法平台 API</title>" in answer.text
        assert "script-src 'self' 'unsafe-inline'" in answer.headers["content-security-policy"]
        loaded = re.findall(r"""(?:src|href)=["']([^"']+)["']""", answer.text)
        assert loaded, page
        assert all(url.startswith("/docs/assets/") for url in loaded), loaded
        for url in loaded:
            asset = await gateway.get(url)
            assert asset.status_code == 200, url
            assert len(asset.content) > 1000, url
            assert asset.headers["x-content-type-options"] == "nosniff"
    assert (await gateway.get("/docs/assets/swagger-ui.css")).headers["content-type"].startswith("text/css")
    assert_problem(await gateway.get("/docs/assets/index.html"), 404)
    assert_problem(await gateway.get("/docs/assets/..%2Fpyproject.toml"), 404)


async def test_embedded_services_are_called_in_process(stack: tuple[str, GatewayFactory]) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    embedded = await stack[1](asgi_apps={"cases": echo_app()}, cases_url=nowhere)
    response = await embedded.get("/api/v1/cases/c9", headers={**token("staff"), "X-Request-ID": "rid-e"})
    assert response.status_code == 200
    assert response.json()["headers"]["x-request-id"] == "rid-e"
    posted = await embedded.post("/api/v1/cases/c9", headers=token("staff"), content=b"z" * 900)
    assert posted.json()["body_length"] == 900  # the body reaches the service
    started = time.monotonic()
    assert_problem(await embedded.get("/api/v1/cases/slow", headers=token("staff")), 504)
    assert time.monotonic() - started < TIMEOUT + 1
    # The timeout bounds the wait for the answer to begin, not its streaming at the client's pace.
    streamed = await embedded.get("/api/v1/cases/trickle", headers=token("staff"))
    assert (streamed.status_code, streamed.text) == (200, "begun;ended")


async def test_the_portals_monitoring_pages_go_to_monitoring_in_the_public_zone(
    stack: tuple[str, GatewayFactory],
) -> None:
    """``/portal/monitoring`` is monitoring's (here in-process), the rest of ``/portal`` disclosure's (here nothing
    listens); no token, and the same per-address public limit as the portal."""
    nowhere = f"http://127.0.0.1:{free_port()}"
    gateway = await stack[1](
        asgi_apps={"monitoring": echo_app()}, monitoring_url=nowhere, disclosure_url=nowhere,
        rate_limit_public="3/minute",
    )  # fmt: skip
    response = await gateway.get("/portal/monitoring/enterprises/XQ-E001", params={"year": "2021"})
    assert response.status_code == 200
    assert response.json()["path"] == "/portal/monitoring/enterprises/XQ-E001"
    assert response.json()["query"] == "year=2021"
    assert "authorization" not in response.json()["headers"]
    assert_problem(await gateway.get("/portal/monitoringx"), 503)  # disclosure's, which is down
    assert (await gateway.get("/portal/monitoring/enterprises", headers={"Authorization": "Bearer x"})).is_success
    assert_problem(await gateway.get("/portal/monitoring/enterprises"), 429)
