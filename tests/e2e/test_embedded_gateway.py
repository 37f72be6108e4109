"""Part 7's flow through the gateway over a real socket: token → decision → publication with its due date."""

from __future__ import annotations

import pytest

from tests.embedded import EmbeddedServer
from tests.factories import decision_body
from tests.stack import eventually

pytestmark = pytest.mark.e2e


async def test_decision_flows_to_disclosure_through_the_gateway(embedded: EmbeddedServer) -> None:
    async with embedded.client(embedded.staff_token("head")) as client:
        issued = await client.post("/api/v1/cases/decisions", json=decision_body())
        assert issued.status_code == 201, issued.text
        decision_id = issued.json()["id"]

        async def visible() -> list[dict[str, object]]:
            answer = await client.get("/api/v1/disclosure/publications", params={"decision_id": decision_id})
            return list(answer.json()["items"])

        [publication] = await eventually(visible)
        assert publication["due_on"] == "2021-10-13"
        assert publication["status"] == "pending"
    async with embedded.client(embedded.police_token()) as police:
        assert (await police.get("/api/v1/disclosure/publications")).status_code == 403
    async with embedded.client() as anonymous:
        assert (await anonymous.get("/api/v1/disclosure/publications")).status_code == 401


async def test_the_portals_enterprise_pages_through_the_embedded_gateway(embedded: EmbeddedServer) -> None:
    """The embedded mode routes ``/portal/monitoring`` to monitoring and the rest of ``/portal`` to disclosure: the
    portal's navigation leads to the enterprises' index, which leads to the enterprise's page, no token needed."""
    async with embedded.client(embedded.staff_token("monitoring_reviewer")) as staff:
        body = {"code": "XQ-E900", "name": "天津市某电镀有限公司", "town": "中北镇", "industry": "金属制品业"}
        assert (await staff.post("/api/v1/monitoring/enterprises", json=body)).status_code == 201
    async with embedded.client() as anonymous:
        portal = await anonymous.get("/portal/")
        assert portal.status_code == 200
        assert '<a href="/portal/monitoring/enterprises">企业自行监测</a>' in portal.text
        index = await anonymous.get("/portal/monitoring/enterprises", params={"town": "中北镇"})
        assert index.status_code == 200
        assert '<a href="/portal/monitoring/enterprises/XQ-E900">天津市某电镀有限公司</a>' in index.text
        page = await anonymous.get("/portal/monitoring/enterprises/XQ-E900")
        assert page.status_code == 200
        assert "天津市某电镀有限公司" in page.text
        assert page.text == (await anonymous.get("/public/v1/monitoring/enterprises/XQ-E900/page")).text
        for answer in (portal, index, page):
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'self'" in answer.headers["content-security-policy"]
            assert "script-src 'self'" not in answer.headers["content-security-policy"]
            assert answer.headers["cache-control"].startswith("public")
            assert "x-request-id" in answer.headers
