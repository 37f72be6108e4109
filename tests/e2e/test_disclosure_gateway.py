"""Acceptance through the gateway on a real socket: cases issues decisions → they appear publicly on time; a
revoked one is withdrawn with its reason; the Credit China ledger shows delivery to a loopback receiver; the
annual report's counts match the cases statistics (read over HTTP through the gateway)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from services.disclosure.handlers.publications import local_today
from services.disclosure.settings import LOCAL_BASE_URL
from tests import embedded as embedded_module
from tests.embedded import EmbeddedServer, embedded_server
from tests.factories import decision_body
from tests.infra import free_port
from tests.stack import eventually, serve
from tests.support.disclosure import FlakyReceiver

pytestmark = pytest.mark.e2e


@pytest.fixture
async def system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[EmbeddedServer, FlakyReceiver]]:
    receiver = FlakyReceiver()
    port = free_port()
    # The embedded mode reaches cases over HTTP until it passes cases_transport: here, through its own gateway.
    monkeypatch.setattr(embedded_module, "free_port", lambda: port)
    async with serve(receiver.app) as receiver_url:
        env = {
            "PUBLISH_MODES": json.dumps({"penalty": "auto"}),
            "CREDIT_CHINA_URL": receiver_url + "/records",
            "CREDIT_CHINA_INTERVAL_SECONDS": "0.2",
            "CREDIT_CHINA_BACKOFF_SECONDS": "0.01",
            "CASES_URL": f"http://127.0.0.1:{port}",
        }
        for name, value in env.items():
            monkeypatch.setenv(f"GREENLAW_DISCLOSURE_{name}", value)
        async with embedded_server(tmp_path / "data") as server:
            yield server, receiver


async def test_decisions_to_public_withdrawal_credit_china_and_annual_report(
    system: tuple[EmbeddedServer, FlakyReceiver],
) -> None:
    server, receiver = system
    today = local_today("Asia/Shanghai")
    async with (
        server.client(server.staff_token("head")) as head,
        server.client(server.staff_token("disclosure_editor")) as editor,
        server.client() as public,
    ):
        issued = [
            (await head.post("/api/v1/cases/decisions", json=decision_body(decided_on=today.isoformat()))).json()
            for _ in range(2)
        ]

        async def both_public() -> list[dict[str, Any]] | None:
            items = (await public.get("/public/v1/decisions", params={"kind": "penalty"})).json()["items"]
            return items if len(items) == 2 else None

        items = {i["document_number"]: i for i in await eventually(both_public)}
        for decision in issued:
            item = items[decision["document_number"]]
            assert item["published_on"] == today.isoformat()
            assert item["published_on"] <= item["due_on"]
        first = await public.get("/public/v1/decisions")
        assert (
            await public.get("/public/v1/decisions", headers={"If-None-Match": first.headers["etag"]})
        ).status_code == 304

        revoked = issued[0]
        etag = (await head.get(f"/api/v1/cases/decisions/{revoked['id']}")).headers["etag"]
        revocation = {"revoked_on": today.isoformat(), "reason": "经行政复议决定撤销"}
        answer = await head.post(
            f"/api/v1/cases/decisions/{revoked['id']}/revocation", json=revocation, headers={"If-Match": etag}
        )
        assert answer.status_code == 200, answer.text
        withdrawn_id = items[revoked["document_number"]]["id"]

        async def withdrawn() -> dict[str, Any] | None:
            item = (await public.get(f"/public/v1/decisions/{withdrawn_id}")).json()
            return item if item["status"] == "withdrawn" else None

        item = await eventually(withdrawn)
        assert item["withdrawal"]["reason"] == "经行政复议决定撤销"
        assert item["facts"] is None
        portal = await public.get(f"/portal/decisions/{withdrawn_id}")
        assert "经行政复议决定撤销" in portal.text

        async def delivered() -> list[dict[str, Any]] | None:
            ledger = (await editor.get("/api/v1/disclosure/credit-china/records")).json()["items"]
            done = len(ledger) == 3 and all(r["status"] == "delivered" for r in ledger)
            return ledger if done else None

        ledger = await eventually(delivered)
        assert sorted(r["operation"] for r in ledger) == ["delete", "upsert", "upsert"]
        assert set(receiver.applied) == {r["id"] for r in ledger}

        year = today.year - 1
        for day in ("04-01", "08-08"):
            await head.post("/api/v1/cases/decisions", json=decision_body(decided_on=f"{year}-{day}"))
        # The report carries every count it reads, the random inspection figures (by category, coverage) included.
        statistics = (await head.get("/api/v1/cases/statistics", params={"year": year})).json()
        report = await editor.post(f"/api/v1/disclosure/annual-reports/{year}")
        assert report.status_code == 200, report.text
        assert report.json()["statistics"] == statistics
        assert report.json()["statistics"]["decisions_by_kind"]["penalty"] == 2
        assert (await public.get(f"/public/v1/reports/{year}")).json()["statistics"] == statistics


async def test_the_atom_feed_links_to_the_configured_address_never_the_request_s(embedded: EmbeddedServer) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    async with embedded.client() as public:
        answer = await public.get("/public/v1/decisions.atom")
        assert answer.status_code == 200, answer.text
        feed = ET.fromstring(answer.content)
        # Unconfigured outside production: the local default, whatever port this server happens to use.
        assert feed.findtext(f"{atom}id") == f"{LOCAL_BASE_URL}/public/v1/decisions.atom"
        # A forged host is not echoed into links.
        forged = await public.get(
            "/public/v1/decisions.atom", headers={"X-Forwarded-Host": "evil.example/<x>", "Host": "evil.example"}
        )
        assert b"evil.example" not in forged.content
