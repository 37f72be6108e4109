"""Stored data → review → AQI, water class, noise; exceedances exactly once; queries; bulletins with charts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.audit import history
from tests.infra import PostgresServer
from tests.stack import Stack
from tests.support.monitoring import client, create_station, hourly, monitoring_only, outbox

pytestmark = pytest.mark.integration

DAY = date(2021, 6, 1)
EXCEEDED = "monitoring.exceedance.detected.v1"


@pytest.fixture(params=["sqlite", "postgres"])
async def local(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    """The data paths run on both databases: the aggregation SQL and the upserts are dialect-specific."""
    config = monitoring_only(tmp_path, hj212_enabled=False)
    if request.param == "postgres":
        config.database = "postgres"
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as stack:
        yield stack


@pytest.fixture
async def pg_local(postgres: PostgresServer, tmp_path: Path) -> AsyncIterator[Stack]:
    """PostgreSQL only: the query plan that matters at volume."""
    config = monitoring_only(tmp_path, hj212_enabled=False)
    config.database = "postgres"
    config.postgres = postgres
    async with Stack(config) as stack:
        yield stack


async def ingest(http: httpx.AsyncClient, rows: list[dict[str, Any]]) -> dict[str, Any]:
    answer = await http.post("/api/v1/monitoring/readings:batch", json=rows)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def around(value: float, hours: int) -> list[float]:
    """Values alternating ±1 around ``value`` (a constant series would be flagged as a stuck instrument)."""
    return [value + (1 if h % 2 else -1) for h in range(hours)]


def air_day(station: str, pm25: float, hours: int = 24) -> list[dict[str, Any]]:
    rows = hourly(station, "pm25", DAY, around(pm25, hours)) + hourly(station, "pm10", DAY, around(60.0, hours))
    return rows + hourly(station, "o3", DAY, [90.0 + h for h in range(hours)])


async def test_air_review_aqi_and_exceedance_once(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http:
        a = (await create_station(http, "air_station", town="杨柳青镇"))["code"]
        b = (await create_station(http, "air_station", town="杨柳青镇"))["code"]
        c = (await create_station(http, "air_station", town="中北镇"))["code"]
        partial_day = air_day(c, 40.0, hours=19)
        partial_day[0]["flag"] = "D"
        await ingest(http, air_day(a, 80.0) + air_day(b, 30.0) + partial_day)
        # PM2.5 80 → IAQI 50/40 × 5 + 100 = 106.25 → 107 (rounded up)
        daily = (await http.get(f"/api/v1/monitoring/stations/{a}/aqi", params={"on": "2021-06-01"})).json()
        assert (daily["aqi"], daily["category"], daily["primary_pollutants"]) == (107, "轻度污染", ["pm25"])
        assert daily["concentrations"]["o3_8h"] == 109.5  # hours 16–23: mean of 106…113
        assert len(daily["hourly"]) == 24
        partial = (await http.get(f"/api/v1/monitoring/stations/{c}/aqi", params={"on": "2021-06-01"})).json()
        assert partial["aqi"] is None  # 19 hours: no valid 24h mean
        queue = (await http.get("/api/v1/monitoring/reviews", params={"limit": 2})).json()
        assert len(queue["items"]) == 2
        rest = (await http.get("/api/v1/monitoring/reviews", params={"cursor": queue["next_cursor"]})).json()
        waiting = {i["station_code"]: i for i in queue["items"] + rest["items"]}
        assert set(waiting) >= {a, b, c}
        assert (waiting[a]["readings"], waiting[a]["flagged"]) == (72, 0)
        assert (waiting[c]["readings"], waiting[c]["flagged"]) == (57, 1)

        invalidated = await http.post(
            "/api/v1/monitoring/reviews",
            json={"station": b, "day": "2021-06-01", "decision": "invalidate", "reason": "仪器故障"},
        )
        assert invalidated.json()["status"] == "invalidated"
        gone = (await http.get(f"/api/v1/monitoring/stations/{b}/aqi", params={"on": "2021-06-01"})).json()
        assert gone["aqi"] is None
        town = (await http.get("/api/v1/monitoring/towns/杨柳青镇/aqi", params={"on": "2021-06-01"})).json()
        assert town["aqi"] == 107  # only station A's valid day counts
        assert len(town["hourly"]) == 24
        for _ in range(2):
            confirmed = await http.post(
                "/api/v1/monitoring/reviews",
                json={"station": a, "day": "2021-06-01", "decision": "confirm", "reason": "数据正常"},
            )
            assert confirmed.status_code == 200, confirmed.text
        detect = await http.post("/api/v1/monitoring/exceedances:detect", json={"period": "day", "on": "2021-06-01"})
        assert detect.json() == {"detected": 0}
        await ingest(http, air_day(a, 80.0)[:2])  # late data on a confirmed day: back to the queue
        again = (await http.get("/api/v1/monitoring/reviews", params={"station": a})).json()["items"]
        assert [(i["day"], i["status"]) for i in again] == [("2021-06-01", "pending")]
        kept = (await http.get("/api/v1/monitoring/reviews", params={"station": b, "status": "invalidated"})).json()
        assert len(kept["items"]) == 1
        nothing = await http.post(
            "/api/v1/monitoring/reviews",
            json={"station": a, "day": "2020-01-01", "decision": "confirm", "reason": "x"},
        )
        assert nothing.status_code == 409
    async with local.runtime("monitoring").sessions() as session:
        trail = await history(session, entity_type="day_review", entity_id=f"{b}/2021-06-01")
        assert [(e.action, json.loads(e.data)["reason"]) for e in trail] == [("invalidated", "仪器故障")]
    events = await outbox(local.runtime("monitoring"), EXCEEDED)
    assert len(events) == 1
    data = events[0]["data"]
    assert (data["station_code"], data["parameter"], data["value"], data["limit"]) == (a, "pm25", 80.0, 75.0)
    assert data["period_start"].startswith("2021-05-31T16:00:00")
    async with client(local, "officer") as officer:
        assert (await officer.post("/api/v1/monitoring/reviews", json={})).status_code in (403, 422)


async def test_water_month_source_limits_and_noise(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http:
        section = (await create_station(http, "water_section"))["code"]
        source = await create_station(
            http, "pollution_source", emission_limits={"cod": {"limit": 50, "unit": "mg/L"}}, parameters=["cod"]
        )
        noise = (await create_station(http, "noise_point", noise_kind="regional"))["code"]
        rows = [
            {"station": section, "parameter": p, "time": "2021-06-05T09:00:00+08:00", "value": v, "unit": "mg/L"}
            for p, v in {"cod": 25.0, "nh3n": 0.4, "do": 6.5, "tp": 0.1}.items()
        ]
        await ingest(http, rows)
        month = (
            await http.get(f"/api/v1/monitoring/stations/{section}/water-class", params={"month": "2021-06"})
        ).json()
        assert (month["class"], month["worst_parameters"]) == ("IV", ["cod"])
        detect = {"period": "month", "on": "2021-06-15"}
        concurrent = await asyncio.gather(
            *(http.post("/api/v1/monitoring/exceedances:detect", json=detect) for _ in range(3))
        )
        assert sorted(r.json()["detected"] for r in concurrent) == [0, 0, 1]  # the unique key lets one through
        source_rows = hourly(source["code"], "cod", DAY, [40.0, 60.0, 70.0])
        for _ in range(2):  # the same hours again: updated, never announced twice
            await ingest(http, source_rows)
        leq = hourly(noise, "leq", DAY, around(50.0, 6) + [55.5, 56.5] * 8 + [45.0, 46.0])
        await ingest(http, leq)
        graded = (await http.get(f"/api/v1/monitoring/stations/{noise}/noise", params={"on": "2021-06-01"})).json()
        assert graded == {"station": noise, "day": "2021-06-01", "daytime_leq": 56.0, "grade": "三级 一般"}
        page = (await http.get("/api/v1/monitoring/exceedances", params={"limit": 2})).json()
        rest = (await http.get("/api/v1/monitoring/exceedances", params={"cursor": page["next_cursor"]})).json()
        assert rest["next_cursor"] is None
        listed = page["items"] + rest["items"]
        assert sorted((e["station_code"], e["parameter"]) for e in listed) == sorted(
            [(section, "cod"), (source["code"], "cod"), (source["code"], "cod")]
        )
        for found in listed:  # aware and UTC, whatever the database keeps
            for moment in (found["period_start"], found["period_end"], found["detected_at"]):
                assert datetime.fromisoformat(moment).utcoffset() == timedelta(0), moment
        month = next(e for e in listed if e["station_code"] == section)
        assert (month["period_start"], month["period_end"]) == ("2021-05-31T16:00:00Z", "2021-06-30T16:00:00Z")
    events = [e["data"] for e in await outbox(local.runtime("monitoring"), EXCEEDED)]
    assert len(events) == 3
    water = next(e for e in events if e["station_kind"] == "water_section")
    assert (water["value"], water["limit"]) == (25.0, 20.0)  # class III COD limit


async def test_queries_aggregate_export_and_latest(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http:
        a = (await create_station(http, "air_station"))["code"]
        rows = hourly(a, "pm25", DAY, [float(h) + 10 for h in range(24)]) + hourly(
            a, "pm25", date(2021, 6, 2), [49.0, 51.0] * 12
        )
        rows[5]["flag"] = "D"  # instrument fault: kept, but not in statistics
        await ingest(http, rows)
        params = {
            "station": a,
            "parameter": "pm25",
            "start": "2021-06-01T00:00:00+08:00",
            "end": "2021-06-03T00:00:00+08:00",
        }
        days = (await http.get("/api/v1/monitoring/readings", params=params | {"aggregation": "day"})).json()["items"]
        assert [(d["period"], d["count"], d["max"]) for d in days] == [
            ("2021-06-01", 23, 33.0),
            ("2021-06-02", 24, 51.0),
        ]
        months = (await http.get("/api/v1/monitoring/readings", params=params | {"aggregation": "month"})).json()
        assert months["items"][0]["period"] == "2021-06"
        hours = (await http.get("/api/v1/monitoring/readings", params=params | {"aggregation": "hour"})).json()
        assert hours["items"][0]["period"] == "2021-06-01T00:00"
        raw = (await http.get("/api/v1/monitoring/readings", params=params)).json()["items"]
        assert len(raw) == 48
        assert raw[5]["instrument_flag"] == "D"
        exported = await http.get(
            "/api/v1/monitoring/readings", params=params | {"format": "csv", "aggregation": "day"}
        )
        assert exported.headers["content-type"].startswith("text/csv")
        assert exported.text.splitlines()[0] == '"period","mean","min","max","count"'
        latest = (await http.get("/api/v1/monitoring/latest", params={"station": a})).json()["items"]
        assert [(x["parameter"], x["value"], x["time"][:19]) for x in latest] == [("pm25", 51.0, "2021-06-02T15:00:00")]
        bad = await http.get("/api/v1/monitoring/readings", params=params | {"end": "2021-05-01T00:00:00+08:00"})
        assert bad.status_code == 422


async def test_bulletins_are_built_with_charts_and_published_once(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http:
        a = (await create_station(http, "air_station", town="杨柳青镇"))["code"]
        b = (await create_station(http, "air_station", town="中北镇"))["code"]
        section = (await create_station(http, "water_section", town="杨柳青镇"))["code"]
        await ingest(http, air_day(a, 80.0) + air_day(b, 30.0))
        await ingest(
            http, [{"station": section, "parameter": "cod", "time": "2021-06-05T09:00:00+08:00", "value": 12.0}]
        )
        air = await http.post("/api/v1/monitoring/bulletins", json={"kind": "air_daily", "period_start": "2021-06-01"})
        assert air.status_code == 201, air.text
        towns = air.json()["content"]["towns"]
        assert [(t["rank"], t["town"]) for t in towns] == [(1, "中北镇"), (2, "杨柳青镇")]
        assert towns[1]["primary_pollutant"] == "pm25"
        html = (await http.get(f"/api/v1/monitoring/bulletins/{air.json()['id']}/html")).text
        assert "<svg" in html
        assert "空气质量日报" in html
        assert "杨柳青镇" in html
        water = await http.post(
            "/api/v1/monitoring/bulletins", json={"kind": "water_monthly", "period_start": "2021-06-01"}
        )
        assert water.json()["content"]["towns"][0]["share_meeting_target"] == 1.0
        weekly = await http.post(
            "/api/v1/monitoring/bulletins", json={"kind": "air_weekly", "period_start": "2021-06-02"}
        )
        assert weekly.status_code == 422  # weeks start on Monday
        bulletin_id = air.json()["id"]
        assert (await http.post(f"/api/v1/monitoring/bulletins/{bulletin_id}:publish")).status_code == 428
        published = await http.post(
            f"/api/v1/monitoring/bulletins/{bulletin_id}:publish", headers={"If-Match": air.headers["etag"]}
        )
        assert published.status_code == 200, published.text
        assert published.json()["status"] == "published"
        again = await http.post(
            f"/api/v1/monitoring/bulletins/{bulletin_id}:publish", headers={"If-Match": published.headers["etag"]}
        )
        assert again.status_code == 409
        rebuilt = await http.post(
            "/api/v1/monitoring/bulletins", json={"kind": "air_daily", "period_start": "2021-06-01"}
        )
        assert rebuilt.status_code == 409
    [event] = await outbox(local.runtime("monitoring"), "monitoring.bulletin.published.v1")
    assert event["data"]["kind"] == "air_daily"
    assert "<svg" in event["data"]["html"]


async def test_a_stuck_instrument_shows_across_single_hour_uploads(local: Stack) -> None:
    async with client(local, "monitoring_reviewer") as http:
        a = (await create_station(http, "air_station"))["code"]
        rows = hourly(a, "so2", DAY, [7.0] * 6 + [9.0, 300.0, 8.0])
        for row in rows:  # one hour at a time, as a station sends them
            await ingest(http, [row])
        params = {
            "station": a,
            "parameter": "so2",
            "start": "2021-06-01T00:00:00+08:00",
            "end": "2021-06-02T00:00:00+08:00",
        }
        raw = (await http.get("/api/v1/monitoring/readings", params=params)).json()["items"]
        assert [r["auto_flags"] for r in raw] == ["constant"] * 6 + ["", "spike", ""]


async def test_reads_of_readings_are_ranges_of_the_primary_key(pg_local: Stack) -> None:
    """With 20 stations' data, PostgreSQL answers one station's reads from ranges of the primary key (station,
    parameter, interval, time), the reading table's only index, each bound by the station, the series and the
    time: the plan that stays fast with millions of rows of other stations and years of the station's own. Before
    the table has statistics (just bulk-loaded) as after: the reads that name several parameters or none (the
    neighbours a write checks, the statistics, the open series, the reviewer's day counts) take each series apart."""
    local = pg_local
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import event, text

    from services.monitoring.handlers.bulk import Bulk
    from services.monitoring.handlers.ingest import LATEST_COLUMNS
    from services.monitoring.handlers.neighbours import stored_around
    from services.monitoring.handlers.open_data import open_station, reviewed_series
    from services.monitoring.handlers.queries import aggregation_query
    from services.monitoring.handlers.review import day_counts
    from services.monitoring.handlers.statistics import valid_series
    from services.monitoring.tables import DayReview

    start = datetime(2021, 6, 1, tzinfo=UTC)
    runtime = local.runtime("monitoring")
    async with client(local, "monitoring_reviewer") as staff:
        station = (await create_station(staff, "air_station"))["code"]

    async def load(stations: list[str]) -> None:
        """90 days of two hourly series of each station, as a bulk load would store them."""
        async with runtime.uow() as uow:
            await uow.session.execute(
                text(
                    "INSERT INTO reading SELECT s, p, 'hour', CAST(:start AS timestamptz) + h * interval '1 hour',"
                    " 1.0 + h % 7, '', 'N', '', 'batch', CAST(:start AS timestamptz)"
                    " FROM unnest(CAST(:stations AS varchar[])) s, unnest(ARRAY['pm25', 'pm10']) p,"
                    " generate_series(-1440, 719) h"
                ),
                {"start": start, "stations": stations},
            )
            latest = [(s, p, "hour", start, 1.0, "", "N") for s in stations for p in ("pm25", "pm10")]
            await Bulk(uow.session).upsert(
                "latest_reading", LATEST_COLUMNS, latest, keys=("station_code", "parameter"), update=("time",)
            )
            await uow.commit()

    async def analyze() -> None:
        async with runtime.engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()

    async with runtime.engine.connect() as conn:  # statistics only when the test asks for them
        for table in ("reading", "latest_reading"):
            await conn.execute(text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)"))
        await conn.commit()
    # The other stations analysed, then this one loaded: the statistics know nothing of it (a station added, or
    # back-filled, since the last ANALYZE), and a plan may bind it alone and read its whole history.
    await load([f"S{s:02d}" for s in range(19)])
    await analyze()
    await load([station])
    week = (start, start + timedelta(days=7))
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if "reading" in statement and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with runtime.uow() as uow:
            await uow.session.execute(aggregation_query("postgresql", station, "pm25", "hour", *week, "day"))
            await valid_series(uow, [station], ["pm25", "pm10"], *week)
            windows = {(station, p, "hour"): (week[0], week[0] + timedelta(hours=10)) for p in ("pm25", "pm10")}
            assert len(await stored_around(uow, windows)) == 2
            found = await open_station(uow, station)
            await reviewed_series(
                uow, station=found, parameter=None, interval="hour", start=week[0], end=week[1], after=None, limit=100
            )
            await reviewed_series(
                uow, station=found, parameter=None, interval="hour", start=week[0], end=week[1],
                after=(week[0] + timedelta(days=2), "pm10"), limit=100,
            )  # fmt: skip
            await day_counts(uow, [DayReview(station_code=station, day=date(2021, 6, 3))])
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", seen)
    assert len([s for s, _ in statements if "FROM reading" in s]) == 6, [s[:60] for s, _ in statements]

    async def bounded_plans() -> None:
        async with runtime.engine.connect() as conn:
            for statement, parameters in statements:
                plan = [row[0] for row in await conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)]
                text_plan = "\n".join(plan)
                # The confirmed-day check may scan the (small) review table; the readings never.
                assert "Seq Scan on reading" not in text_plan, text_plan
                scans = [i for i, line in enumerate(plan) if "Index Scan" in line and "reading_pkey" in line]
                assert scans or "FROM reading" not in statement, text_plan
                for i in scans:
                    # Bound by the station, the series and the time: never every station's hours in the window,
                    # nor every hour of the station.
                    condition = plan[i + 1]
                    assert "Index Cond" in condition, text_plan
                    assert "station_code" in condition, text_plan
                    assert "parameter" in condition, text_plan
                    assert '"time" >=' in condition or '"time" >' in condition, text_plan

    await bounded_plans()
    await analyze()
    await bounded_plans()


async def test_updates_of_the_latest_readings_stay_on_their_pages(pg_local: Stack) -> None:
    """Every stored reading updates its station and parameter's latest row: on PostgreSQL those rows' pages keep
    room (fillfactor 50) so that the new version goes beside the old one (a HOT update: no new index entry, pruned
    in the page) instead of filling the table and its primary key with dead versions between vacuums."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text

    from services.monitoring.handlers.bulk import Bulk
    from services.monitoring.handlers.ingest import LATEST_COLUMNS

    runtime = pg_local.runtime("monitoring")
    start = datetime(2021, 6, 1, tzinfo=UTC)
    pairs = [(f"S{s:04d}", parameter) for s in range(400) for parameter in ("pm25", "pm10", "so2", "no2", "o3")]

    def rows(hour: int) -> list[tuple[Any, ...]]:
        moment = start + timedelta(hours=hour)
        return [(s, p, "hour", moment, 1.0 + hour, "μg/m³", "N") for s, p in pairs]

    async def upsert(uow: Any, hour: int) -> None:
        await Bulk(uow.session).upsert(
            "latest_reading", LATEST_COLUMNS, rows(hour), keys=("station_code", "parameter"),
            update=("interval", "time", "value", "unit", "instrument_flag"),
            where='"latest_reading"."time" <= excluded."time"',
        )  # fmt: skip

    async with runtime.uow() as uow:  # the rows, as the first hour of each series stores them
        await upsert(uow, 0)
        await uow.commit()
    async with runtime.uow() as uow:  # the next hour of every series: one update of each row
        await upsert(uow, 1)
        counts = (
            await uow.session.execute(
                text("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'latest_reading'")
            )
        ).one()
        pages = (
            await uow.session.execute(text("SELECT relpages FROM pg_class WHERE relname = 'latest_reading'"))
        ).scalar_one()
        await uow.commit()
    updated, hot = counts
    assert updated == len(pairs)
    assert hot >= 0.95 * updated, f"{hot} of {updated} updates stayed on their page ({pages} pages)"
