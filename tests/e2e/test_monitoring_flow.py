"""Through the gateway on a real socket: a month of hourly data (gaps, faulty flags) → review → AQI and water class
→ an exceedance becomes a lead in cases → a bulletin is published and shows in disclosure's public API."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.embedded import EmbeddedServer
from tests.stack import eventually

pytestmark = pytest.mark.e2e

JUNE = [date(2021, 6, d) for d in range(1, 31)]
AIR = {"so2": 8.0, "no2": 30.0, "co": 0.6, "o3": 80.0, "pm10": 70.0, "pm25": 40.0}


def month_of_air(station: str, pm25: float, *, faulty_day: date, missing_day: date) -> list[dict[str, Any]]:
    """Hourly values ±small wiggle; hours 3–4 missing every fifth day; one day all 'D'; one day absent."""
    rows = []
    for day in JUNE:
        if day == missing_day:
            continue
        for hour in range(24):
            if day.day % 5 == 0 and hour in (3, 4):
                continue
            moment = datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=8)
            wiggle = (hour % 3) - 1
            for parameter, base in AIR.items():
                value = pm25 if parameter == "pm25" else base
                rows.append({
                    "station": station, "parameter": parameter, "time": moment.isoformat(),
                    "value": round(value + wiggle * (0.1 if parameter == "co" else 1), 2),
                    "flag": "D" if day == faulty_day else "N",
                })  # fmt: skip
    return rows


async def post_batches(http: httpx.AsyncClient, rows: list[dict[str, Any]]) -> int:
    stored = 0
    for start in range(0, len(rows), 10_000):
        answer = await http.post("/api/v1/monitoring/readings:batch", json=rows[start : start + 10_000])
        assert answer.status_code == 200, answer.text
        assert answer.json()["rejected"] == []
        stored += answer.json()["stored"]
    return stored


async def station(http: httpx.AsyncClient, kind: str, town: str, **fields: Any) -> str:
    code = f"E2E{uuid.uuid4().hex[:8].upper()}"
    body = {"code": code, "kind": kind, "name": f"{town}站", "town": town, "level": "district", **fields}
    answer = await http.post("/api/v1/monitoring/stations", json=body)
    assert answer.status_code == 201, answer.text
    return code


async def test_a_month_of_monitoring_through_the_gateway(embedded: EmbeddedServer) -> None:
    async with embedded.client(embedded.staff_token("monitoring_reviewer", "head")) as http:
        clean = await station(http, "air_station", "中北镇")
        dirty = await station(http, "air_station", "杨柳青镇")
        section = await station(http, "water_section", "杨柳青镇", water_body="river", target_class="II")
        rows = month_of_air(clean, 30.0, faulty_day=JUNE[9], missing_day=JUNE[20])
        rows += month_of_air(dirty, 90.0, faulty_day=JUNE[14], missing_day=JUNE[2])
        for day in JUNE[::7]:  # weekly manual samples of the section: COD class III, worse than its target II
            rows.append({"station": section, "parameter": "cod", "time": f"{day}T09:00:00+08:00", "value": 18.0})
        assert await post_batches(http, rows) == len(rows)

        faulty = (await http.get(f"/api/v1/monitoring/stations/{clean}/aqi", params={"on": "2021-06-10"})).json()
        assert faulty["aqi"] is None  # every hour flagged D: no valid daily value
        gappy = (await http.get(f"/api/v1/monitoring/stations/{clean}/aqi", params={"on": "2021-06-05"})).json()
        assert gappy["aqi"] is not None  # 22 valid hours are enough
        clean_days = (await http.get("/api/v1/monitoring/reviews", params={"station": clean, "limit": 100})).json()
        by_day = {i["day"]: (i["readings"], i["flagged"]) for i in clean_days["items"]}
        assert by_day["2021-06-10"] == (132, 132)  # 22 hours × 6 pollutants, all flagged D: the reviewer sees why
        assert by_day["2021-06-11"] == (144, 0)
        queue = (await http.get("/api/v1/monitoring/reviews", params={"station": dirty, "limit": 100})).json()
        assert len(queue["items"]) == 29  # one day never arrived
        for item in queue["items"][:5]:
            review = await http.post("/api/v1/monitoring/reviews", json={
                "station": dirty, "day": item["day"], "decision": "confirm", "reason": "自动监测数据审核通过",
            })  # fmt: skip
            assert review.status_code == 200, review.text
        await http.post("/api/v1/monitoring/reviews", json={
            "station": clean, "day": "2021-06-11", "decision": "invalidate", "reason": "采样管路堵塞",
        })  # fmt: skip
        water = (
            await http.get(f"/api/v1/monitoring/stations/{section}/water-class", params={"month": "2021-06"})
        ).json()
        assert (water["class"], water["target_class"]) == ("III", "II")
        detected = await http.post(
            "/api/v1/monitoring/exceedances:detect", json={"period": "month", "on": "2021-06-01"}
        )
        assert detected.json() == {"detected": 1}

        async def leads() -> list[dict[str, Any]]:
            answer = await http.get("/api/v1/cases/leads", params={"source": "monitoring", "limit": 100})
            return [
                lead
                for lead in answer.json()["items"]
                if (lead["details"] or {}).get("station_code") in (dirty, section)
            ]

        found = await eventually(leads)
        assert {lead["details"]["station_code"] for lead in found} >= {dirty}  # PM2.5 90 on confirmed days: IAQI > 100

        built = await http.post(
            "/api/v1/monitoring/bulletins", json={"kind": "air_monthly", "period_start": "2021-06-01"}
        )
        assert built.status_code == 201, built.text
        towns = built.json()["content"]["towns"]
        assert [t["town"] for t in towns][:1] == ["中北镇"]
        assert towns[0]["good_days_share"] == 1.0
        published = await http.post(
            f"/api/v1/monitoring/bulletins/{built.json()['id']}:publish", headers={"If-Match": built.headers["etag"]}
        )
        assert published.status_code == 200, published.text

    async with embedded.client() as public:

        async def shown() -> dict[str, Any] | None:
            answer = await public.get(f"/public/v1/bulletins/{built.json()['id']}")
            return dict(answer.json()) if answer.status_code == 200 else None

        bulletin = await eventually(shown)
        assert "空气质量月报" in bulletin["title"]
        assert "<svg" in bulletin["html"]
        assert (await public.post("/api/v1/monitoring/readings:batch", json=[])).status_code == 401
