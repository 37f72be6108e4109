"""API8:2023 Security Misconfiguration.

No start with the development signing secret (or a short one) in production; no demo accounts outside development;
security headers on every answer, the gateway's own, proxied and errors alike; CORS only for configured origins
(none by default); no debug pages, and an unexpected error answers a problem without its traceback or message.
The settings rule itself is unit-tested in tests/unit/test_auth.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import ValidationError

from services.embedded import create_embedded_app
from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from shared.settings import DEV_SECRET, CommonSettings
from shared.web import create_http_app
from tests.security.conftest import System, assert_problem

pytestmark = pytest.mark.integration

SECURITY_HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer"}
ALLOWED, EVIL = "https://zhifa.xiqing.gov.cn", "https://evil.example"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}


@pytest.mark.parametrize("secret", [None, DEV_SECRET, "too-short"])
def test_production_refuses_to_start_without_a_real_secret(monkeypatch: pytest.MonkeyPatch, secret: str | None) -> None:
    monkeypatch.setenv("GREENLAW_ENVIRONMENT", "production")
    if secret is None:
        monkeypatch.delenv("GREENLAW_JWT_SECRET", raising=False)
    else:
        monkeypatch.setenv("GREENLAW_JWT_SECRET", secret)
    with pytest.raises(ValidationError, match="GREENLAW_JWT_SECRET"):
        GatewaySettings()
    with pytest.raises(ValidationError, match="GREENLAW_JWT_SECRET"):
        create_embedded_app()


async def test_production_has_no_demo_accounts(tmp_path: Path) -> None:
    common = CommonSettings(environment="production", data_dir=tmp_path, jwt_secret="p" * 48)
    app = create_embedded_app(common)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            answer = await client.post(
                "/auth/token", data={"grant_type": "password", "username": "head", "password": "greenlaw-demo"}
            )
    assert assert_problem(answer, 400)["error"] == "invalid_grant"


async def test_every_answer_carries_the_security_headers(system: System) -> None:
    async with system.client() as anonymous, system.client(system.staff_token("admin")) as admin:
        answers = [
            await anonymous.get("/healthz"),  # the gateway's own
            await anonymous.get("/public/v1/decisions"),  # proxied
            await anonymous.get("/portal/"),  # an HTML page
            await anonymous.get("/api/v1/cases"),  # 401
            await anonymous.get("/no/such/path"),  # 404
            await admin.post("/api/v1/cases/parties", json={"unexpected": 1}),  # 422
            await anonymous.post("/auth/token", data={}),  # 400
        ]
    for answer in answers:
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers.get(name) == value, (answer.request.url, name)
        assert len(answer.headers.get_list("x-frame-options")) == 1  # not doubled by the hop


async def test_no_cors_headers_without_an_allowlist(system: System) -> None:
    async with system.client(Origin=EVIL) as client:
        for answer in (
            await client.get("/public/v1/decisions"),
            await client.get("/healthz"),
            await client.options("/api/v1/cases", headers=PREFLIGHT),
        ):
            assert "access-control-allow-origin" not in answer.headers
            assert "access-control-allow-credentials" not in answer.headers


@pytest.fixture
async def cors_gateway(tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = GatewaySettings(
        common=CommonSettings(environment="test"),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        cors_allow_origins=[ALLOWED],
    )
    app = create_gateway_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def test_cors_answers_only_the_allowed_origins(cors_gateway: FastAPI) -> None:
    preflight = PREFLIGHT
    transport = httpx.ASGITransport(app=cors_gateway)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        allowed = await client.options("/api/v1/cases", headers={"Origin": ALLOWED, **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ALLOWED
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in allowed.headers
        refused = await client.options("/api/v1/cases", headers={"Origin": EVIL, **preflight})
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
        simple = await client.get("/healthz", headers={"Origin": ALLOWED})
        assert simple.headers["access-control-allow-origin"] == ALLOWED
        assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
        other = await client.get("/healthz", headers={"Origin": EVIL})
        assert "access-control-allow-origin" not in other.headers


async def test_no_debug_pages_and_errors_keep_their_secrets(system: System) -> None:
    assert system.gateway.debug is False
    assert all(app.debug is False for app in system.stack.apps.values())
    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("password=hunter2 at /srv/greenlaw/secret.py")

    app = create_http_app(service="probe", title="probe", description="probe", routers=[router])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://probe") as client:
        answer = await client.get("/boom")
    assert_problem(answer, 500)
    assert "hunter2" not in answer.text
    assert "Traceback" not in answer.text
    assert "secret.py" not in answer.text
