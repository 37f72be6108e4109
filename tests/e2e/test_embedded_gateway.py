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
