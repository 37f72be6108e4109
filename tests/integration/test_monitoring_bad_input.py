"""Bad input to every monitoring entry point is a 4xx problem, never a 500, and stores nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select

from services.monitoring.tables import Reading
from shared.http import encode_cursor
from tests.stack import Stack
from tests.support.monitoring import client, create_station, monitoring_only

pytestmark = pytest.mark.integration

HUGE = "1" + "0" * 400


@pytest.fixture
async def local(tmp_path: Path) -> AsyncIterator[Stack]:
    async with Stack(monitoring_only(tmp_path, hj212_enabled=False)) as stack:
        yield stack


POSTS: list[tuple[str, Any]] = [
    ("/api/v1/monitoring/calculations/aqi", {"averaging": "24h", "on": "2021-06-01", "concentrations": {"pm25": "x"}}),
    ("/api/v1/monitoring/calculations/aqi", {"averaging": "1h", "on": "2021-02-30", "concentrations": {}}),
    ("/api/v1/monitoring/calculations/aqi", {"averaging": "1h", "on": "2021-06-01", "concentrations": {"co": -1}}),
    ("/api/v1/monitoring/calculations/water-class", {"water_body": "sea", "values": {}}),
    ("/api/v1/monitoring/calculations/water-class", {"water_body": "lake", "values": {"ph": 7}, "on": "1999-01-01"}),
    (
        "/api/v1/monitoring/stations",
        {"code": "含中文", "kind": "air_station", "name": "x", "town": "t", "level": "district"},
    ),
    ("/api/v1/monitoring/stations", {"code": "A1", "kind": "air_station", "name": "x", "town": "t", "level": "x"}),
    ("/api/v1/monitoring/stations", [1, 2]),
    ("/api/v1/monitoring/reviews", {"station": "A1", "day": "2021-13-01", "decision": "confirm", "reason": "r"}),
    ("/api/v1/monitoring/reviews", {"station": "NOPE", "day": "2021-01-01", "decision": "confirm", "reason": "r"}),
    ("/api/v1/monitoring/bulletins", {"kind": "air_monthly", "period_start": "2021-06-02"}),
    ("/api/v1/monitoring/bulletins", {"kind": "water_monthly", "period_start": "1990-01-01"}),
    ("/api/v1/monitoring/exceedances:detect", {"period": "year", "on": "2021-01-01"}),
    ("/api/v1/monitoring/exceedances:detect", {"period": "day", "on": "1990-01-01"}),
]


async def test_bad_bodies_are_problems(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http:
        for path, body in POSTS:
            answer = await http.post(path, json=body)
            assert 400 <= answer.status_code < 500, (path, body, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")


async def test_bad_queries_are_problems(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http:
        code = (await create_station(http, "air_station"))["code"]
        for path, params in [
            ("/api/v1/monitoring/readings", {"station": code, "parameter": "pm25", "start": "x", "end": "y"}),
            ("/api/v1/monitoring/readings", {"station": code, "parameter": "pm25",
                                             "start": "2021-01-01T00:00:00", "end": "2021-01-02T00:00:00"}),
            ("/api/v1/monitoring/readings", {"station": code, "parameter": "pm25", "start": "2021-01-01T00:00:00Z",
                                             "end": "2021-01-02T00:00:00Z", "aggregation": "week"}),
            (f"/api/v1/monitoring/stations/{code}/aqi", {"on": "1990-01-01"}),
            (f"/api/v1/monitoring/stations/{code}/water-class", {"month": "2021-13"}),
            ("/api/v1/monitoring/reviews", {"cursor": "!!!"}),
            ("/api/v1/monitoring/reviews", {"cursor": encode_cursor({"x": 1})}),
            ("/api/v1/monitoring/exceedances", {"cursor": encode_cursor({"period_start": "soon", "id": 1})}),
            ("/api/v1/monitoring/bulletins", {"cursor": encode_cursor({"id": "x"})}),
            ("/api/v1/monitoring/towns/x/aqi", {"on": "1980-01-01"}),
        ]:  # fmt: skip
            answer = await http.get(path, params=params)
            assert 400 <= answer.status_code < 500, (path, params, answer.text)


async def test_bad_batches_store_nothing(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http:
        code = (await create_station(http, "air_station"))["code"]
        row = {"station": code, "parameter": "pm25", "time": "2021-06-01T00:00:00+08:00"}
        for content, media in [
            (b"[" + b"1," * 5 + b"]", "application/json"),
            (b'[{"station": "x", "value": ' + HUGE.encode() + b"}]", "application/json"),
            (b"station,parameter,time,value\n\x00,\x00,\x00,\x00\n", "text/csv"),
            (b"a,b\n1,2\n", "text/csv"),
            (b"{}", "application/json"),
            (b"[", "application/json"),
        ]:
            answer = await http.post(
                "/api/v1/monitoring/readings:batch", content=content, headers={"Content-Type": media}
            )
            assert 400 <= answer.status_code < 500, (content[:40], answer.text)
        old = await http.post(
            "/api/v1/monitoring/readings:batch", json=[row | {"time": "1990-01-01T00:00:00", "value": 1}]
        )
        assert old.status_code == 422
        assert "no data-validity rules" in old.text
        too_many = await http.post("/api/v1/monitoring/readings:batch", json=[row | {"value": 1}] * 50_001)
        assert too_many.status_code == 413
    async with local.runtime("monitoring").sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Reading))).scalar_one() == 0


async def test_days_at_the_ends_of_the_calendar_are_problems(local: Stack) -> None:
    """Found by API fuzzing: year 0 and the first and last days of the calendar overflowed into a 500."""
    async with client(local, "monitoring_reviewer") as http:
        air = (await create_station(http, "air_station"))["code"]
        water = (await create_station(http, "water_section"))["code"]
        noise = (await create_station(http, "noise_point"))["code"]
        gets = [(f"/api/v1/monitoring/stations/{water}/water-class", {"month": m}) for m in ("0000-01", "9999-12")]
        for day in ("0001-01-01", "9999-12-31"):
            gets += [
                (f"/api/v1/monitoring/stations/{air}/aqi", {"on": day}),
                (f"/api/v1/monitoring/stations/{noise}/noise", {"on": day}),
                ("/api/v1/monitoring/towns/t/aqi", {"on": day}),
                ("/api/v1/monitoring/exceedances", {"since": day}),
            ]
        for path, params in gets:
            answer = await http.get(path, params=params)
            assert answer.status_code == 422, (path, params, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
        for kind, start in [("air_daily", "0001-01-01"), ("air_weekly", "9999-12-27"),
                            ("air_monthly", "9999-12-01"), ("water_monthly", "0001-02-01")]:  # fmt: skip
            answer = await http.post("/api/v1/monitoring/bulletins", json={"kind": kind, "period_start": start})
            assert answer.status_code == 422, (kind, start, answer.text)
        detect = await http.post("/api/v1/monitoring/exceedances:detect", json={"period": "month", "on": "9999-12-31"})
        assert detect.status_code == 422, detect.text


async def test_readings_document_their_csv_answer(local: Stack) -> None:
    """Found by API fuzzing: ``format=csv`` answers text/csv, which was not documented."""
    document = local.apps["monitoring"].openapi()
    answers = document["paths"]["/api/v1/monitoring/readings"]["get"]["responses"]["200"]["content"]
    assert set(answers) == {"application/json", "text/csv"}
