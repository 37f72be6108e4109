"""Large batches take the bulk path (PostgreSQL: COPY into a staging table, then one upsert): same answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from tests.stack import Stack
from tests.support.monitoring import (
    client,
    create_station,
    monitoring_on_both_databases,  # noqa: F401 - the ``local`` fixture
)

START = datetime(2021, 6, 1, tzinfo=UTC)  # 08:00 in Beijing
PARAMETERS = ("so2", "no2", "co", "o3", "pm10", "pm25")


def rows(station: str, hours: range, value: Any) -> list[dict[str, Any]]:
    return [
        {"station": station, "parameter": p, "time": (START + timedelta(hours=h)).isoformat(), "value": value(h, i),
         "unit": "µg/m³"}
        for h in hours for i, p in enumerate(PARAMETERS)
    ]  # fmt: skip


async def stored(http: httpx.AsyncClient, station: str, parameter: str, hours: int) -> list[dict[str, Any]]:
    params: dict[str, str | int] = {"station": station, "parameter": parameter, "start": START.isoformat()}
    params["limit"] = 100_000
    params["end"] = (START + timedelta(hours=hours)).isoformat()
    answer = await http.get("/api/v1/monitoring/readings", params=params)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


async def test_a_large_batch_is_stored_updated_and_flagged_like_a_small_one(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http:
        a = (await create_station(http, "air_station"))["code"]
        # Five equal hours first, in a small batch; the large one continues the run (the sixth equal hour flags
        # the five stored before it), then varies.
        first = await http.post("/api/v1/monitoring/readings:batch", json=rows(a, range(5), lambda h, i: 7.0))
        assert first.json() == {"stored": 30, "rejected": []}
        batch = rows(a, range(5, 400), lambda h, i: 7.0 if h < 6 else 10.0 + (h * 7 + i) % 50)
        batch[65]["value"] = "not a number"  # pm25 of two hours
        batch[71]["time"] = "2021-06-32T00:00:00"
        answer = await http.post("/api/v1/monitoring/readings:batch", json=batch)
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert result["stored"] == len(batch) - 2
        assert [r["index"] for r in result["rejected"]] == [65, 71]
        so2 = await stored(http, a, "so2", 400)
        assert len(so2) == 400
        assert [r["auto_flags"] for r in so2[:7]] == ["constant"] * 6 + [""]
        assert so2[399]["value"] == 10.0 + (399 * 7) % 50
        # The same keys again with other values update in place (still one row per key).
        again = await http.post(
            "/api/v1/monitoring/readings:batch", json=rows(a, range(100, 400), lambda h, i: 1.0 + i)
        )
        assert again.json() == {"stored": 1800, "rejected": []}
        so2 = await stored(http, a, "so2", 400)
        assert len(so2) == 400
        assert {r["value"] for r in so2[100:]} == {1.0}
        latest = (await http.get("/api/v1/monitoring/latest", params={"station": a})).json()["items"]
        assert {(r["parameter"], r["value"]) for r in latest} == {(p, 1.0 + i) for i, p in enumerate(PARAMETERS)}
        reviews = (await http.get("/api/v1/monitoring/reviews", params={"station": a, "limit": 100})).json()
        # 400 hours from 08:00 Beijing on 2021-06-01: that day and 16 more.
        assert len(reviews["items"]) == 17
    async with local.runtime("monitoring").engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM reading WHERE station_code = :a"), {"a": a})).scalar()
    assert count == 2400 - 2
