"""API8:2023 Security Misconfiguration.

No start with the development signing secret (or a short one) in production, nor with a weak previous key of a
rotation, nor (disclosure) without the public address; no demo accounts outside development; security headers on
every answer, the gateway's own, proxied and errors alike; CORS only for configured origins (none by default); no
debug pages, and an unexpected error answers a problem without its traceback or message; links and redirects never
built from the Host header. The settings rules themselves are unit-tested in tests/unit/test_auth.py.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import ValidationError
from typer.testing import CliRunner

from services.disclosure.settings import LOCAL_BASE_URL, DisclosureSettings
from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from services.ops import cli
from services.ops.embedded import create_embedded_app
from shared.outbound import tls_context
from shared.settings import DEV_SECRET, CommonSettings
from shared.web import create_http_app
from tests.embedded import EmbeddedServer, embedded_server
from tests.factories import decision_body
from tests.stack import eventually
from tests.support.system import System, assert_problem

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


async def test_production_has_no_demo_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREENLAW_DISCLOSURE_PUBLIC_BASE_URL", PUBLIC_BASE)
    common = CommonSettings(environment="production", data_dir=tmp_path, jwt_secret=STRONG_SECRET)
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


# --- the keys of a rotation, and the public address of links --------------------------------------------------

STRONG_SECRET, OTHER_STRONG_SECRET = "9e4b2f7a1c8d3e6b0f5a2c9d7e1b4f8a", "c5a8e1f4b7d0a3c6e9f2b5d8a1c4e7f0b3"
PUBLIC_BASE = "https://sthj.xiqing.example.gov.cn"
HOSTILE_HOSTS = ["evil.example", "evil.example:99999", "a b", "[::1", "x/y", "", "evil.example:8000@x", "é.example"]


def greenlaw_serve(monkeypatch: pytest.MonkeyPatch, service: str) -> tuple[int, str, bool]:
    """``greenlaw serve <service>`` as the container runs it, up to the point the server would listen: the exit
    code, the error, and whether it got as far as starting the server."""
    started: list[object] = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **options: started.append(app))
    result = CliRunner().invoke(cli.app, ["serve", service])
    return result.exit_code, str(result.exception or ""), bool(started)


def production_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What a correct production container gets (see deploy/kubernetes); each test then spoils one value."""
    monkeypatch.setenv("GREENLAW_ENVIRONMENT", "production")
    monkeypatch.setenv("GREENLAW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GREENLAW_JWT_SECRET", STRONG_SECRET)
    monkeypatch.setenv("GREENLAW_JWT_KEY_ID", "k2")
    monkeypatch.setenv("GREENLAW_JWT_PREVIOUS_KEYS", json.dumps({"k1": OTHER_STRONG_SECRET}))
    monkeypatch.setenv("GREENLAW_DISCLOSURE_PUBLIC_BASE_URL", PUBLIC_BASE)


@pytest.mark.parametrize("service", ["gateway", "disclosure"])
def test_production_starts_with_strong_keys_and_a_public_address(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, service: str
) -> None:
    production_environment(monkeypatch, tmp_path)
    assert greenlaw_serve(monkeypatch, service) == (0, "", True)


@pytest.mark.parametrize(
    "previous", [DEV_SECRET, "k", "x" * 48, "0123456789abcdef" * 2, STRONG_SECRET], ids=lambda key: key[:12] or "-"
)
@pytest.mark.parametrize("service", ["gateway", "disclosure"])
def test_production_refuses_to_start_with_a_weak_previous_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, service: str, previous: str
) -> None:
    """A token signed with any listed previous key is honoured, so each must be as strong as the current one (and
    the current key again under an old id is refused too)."""
    production_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("GREENLAW_JWT_PREVIOUS_KEYS", json.dumps({"k1": previous}))
    code, error, started = greenlaw_serve(monkeypatch, service)
    assert (code != 0, started) == (True, False)
    assert "GREENLAW_JWT_PREVIOUS_KEYS['k1']" in error
    assert len(previous) < 8 or previous not in error  # the message does not repeat the secret
    with pytest.raises(ValidationError, match="GREENLAW_JWT_PREVIOUS_KEYS"):
        create_embedded_app()


def test_production_refuses_to_start_without_the_public_address(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    production_environment(monkeypatch, tmp_path)
    monkeypatch.delenv("GREENLAW_DISCLOSURE_PUBLIC_BASE_URL")
    code, error, started = greenlaw_serve(monkeypatch, "disclosure")
    assert (code != 0, started) == (True, False)
    assert "GREENLAW_DISCLOSURE_PUBLIC_BASE_URL" in error
    with pytest.raises(ValueError, match="GREENLAW_DISCLOSURE_PUBLIC_BASE_URL"):
        create_embedded_app()
    assert greenlaw_serve(monkeypatch, "gateway")[2], "the gateway makes no links and needs no public address"
    # `greenlaw run` names its own port outside production only.
    monkeypatch.setattr(cli.uvicorn, "run", lambda *args, **options: None)
    assert CliRunner().invoke(cli.app, ["run"]).exit_code == 0
    assert "GREENLAW_DISCLOSURE_PUBLIC_BASE_URL" not in os.environ


@pytest.mark.parametrize(
    "address", ["sthj.example.gov.cn", "ftp://sthj.example.gov.cn", "https://", "https://a@b.cn", "https://b.cn:99999"]
)
def test_a_public_address_that_is_no_http_address_is_refused(address: str) -> None:
    with pytest.raises(ValidationError, match="GREENLAW_DISCLOSURE_PUBLIC_BASE_URL"):
        DisclosureSettings(common=CommonSettings(environment="test"), public_base_url=address)


@pytest.mark.parametrize("configured", [None, PUBLIC_BASE + "/"], ids=["unset", "configured"])
async def test_atom_links_never_come_from_the_host_header(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, configured: str | None
) -> None:
    """The feed is public-cacheable: a Host of the caller's choosing in it would be served to everyone after."""
    monkeypatch.setenv("GREENLAW_DISCLOSURE_PUBLISH_MODES", json.dumps({"penalty": "auto"}))
    if configured is None:
        monkeypatch.delenv("GREENLAW_DISCLOSURE_PUBLIC_BASE_URL", raising=False)
    else:
        monkeypatch.setenv("GREENLAW_DISCLOSURE_PUBLIC_BASE_URL", configured)
    base = (configured or LOCAL_BASE_URL).rstrip("/")
    async with embedded_server(tmp_path) as server:
        publication = await published_decision(server)
        async with httpx.AsyncClient(base_url=server.base_url, verify=tls_context()) as client:
            for host in HOSTILE_HOSTS:
                answer = await client.get("/public/v1/decisions.atom", headers={"Host": host.encode()})
                assert answer.status_code == 200, (host, answer.status_code, answer.text[:300])
                assert atom_links(answer.content) == {
                    f"{base}/public/v1/decisions.atom",
                    f"{base}/portal/decisions/{publication}",
                    f"{base}/public/v1/decisions/{publication}.pdf",
                }, host
                # Neither the caller's host nor the service's own internal address (127.0.0.1:8002).
                assert b":8002" not in answer.content, host
                assert not host or host.encode() not in answer.content, host
            pages = ["/portal", "/portal/", f"/portal/decisions/{publication}", "/public/v1/decisions", "/docs"]
            # A stray slash once answered a redirect to the service's internal address.
            for path in [*pages, "/public/v1/decisions/", "/public/v1/bulletins/", "/public/v1/decisions.atom/"]:
                for host in HOSTILE_HOSTS:
                    answer = await client.get(path, headers={"Host": host.encode()})
                    assert answer.status_code < 500, (path, host, answer.status_code)
                    shown = answer.content + answer.headers.get("location", "").encode()
                    assert b":8002" not in shown, (path, host)


async def published_decision(server: EmbeddedServer) -> str:
    """Issue a penalty decision (published automatically) and wait until the public list shows it; its id."""
    body = decision_body()
    async with server.client(server.staff_token("head")) as head:
        issued = await head.post("/api/v1/cases/decisions", json=body)
        assert issued.status_code == 201, issued.text
    async with server.client() as anonymous:

        async def listed() -> str | None:
            items = (await anonymous.get("/public/v1/decisions")).json()["items"]
            return next((i["id"] for i in items if i["party_name"] == body["party"]["name"]), None)

        found: str = await eventually(listed)
    return found


def atom_links(feed: bytes) -> set[str]:
    """Every address in an Atom feed: the feed's id and each link (entry ids are URNs)."""
    atom = "{http://www.w3.org/2005/Atom}"
    root = ET.fromstring(feed)
    ids = {element.text or "" for element in root.iter(f"{atom}id")}
    hrefs = {element.attrib["href"] for element in root.iter(f"{atom}link")}
    return {address for address in ids | hrefs if not address.startswith("urn:")}
