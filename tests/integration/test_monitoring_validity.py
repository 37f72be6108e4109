"""One rule for a valid value (domain.validity), seen through the API: a day a reviewer invalidated, and a value
the station flagged faulty, count in no read that computes from data — aggregations by hour, day and month, station
and town AQI, water class, noise, exceedances (detected and at ingest), bulletins — and latest values say so."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.stack import Stack
from tests.support.monitoring import client, create_station, hourly, monitoring_only

pytestmark = pytest.mark.integration

BAD = date(2021, 6, 1)  # the day the reviewer invalidates
GOOD = date(2021, 6, 2)
READINGS = "/api/v1/monitoring/readings"


@pytest.fixture(params=["sqlite", "postgres"])
async def local(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    """Both databases: the validity condition is SQL with a dialect-specific local day."""
    config = monitoring_only(tmp_path, hj212_enabled=False)
    if request.param == "postgres":
        config.database = "postgres"
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as stack:
        yield stack


async def ingest(http: httpx.AsyncClient, rows: list[dict[str, Any]]) -> None:
    answer = await http.post(f"{READINGS}:batch", json=rows)
    assert answer.status_code == 200, answer.text
    assert answer.json()["rejected"] == []


async def invalidate(http: httpx.AsyncClient, station: str, day: date) -> None:
    body = {"station": station, "day": day.isoformat(), "decision": "invalidate", "reason": "仪器故障"}
    answer = await http.post("/api/v1/monitoring/reviews", json=body)
    assert answer.status_code == 200, answer.text


def around(value: float, hours: int = 24) -> list[float]:
    """Values alternating ±1 around ``value`` (a constant series would be flagged as a stuck instrument)."""
    return [value + (1 if h % 2 else -1) for h in range(hours)]


def air(station: str, day: date, pm25: float) -> list[dict[str, Any]]:
    return hourly(station, "pm25", day, around(pm25)) + hourly(station, "pm10", day, around(60.0))


async def get(http: httpx.AsyncClient, path: str, **params: Any) -> Any:
    answer = await http.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_an_invalidated_day_and_a_faulty_value_count_nowhere(local: Stack) -> None:
    town = f"镇{uuid.uuid4().hex[:6]}"
    async with client(local, "monitoring_reviewer") as http:
        station = (await create_station(http, "air_station", town=town))["code"]
        # A polluted day (PM2.5 ≈ 200: IAQI > 100) that the reviewer throws out, then a clean one.
        good = air(station, GOOD, 40.0)
        good[23]["value"], good[23]["flag"] = 900.0, "D"  # the station's own fault flag on its newest pm25
        await ingest(http, air(station, BAD, 200.0) + good)
        await invalidate(http, station, BAD)

        span = {"station": station, "parameter": "pm25", "start": "2021-06-01T00:00:00+08:00"}
        span["end"] = "2021-06-03T00:00:00+08:00"
        days = (await get(http, READINGS, **span, aggregation="day"))["items"]
        assert [(d["period"], d["count"], d["max"]) for d in days] == [("2021-06-02", 23, 41.0)]
        hours = (await get(http, READINGS, **span, aggregation="hour"))["items"]
        assert len(hours) == 23
        assert all(h["period"].startswith("2021-06-02T") for h in hours)
        assert "2021-06-02T23:00" not in {h["period"] for h in hours}  # the faulty hour
        [month] = (await get(http, READINGS, **span, aggregation="month"))["items"]
        assert (month["period"], month["count"], month["max"]) == ("2021-06", 23, 41.0)
        exported = await http.get(READINGS, params=span | {"aggregation": "day", "format": "csv"})
        assert exported.text.splitlines()[1:] == ['"2021-06-02","39.9565","39.0","41.0","23"']
        assert len((await get(http, READINGS, **span))["items"]) == 48  # raw values are all kept

        bad_aqi = await get(http, f"/api/v1/monitoring/stations/{station}/aqi", on=BAD.isoformat())
        assert (bad_aqi["aqi"], bad_aqi["concentrations"], bad_aqi["hourly"]) == (None, {}, [])
        good_aqi = await get(http, f"/api/v1/monitoring/stations/{station}/aqi", on=GOOD.isoformat())
        assert good_aqi["concentrations"]["pm25"] == pytest.approx(39.9565, abs=1e-3)
        town_bad = await get(http, f"/api/v1/monitoring/towns/{town}/aqi", on=BAD.isoformat())
        assert (town_bad["stations"], town_bad["aqi"], town_bad["pm25"]) == (1, None, None)

        detected = await http.post("/api/v1/monitoring/exceedances:detect", json={"period": "day", "on": "2021-06-01"})
        assert detected.json() == {"detected": 0}
        assert (await get(http, "/api/v1/monitoring/exceedances", station=station))["items"] == []

        built = await http.post(
            "/api/v1/monitoring/bulletins", json={"kind": "air_daily", "period_start": "2021-06-01"}
        )
        assert built.status_code == 201, built.text
        assert town not in {t["town"] for t in built.json()["content"]["towns"]}

        latest = {x["parameter"]: x for x in (await get(http, "/api/v1/monitoring/latest", station=station))["items"]}
        assert (latest["pm25"]["value"], latest["pm25"]["valid"]) == (900.0, False)  # flagged D by the station
        assert latest["pm10"]["valid"] is True

        # A station whose newest data lies on the invalidated day: its latest values are not valid.
        other = (await create_station(http, "air_station", town=town))["code"]
        await ingest(http, air(other, BAD, 30.0))
        await invalidate(http, other, BAD)
        assert {x["valid"] for x in (await get(http, "/api/v1/monitoring/latest", station=other))["items"]} == {False}


async def test_invalidated_days_leave_water_noise_and_source_limits(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http:
        section = (await create_station(http, "water_section"))["code"]
        noise = (await create_station(http, "noise_point", noise_kind="regional"))["code"]
        limits = {"cod": {"limit": 50, "unit": "mg/L"}}
        source = (await create_station(http, "pollution_source", emission_limits=limits, parameters=["cod"]))["code"]
        water = [
            {"station": section, "parameter": p, "time": "2021-06-01T09:00:00+08:00", "value": v, "unit": "mg/L"}
            for p, v in {"cod": 25.0, "nh3n": 0.4, "do": 6.5, "tp": 0.1}.items()
        ]
        await ingest(http, water + hourly(noise, "leq", BAD, around(56.0)) + hourly(source, "cod", BAD, [40.0]))
        for code in (section, noise, source):
            await invalidate(http, code, BAD)

        month = await get(http, f"/api/v1/monitoring/stations/{section}/water-class", month="2021-06")
        assert (month["class"], month["means"], month["valid_days"]) == (None, {}, 0)
        detected = await http.post(
            "/api/v1/monitoring/exceedances:detect", json={"period": "month", "on": "2021-06-01"}
        )
        assert detected.json() == {"detected": 0}
        graded = await get(http, f"/api/v1/monitoring/stations/{noise}/noise", on=BAD.isoformat())
        assert (graded["daytime_leq"], graded["grade"]) == (None, None)

        # New data on an invalidated day is stored, but stays invalid: a value over the limit is no exceedance …
        await ingest(http, [{"station": source, "parameter": "cod", "time": "2021-06-01T05:00:00+08:00",
                             "value": 70.0, "unit": "mg/L"}])  # fmt: skip
        # … while the same value on a day still counting is one.
        await ingest(http, [{"station": source, "parameter": "cod", "time": "2021-06-02T05:00:00+08:00",
                             "value": 70.0, "unit": "mg/L"}])  # fmt: skip
        found = (await get(http, "/api/v1/monitoring/exceedances", station=source))["items"]
        assert [(e["period_start"][:13], e["value"]) for e in found] == [("2021-06-01T21", 70.0)]
