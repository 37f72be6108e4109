"""The open monitoring API (/public/v1/monitoring) without a token: ambient stations only, reviewed data only in
series and aggregates, cursor paging without repeats, CSV, ETag/304, and bad input answered 422. On SQLite and
PostgreSQL (the confirmed-day condition is dialect-specific SQL)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.monitoring.schemas import OpenReadingList
from tests.stack import Stack
from tests.support.monitoring import client, create_station, hourly, monitoring_only

pytestmark = pytest.mark.integration

OPEN = "/public/v1/monitoring"
DAY, NEXT = date(2021, 6, 1), date(2021, 6, 2)
SERIES = {"start": "2021-06-01T00:00:00+08:00", "end": "2021-06-03T00:00:00+08:00", "parameter": "pm25"}


@pytest.fixture(params=["sqlite", "postgres"])
async def local(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    config = monitoring_only(tmp_path, hj212_enabled=False, bulletin_schedule_enabled=False)
    if request.param == "postgres":
        config.database = "postgres"
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as stack:
        yield stack


def around(value: float) -> list[float]:
    return [value + (1 if h % 2 else -1) for h in range(24)]


async def ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


async def review(http: httpx.AsyncClient, station: str, day: date) -> None:
    body = {"station": station, "day": day.isoformat(), "decision": "confirm", "reason": "数据正常"}
    await ok(await http.post("/api/v1/monitoring/reviews", json=body))


async def ingest(http: httpx.AsyncClient, rows: list[dict[str, Any]]) -> None:
    await ok(await http.post("/api/v1/monitoring/readings:batch", json=rows))


async def test_stations_are_listed_without_sources_and_paged(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as staff, client(local) as anyone:
        air = (await create_station(staff, "air_station", latitude=39.14, longitude=117.01))["code"]
        section = (await create_station(staff, "water_section"))["code"]
        source = (await create_station(staff, "pollution_source"))["code"]

        first = await ok(await anyone.get(f"{OPEN}/stations", params={"limit": 1}))
        second = await ok(await anyone.get(f"{OPEN}/stations", params={"limit": 1, "cursor": first["next_cursor"]}))
        assert [s["code"] for s in first["items"] + second["items"]] == sorted([air, section])
        assert second["next_cursor"] is None
        station = await ok(await anyone.get(f"{OPEN}/stations/{air}"))
        assert (station["kind"], station["latitude"], station["longitude"]) == ("air_station", 39.14, 117.01)
        assert {"emission_limits", "id", "password_hash"}.isdisjoint(station)
        sections = await ok(await anyone.get(f"{OPEN}/stations", params={"kind": "water_section"}))
        assert [s["code"] for s in sections["items"]] == [section]
        assert (await anyone.get(f"{OPEN}/stations/{source}")).status_code == 404  # like a code naming nothing
        assert (await anyone.get(f"{OPEN}/stations", params={"kind": "pollution_source"})).status_code == 422
        assert (await anyone.get(f"{OPEN}/stations", params={"cursor": "not-a-cursor"})).status_code == 422


async def test_series_and_daily_aqi_hold_reviewed_days_only(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as staff, client(local) as anyone:
        air = (await create_station(staff, "air_station"))["code"]
        faulty = hourly(air, "pm25", DAY, around(40.0))
        faulty[5]["flag"] = "D"
        await ingest(staff, faulty + hourly(air, "pm10", DAY, around(60.0)) + hourly(air, "pm25", NEXT, around(50.0)))
        path = f"{OPEN}/stations/{air}/readings"
        assert (await ok(await anyone.get(path, params=SERIES)))["items"] == []  # nothing reviewed yet
        await review(staff, air, DAY)

        pages, cursor = [], None
        while True:
            page = await ok(
                await anyone.get(path, params=SERIES | {"limit": 10} | ({"cursor": cursor} if cursor else {}))
            )
            assert OpenReadingList.model_validate(page).reviewed_only is True  # the documented shape
            pages += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(pages) == 24  # the confirmed day's PM2.5; the pending next day is not published
        assert len({p["time"] for p in pages}) == 24
        assert [p["time"] for p in pages] == sorted(p["time"] for p in pages)
        assert [p["valid"] for p in pages].count(False) == 1
        assert {(p["unit"], p["interval"]) for p in pages} == {("µg/m³", "hour")}
        both = await ok(await anyone.get(path, params={k: v for k, v in SERIES.items() if k != "parameter"}))
        assert {p["parameter"] for p in both["items"]} == {"pm25", "pm10"}

        exported = await anyone.get(path, params=SERIES | {"format": "csv", "limit": 20})
        assert exported.headers["content-type"].startswith("text/csv")
        table = list(csv.reader(io.StringIO(exported.text)))
        assert table[0][:3] == ["station", "parameter", "interval"]
        assert len(table) == 21
        assert 'rel="next"' in exported.headers["link"]

        daily = await ok(await anyone.get(f"{OPEN}/stations/{air}/aqi/daily", params={"start": DAY, "end": NEXT}))
        # PM2.5 40 → 50 + 5·50/40 = 56.25 → 57; PM10 60 → 55 (the flagged hour leaves 23 valid hours, ≥ 20).
        assert [(d["day"], d["aqi"], d["primary_pollutants"]) for d in daily["items"]] == [("2021-06-01", 57, ["pm25"])]
        latest = await ok(await anyone.get(f"{OPEN}/stations/{air}/latest"))
        assert {(i["parameter"], i["reviewed"]) for i in latest["items"]} == {("pm25", False), ("pm10", True)}
        assert "未经审核" in latest["notice"]


async def test_water_months_wait_for_every_day_to_be_reviewed(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as staff, client(local) as anyone:
        section = (await create_station(staff, "water_section"))["code"]
        rows = [
            {"station": section, "parameter": parameter, "time": f"2021-06-{day:02d}T09:00:00+08:00", "value": value}
            for day in (5, 6)
            for parameter, value in (("cod", 12.0 + day), ("nh3n", 0.4))
        ]
        await ingest(staff, rows)
        path = f"{OPEN}/stations/{section}/water-class/monthly"
        await review(staff, section, date(2021, 6, 5))
        assert (await ok(await anyone.get(path, params={"year": 2021})))["items"] == []  # the 6th is pending
        await review(staff, section, date(2021, 6, 6))
        months = await ok(await anyone.get(path, params={"year": 2021}))
        # COD mean (17 + 18)/2 = 17.5 ≤ 20 → III; NH3-N 0.4 ≤ 0.5 → II: class III, set by COD.
        assert [(m["month"], m["class"], m["worst_parameters"]) for m in months["items"]] == [
            ("2021-06", "III", ["cod"])
        ]
        assert months["target_class"] == "III"
        air_path = f"{OPEN}/stations/{section}/aqi/daily"
        assert (await anyone.get(air_path, params={"start": DAY, "end": DAY})).status_code == 422


async def test_answers_carry_etags_and_bad_input_is_a_422(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as staff, client(local) as anyone:
        air = (await create_station(staff, "air_station"))["code"]
        first = await anyone.get(f"{OPEN}/stations/{air}")
        assert first.headers["cache-control"].startswith("public, max-age=")
        again = await anyone.get(f"{OPEN}/stations/{air}", headers={"If-None-Match": first.headers["etag"]})
        assert (again.status_code, again.content) == (304, b"")
        path = f"{OPEN}/stations/{air}/readings"
        for params in (
            SERIES | {"end": SERIES["start"]},  # empty range
            SERIES | {"start": "2021-06-01T00:00:00"},  # no offset
            SERIES | {"limit": 1001},  # above the page size
            SERIES | {"cursor": "e30"},  # a cursor of another list
            SERIES | {"interval": "week"},
        ):
            answer = await anyone.get(path, params=params)
            assert answer.status_code == 422, (params, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
        daily = f"{OPEN}/stations/{air}/aqi/daily"
        assert (await anyone.get(daily, params={"start": "2021-01-01", "end": "2022-06-01"})).status_code == 422
        water = f"{OPEN}/stations/{air}/water-class/monthly"
        assert (await anyone.get(water, params={"year": 99999})).status_code == 422
