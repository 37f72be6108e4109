"""Monitoring over HTTP on SQLite: calculators, stations, batch ingest, queries, review, exceedances, bulletins."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from services.monitoring.tables import Reading
from tests.stack import Stack
from tests.support.monitoring import (  # noqa: F401 - monitoring_on_both_databases: the ``local`` fixture
    basic,
    client,
    create_station,
    monitoring_on_both_databases,
    monitoring_only,
    station_body,
)

pytestmark = pytest.mark.integration


async def test_calculators(local: Stack) -> None:
    stack = local
    async with client(stack, "officer") as http:
        aqi = await http.post(
            "/api/v1/monitoring/calculations/aqi",
            json={"averaging": "24h", "on": "2021-06-01", "concentrations": {"pm25": 75, "pm10": 150, "so2": 10}},
        )
        assert aqi.status_code == 200, aqi.text
        assert aqi.json() | {"iaqi": None} == {
            "aqi": 100, "category": "良", "level": "二级", "primary_pollutants": ["pm10", "pm25"],
            "over_standard": [], "iaqi": None, "standard": "HJ 633-2012",
        }  # fmt: skip
        water = await http.post(
            "/api/v1/monitoring/calculations/water-class",
            json={"water_body": "river", "values": {"do": 4, "tn": 9, "cod": 18}},
        )
        assert water.json()["class"] == "IV"
        assert water.json()["worst_parameters"] == ["do"]
        assert water.json()["left_out"] == ["tn"]
        noise = await http.post(
            "/api/v1/monitoring/calculations/noise-grade", json={"kind": "road_traffic", "leq": 70.1}
        )
        assert noise.json() == {"grade": 3, "name": "三级 一般", "standard": "HJ 640-2012"}
        for bad in (
            {"averaging": "24h", "on": "2021-06-01", "concentrations": {"pm1": 3}},
            {"averaging": "24h", "on": "2021-06-01", "concentrations": {"o3_8h": 900}},
            {"averaging": "24h", "on": "1990-01-01", "concentrations": {"pm25": 3}},
            {"averaging": "8h", "on": "2021-06-01", "concentrations": {}},
        ):
            refused = await http.post("/api/v1/monitoring/calculations/aqi", json=bad)
            assert refused.status_code == 422, bad
            assert refused.headers["content-type"].startswith("application/problem+json")
    async with client(stack) as anonymous:
        assert (await anonymous.post("/api/v1/monitoring/calculations/aqi", json={})).status_code == 401


async def test_station_crud_with_roles_and_etags(local: Stack) -> None:
    stack = local
    async with client(stack, "monitoring_reviewer") as http:
        body = station_body(
            "pollution_source", password="secret-pw", emission_limits={"cod": {"limit": 50, "unit": "mg/L"}}
        )
        created = await http.post("/api/v1/monitoring/stations", json=body)
        assert created.status_code == 201, created.text
        assert "password" not in created.text
        assert (await http.post("/api/v1/monitoring/stations", json=body)).status_code == 409
        section = station_body("water_section")
        del section["target_class"]
        assert (await http.post("/api/v1/monitoring/stations", json=section)).status_code == 422
        read = await http.get(f"/api/v1/monitoring/stations/{body['code']}")
        update = {k: v for k, v in body.items() if k not in ("code", "kind", "password")} | {"name": "改名"}
        assert (await http.put(f"/api/v1/monitoring/stations/{body['code']}", json=update)).status_code == 428
        changed = await http.put(
            f"/api/v1/monitoring/stations/{body['code']}", json=update, headers={"If-Match": read.headers["etag"]}
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["version"] == 2
        stale = await http.put(
            f"/api/v1/monitoring/stations/{body['code']}", json=update, headers={"If-Match": read.headers["etag"]}
        )
        assert stale.status_code == 412
        listed = await http.get("/api/v1/monitoring/stations", params={"kind": "pollution_source"})
        assert [s["name"] for s in listed.json()["items"]] == ["改名"]
        gone = await http.delete(
            f"/api/v1/monitoring/stations/{body['code']}", headers={"If-Match": changed.headers["etag"]}
        )
        assert gone.status_code == 204
        row = {"station": body["code"], "parameter": "cod", "time": "2021-06-01T00:00:00+08:00", "value": 1}
        refused = await http.post("/api/v1/monitoring/readings:batch", json=[row])
        assert "deactivated" in refused.text
        assert (await http.get("/api/v1/monitoring/stations/NOPE")).status_code == 404
    async with client(stack, "officer") as officer:
        assert (await officer.post("/api/v1/monitoring/stations", json=station_body("air_station"))).status_code == 403


async def test_created_resources_point_to_themselves_with_their_etag(local: Stack) -> None:
    """A 201's Location is a GET route answering the same resource, with the ETag the create gave; an If-Match
    change answers the new ETag, which the next GET repeats."""
    async with client(local, "monitoring_reviewer") as http:
        created = await http.post("/api/v1/monitoring/stations", json=station_body("air_station"))
        built = await http.post(
            "/api/v1/monitoring/bulletins", json={"kind": "air_daily", "period_start": "2021-06-01"}
        )
        for answer in (created, built):
            assert answer.status_code == 201, answer.text
            found = await http.get(answer.headers["location"])
            assert found.status_code == 200, answer.headers["location"]
            assert found.json() == answer.json()
            assert found.headers["etag"] == answer.headers["etag"]
        location = built.headers["location"]
        published = await http.post(f"{location}:publish", headers={"If-Match": built.headers["etag"]})
        assert published.status_code == 200, published.text
        assert published.headers["etag"] != built.headers["etag"]
        assert (await http.get(location)).headers["etag"] == published.headers["etag"]


async def test_batch_of_ten_thousand_rows_reports_bad_rows_and_upserts(local: Stack) -> None:
    stack = local
    async with client(stack, "monitoring_reviewer") as http:
        station = await create_station(http, "air_station")
        start = datetime(2021, 5, 1, tzinfo=UTC)
        rows = [
            {"station": station["code"], "parameter": ["pm25", "pm10"][i % 2],
             "time": (start + timedelta(hours=i // 2)).isoformat(), "value": 30 + (i % 7), "unit": "µg/m³", "flag": "N"}
            for i in range(10_000)
        ]  # fmt: skip
        rows[3] = {**rows[3], "value": "abc"}
        rows[10] = {**rows[10], "station": "UNKNOWN"}
        rows[11] = {**rows[11], "parameter": "benzene"}
        rows[12] = {**rows[12], "time": "yesterday"}
        rows[13] = {**rows[13], "flag": "Z"}
        began = time.perf_counter()
        answer = await http.post("/api/v1/monitoring/readings:batch", json=rows)
        elapsed = time.perf_counter() - began
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert result["stored"] == 9_995
        assert [r["index"] for r in result["rejected"]] == [3, 10, 11, 12, 13]
        assert "not a number" in result["rejected"][0]["reason"]
        assert elapsed < 30
        rows[0] = {**rows[0], "value": 99.5}
        again = await http.post("/api/v1/monitoring/readings:batch", json=rows[:100])
        assert again.json()["stored"] == 95
    async with stack.runtime("monitoring").sessions() as session:
        total = (await session.execute(select(func.count()).select_from(Reading))).scalar_one()
        assert total == 9_995
        first = await session.get(Reading, (station["code"], "pm25", "hour", start))
        assert first is not None
        assert first.value == 99.5


async def test_csv_ingest_with_station_credentials(local: Stack) -> None:
    stack = local
    async with client(stack, "monitoring_reviewer") as http:
        own = await create_station(http, "water_section", password="pw-123456")
        other = await create_station(http, "water_section")
    text = "station,parameter,time,value,unit,flag\n" + "\n".join(
        [
            f"{own['code']},cod,2021-05-01T10:00:00+08:00,18.5,mg/L,N",
            f"{own['code']},nh3n,2021-05-01T10:00:00,0.4,mg/L,N",
            f"{other['code']},cod,2021-05-01T10:00:00+08:00,18.5,mg/L,N",
        ]
    )
    headers = {"Content-Type": "text/csv"}
    async with client(stack, headers=basic(own["code"], "pw-123456")) as station:
        answer = await station.post("/api/v1/monitoring/readings:batch", content=text.encode(), headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json()["stored"] == 2
        assert answer.json()["rejected"] == [
            {"index": 2, "reason": f"station {other['code']} is not the authenticated station"}
        ]
        bad = await station.post("/api/v1/monitoring/readings:batch", content=b"\xff\xfe", headers=headers)
        assert bad.status_code == 400
        none = await station.post("/api/v1/monitoring/readings:batch", json=[{"station": own["code"]}])
        assert none.status_code == 422
        assert (await station.post("/api/v1/monitoring/readings:batch", json={"a": 1})).status_code == 422
        xml = await station.post(
            "/api/v1/monitoring/readings:batch", content=b"<a/>", headers={"Content-Type": "application/xml"}
        )
        assert xml.status_code == 415
    async with client(stack, headers=basic(own["code"], "wrong-password")) as intruder:
        assert (await intruder.post("/api/v1/monitoring/readings:batch", json=[])).status_code == 401
    async with client(stack, "officer") as officer:
        assert (await officer.post("/api/v1/monitoring/readings:batch", json=[])).status_code == 403
