"""Monitoring's events on both databases and both transports: an exceedance becomes a lead in cases, a published
bulletin appears in disclosure's public API; each left monitoring's outbox exactly once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.stack import Stack, eventually
from tests.support.monitoring import client, create_station, hourly, outbox

pytestmark = pytest.mark.integration


async def test_exceedance_and_bulletin_reach_cases_and_disclosure(stack: Stack) -> None:
    async with client(stack, "monitoring_reviewer") as http:
        source = await create_station(
            http, "pollution_source", emission_limits={"nh3n": {"limit": 5, "unit": "mg/L"}}, parameters=["nh3n"]
        )
        rows = hourly(source["code"], "nh3n", date(2021, 6, 1), [3.0, 8.5])
        for _ in range(2):
            assert (await http.post("/api/v1/monitoring/readings:batch", json=rows)).status_code == 200
        built = await http.post(
            "/api/v1/monitoring/bulletins", json={"kind": "air_monthly", "period_start": "2021-06-01"}
        )
        assert built.status_code == 201, built.text
        published = await http.post(
            f"/api/v1/monitoring/bulletins/{built.json()['id']}:publish", headers={"If-Match": built.headers["etag"]}
        )
        assert published.status_code == 200, published.text
    monitoring = stack.runtime("monitoring")

    async def all_published() -> bool:
        events = await outbox(monitoring, "monitoring.exceedance.detected.v1")
        events += await outbox(monitoring, "monitoring.bulletin.published.v1")
        return len(events) == 2 and all(e["published"] for e in events)

    await eventually(all_published)
    [exceedance] = await outbox(monitoring, "monitoring.exceedance.detected.v1")

    async with stack.client("cases", "head") as cases:

        async def lead() -> list[dict[str, Any]]:
            answer = await cases.get("/api/v1/cases/leads", params={"source": "monitoring", "limit": 100})
            return [x for x in answer.json()["items"] if x["exceedance_id"] == exceedance["data"]["exceedance_id"]]

        [found] = await eventually(lead)
        assert source["code"] in found["summary"]
    async with stack.client("disclosure") as public:

        async def bulletin() -> dict[str, Any] | None:
            answer = await public.get(f"/public/v1/bulletins/{built.json()['id']}")
            return dict(answer.json()) if answer.status_code == 200 else None

        shown = await eventually(bulletin)
        assert shown["kind"] == "air_monthly"
        assert "<svg" in shown["html"]
