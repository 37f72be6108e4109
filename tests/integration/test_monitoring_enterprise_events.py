"""An enterprise's value above the permit limit in force opens an enforcement lead (线索) in cases, through the
exceedance event, on both databases and both transports; the lead names the outlet's station and the limit."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.stack import Stack, eventually
from tests.support.monitoring import basic, client, create_station, outbox

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "stack", [("sqlite", "inprocess"), ("postgres", "kafka")], ids=["sqlite-inprocess", "postgres-kafka"], indirect=True
)
async def test_an_enterprise_exceedance_becomes_a_lead(stack: Stack) -> None:
    code = f"E{uuid.uuid4().hex[:10].upper()}"
    async with client(stack, "monitoring_reviewer") as staff, client(stack) as outlet_station:
        station = (await create_station(staff, "pollution_source", password="outlet-pw", parameters=["nh3n"]))["code"]
        body = {"code": code, "name": "天津某食品有限公司", "town": "张家窝镇", "industry": "食品制造业"}
        assert (await staff.post("/api/v1/monitoring/enterprises", json=body)).status_code == 201
        limits = [
            {"parameter": "nh3n", "limit": 8, "unit": "mg/L", "valid_from": "2021-01-01", "valid_to": "2021-05-31"},
            {"parameter": "nh3n", "limit": 5, "unit": "mg/L", "valid_from": "2021-06-01"},
        ]
        outlet = {"code": "DW001", "name": "废水总排口", "medium": "water", "station_code": station,
                  "frequency": "hour", "limits": limits}  # fmt: skip
        assert (await staff.post(f"/api/v1/monitoring/enterprises/{code}/outlets", json=outlet)).status_code == 201
        rows = [
            {"station": station, "parameter": "nh3n", "time": "2021-05-31T10:00:00+08:00", "value": 6.5},  # ≤ 8
            {"station": station, "parameter": "nh3n", "time": "2021-06-01T10:00:00+08:00", "value": 6.5},  # > 5
        ]
        pushed = await outlet_station.post(
            "/api/v1/monitoring/readings:batch", json=rows, headers=basic(station, "outlet-pw")
        )
        assert pushed.status_code == 200, pushed.text
    monitoring = stack.runtime("monitoring")

    async def published() -> list[dict[str, Any]]:
        events = await outbox(monitoring, "monitoring.exceedance.detected.v1")
        mine = [e for e in events if e["data"]["station_code"] == station]
        return mine if mine and all(e["published"] for e in mine) else []

    [event] = await eventually(published)
    assert (event["data"]["value"], event["data"]["limit"]) == (6.5, 5.0)
    assert event["data"]["period_start"].startswith("2021-06-01T02:00:00")

    async with stack.client("cases", "head") as cases:

        async def lead() -> list[dict[str, Any]]:
            answer = await cases.get("/api/v1/cases/leads", params={"source": "monitoring", "limit": 100})
            return [x for x in answer.json()["items"] if x["exceedance_id"] == event["data"]["exceedance_id"]]

        [found] = await eventually(lead)
        assert station in found["summary"]
