"""CORS on the public API (the government website's JavaScript reads it from its own origin), over the gateway.

``GREENLAW_GATEWAY_PUBLIC_CORS_ORIGINS`` lists the origins: the open monitoring data and the disclosure API answer
them for GET and HEAD (ETag and Link readable, the preflight answered, 304s and problems included); another origin,
another method, the portal, the gateway's own routes and every staff or police route get no CORS header at all. The
staff apps' allowlist (``GREENLAW_GATEWAY_CORS_ALLOW_ORIGINS``) and this one never answer each other's paths.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from shared.settings import CommonSettings
from tests.embedded import EmbeddedServer, embedded_server

pytestmark = pytest.mark.integration

WEBSITE, STAFF_APP, EVIL = "https://www.xq.gov.cn", "https://zhifa.xiqing.gov.cn", "https://evil.example"


def cors_headers(answer: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in answer.headers.items() if name.lower().startswith("access-control-")}


def listed(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(",") if part.strip()}


@pytest.fixture(scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EmbeddedServer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GREENLAW_GATEWAY_PUBLIC_CORS_ORIGINS", json.dumps([WEBSITE]))
        patch.delenv("GREENLAW_GATEWAY_CORS_ALLOW_ORIGINS", raising=False)
        async with embedded_server(tmp_path_factory.mktemp("public-cors")) as running:
            async with running.client(running.staff_token("monitoring_reviewer", "admin")) as staff:
                body = {"code": "CORS001", "kind": "air_station", "name": "中北镇站", "town": "中北镇",
                        "level": "district"}  # fmt: skip
                assert (await staff.post("/api/v1/monitoring/stations", json=body)).status_code == 201
            yield running


@pytest.mark.parametrize("path", ["/public/v1/monitoring/stations", "/public/v1/decisions"])
async def test_the_website_reads_the_public_api_with_its_etag(server: EmbeddedServer, path: str) -> None:
    async with server.client() as client:
        answer = await client.get(path, headers={"Origin": WEBSITE})
        assert answer.status_code == 200, answer.text
        assert answer.headers["access-control-allow-origin"] == WEBSITE
        assert {"etag", "link"} <= listed(answer.headers["access-control-expose-headers"])
        assert "origin" in listed(answer.headers["vary"])  # caches keep one answer per origin
        assert "access-control-allow-credentials" not in answer.headers
        again = await client.get(path, headers={"Origin": WEBSITE, "If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["access-control-allow-origin"] == WEBSITE
        head = await client.head(path, headers={"Origin": WEBSITE})
        assert head.headers["access-control-allow-origin"] == WEBSITE
        missing = await client.get(f"{path}/no-such-thing", headers={"Origin": WEBSITE})
        assert missing.status_code == 404  # a problem the page's script can read too
        assert missing.headers["access-control-allow-origin"] == WEBSITE
        for other in (EVIL, STAFF_APP):
            assert "access-control-allow-origin" not in (await client.get(path, headers={"Origin": other})).headers


async def test_the_preflight_is_answered_for_reads_only(server: EmbeddedServer) -> None:
    path = "/public/v1/monitoring/stations/CORS001/readings"
    async with server.client() as client:
        asked = {"Origin": WEBSITE, "Access-Control-Request-Headers": "if-none-match"}
        read = await client.options(path, headers={**asked, "Access-Control-Request-Method": "GET"})
        assert read.status_code == 200
        assert read.headers["access-control-allow-origin"] == WEBSITE
        assert listed(read.headers["access-control-allow-methods"]) == {"get", "head"}
        assert "if-none-match" in listed(read.headers["access-control-allow-headers"])
        write = await client.options(path, headers={**asked, "Access-Control-Request-Method": "POST"})
        assert write.status_code == 400  # the browser then does not send the POST
        assert "post" not in listed(write.headers["access-control-allow-methods"])
        evil = await client.options(path, headers={**asked, "Origin": EVIL, "Access-Control-Request-Method": "GET"})
        assert "access-control-allow-origin" not in evil.headers
        # a write sent anyway (a form post needs no preflight) gets no CORS header: the page cannot read the answer
        posted = await client.post("/public/v1/decisions", headers={"Origin": WEBSITE}, content=b"a=1")
        assert cors_headers(posted) == {}


async def test_staff_police_portal_and_gateway_paths_never_get_cors(server: EmbeddedServer) -> None:
    preflight = {
        "Origin": WEBSITE,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    async with (
        server.client(server.staff_token("monitoring_reviewer")) as staff,
        server.client(server.police_token()) as police,
        server.client() as anonymous,
    ):
        answers = [
            await staff.get("/api/v1/monitoring/stations", headers={"Origin": WEBSITE}),
            await staff.get("/api/v1/monitoring/stations/CORS001", headers={"Origin": WEBSITE}),
            await anonymous.options("/api/v1/monitoring/stations", headers=preflight),
            await anonymous.options("/api/v1/cases", headers=preflight),
            await police.get("/police/v1/referrals", headers={"Origin": WEBSITE}),
            await anonymous.options("/police/v1/referrals", headers=preflight),
            await anonymous.get("/portal/", headers={"Origin": WEBSITE}),
            await anonymous.get("/healthz", headers={"Origin": WEBSITE}),
            await anonymous.options("/auth/token", headers={**preflight, "Access-Control-Request-Method": "POST"}),
        ]
    assert answers[0].status_code == 200, answers[0].text
    for answer in answers:
        assert cors_headers(answer) == {}, (answer.request.method, answer.request.url, answer.status_code)


@pytest.fixture
async def both_allowlists(tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = GatewaySettings(
        common=CommonSettings(environment="test"),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        cors_allow_origins=[STAFF_APP],
        public_cors_origins=[WEBSITE],
    )
    app = create_gateway_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def test_the_two_allowlists_never_answer_each_others_paths(both_allowlists: FastAPI) -> None:
    """Preflights are answered by the gateway itself, so no service is needed here."""

    def preflight(origin: str, method: str = "GET") -> dict[str, str]:
        return {"Origin": origin, "Access-Control-Request-Method": method}

    transport = httpx.ASGITransport(app=both_allowlists)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        staff_app = await client.options("/api/v1/monitoring/stations", headers=preflight(STAFF_APP, "POST"))
        assert staff_app.headers["access-control-allow-origin"] == STAFF_APP
        website_on_staff = await client.options("/api/v1/monitoring/stations", headers=preflight(WEBSITE))
        assert "access-control-allow-origin" not in website_on_staff.headers
        website = await client.options("/public/v1/monitoring/stations", headers=preflight(WEBSITE))
        assert website.headers["access-control-allow-origin"] == WEBSITE
        staff_app_on_public = await client.options("/public/v1/monitoring/stations", headers=preflight(STAFF_APP))
        assert "access-control-allow-origin" not in staff_app_on_public.headers
        website_on_police = await client.options("/police/v1/referrals", headers=preflight(WEBSITE))
        assert "access-control-allow-origin" not in website_on_police.headers
