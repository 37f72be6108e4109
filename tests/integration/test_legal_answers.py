"""The legal answers an audit found wrong, asked through the API (TCP for HJ 212): referral contest routes,
standards calculators, the HJ 212 data-segment bound."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.monitoring.domain import hj212
from tests.stack import Stack, StackConfig
from tests.support.cases import API as CASES
from tests.support.cases import decision_for, file_case, make_team, ok, settle, step
from tests.support.monitoring import client, create_station, hourly, monitoring_only
from tests.support.referral import ensure_referral, now_iso, police_decides, requested, staff_step, transfer

pytestmark = pytest.mark.integration

AQI = "/api/v1/monitoring/calculations/aqi"


@pytest.fixture
async def monitoring(tmp_path: Path) -> AsyncIterator[Stack]:
    async with Stack(monitoring_only(tmp_path, hj212_enabled=False)) as stack:
        yield stack


async def test_a_refusal_goes_straight_to_procuratorate_supervision(local: Stack) -> None:
    # 国务院令310 §9: reconsideration or, directly, a suggestion that the procuratorate supervise.
    await ensure_referral(local)
    referral = await requested(local)
    async with local.client("referral", "head") as staff:
        assert (await transfer(staff, referral.id)).status_code == 200
        await police_decides(local, referral.id, {"decision": "declined", "reason": "证据不足"})
        body = {"requested_at": now_iso(), "reason": "镍超标 12 倍，建议立案监督"}
        supervised = await staff_step(staff, referral.id, "supervision", body)
        assert supervised.status_code == 200, supervised.text
        assert supervised.json()["status"] == "supervision"
        await police_decides(local, referral.id, {"receipt": False, "decision": "declined", "reason": "维持"})
        for step in ("supervision", "reconsideration"):  # supervision once; reconsideration is past
            again = await staff_step(staff, referral.id, step, body)
            assert again.status_code == 409, again.text
            assert "once" in again.json()["missing_step"]
        shown = (await staff.get(f"/api/v1/referral/referrals/{referral.id}")).json()
        limits = {d["name"]: d for d in shown["deadlines"]}
        assert limits["reconsideration_request"]["state"] == "met"  # contested in time, by supervision
        assert {"reconsideration_answer", "supervision_request"}.isdisjoint(limits)  # no reconsideration was asked


@pytest.mark.parametrize(
    ("decided_on", "due_on"),
    [
        ("2030-01-24", "2030-02-06"),  # 7 working days over 2030's Spring Festival (除夕 Feb 2 to 初三 Feb 5)
        ("2030-01-23", "2030-02-01"),  # the day before: the seventh working day is the Friday before 除夕
        ("2030-09-06", "2030-09-18"),  # over Mid-Autumn (Thursday Sep 12)
    ],
)
async def test_a_year_without_official_data_keeps_its_statutory_holidays(
    local: Stack, decided_on: str, due_on: str
) -> None:
    async with local.client("disclosure", "officer") as client:
        answer = await client.get("/api/v1/disclosure/due-date", params={"kind": "penalty", "decided_on": decided_on})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"due_on": due_on, "working_days": 7, "provisional": True}


async def test_hourly_so2_above_800_reports_the_index_of_its_24h_average(monitoring: Stack) -> None:
    async with client(monitoring, "officer") as http:
        # HJ 633 table 1 note: the worked case, 1,600 µg/m³ in the hour with a 24-hour average of 100 → IAQI 75.
        answer = await http.post(AQI, json={"averaging": "1h", "on": "2021-06-01",
                                            "concentrations": {"so2": 1600, "so2_24h": 100, "no2": 100}})  # fmt: skip
        assert answer.status_code == 200, answer.text
        assert (answer.json()["aqi"], answer.json()["iaqi"]) == (75, {"no2": 50, "so2": 75})
        edge = await http.post(AQI, json={"averaging": "1h", "on": "2021-06-01", "concentrations": {"so2": 800}})
        assert edge.json()["iaqi"] == {"so2": 200}  # 800 itself is still on the hourly row
        for so2 in (800.1, 1600):
            missing = await http.post(AQI, json={"averaging": "1h", "on": "2021-06-01", "concentrations": {"so2": so2}})
            assert missing.status_code == 422
            assert missing.headers["content-type"].startswith("application/problem+json")
            assert "so2_24h" in missing.json()["detail"]


async def test_the_daily_aqi_takes_the_daily_maximum_1h_ozone(monitoring: Stack) -> None:
    seven = {"so2": 10, "no2": 30, "pm10": 40, "pm25": 30, "co": 1.0, "o3_8h": 150, "o3_1h": 320}
    async with client(monitoring, "officer") as http:
        daily = (await http.post(AQI, json={"averaging": "24h", "on": "2021-06-01", "concentrations": seven})).json()
        assert (daily["aqi"], daily["primary_pollutants"]) == (160, ["o3_1h"])  # not 8h O3's 125
        high = {"o3_8h": 850, "o3_1h": 1000}  # O3 8h above 800: the 1h sub-index stands in
        over = (await http.post(AQI, json={"averaging": "24h", "on": "2021-06-01", "concentrations": high})).json()
        assert over["iaqi"] == {"o3_1h": 400, "o3_8h": 400}


async def test_stored_hours_of_so2_above_800_take_the_days_24h_index(monitoring: Stack) -> None:
    values = [300.0 + (1 if h % 2 else -1) for h in range(24)]
    values[10:14] = [700.0, 1000.0, 800.0, 600.0]  # a plume, not a spike (each within 5× its neighbours)
    async with client(monitoring, "monitoring_reviewer") as http:
        town = f"测试镇{id(values)}"
        station = (await create_station(http, "air_station", town=town))["code"]
        stored = await http.post(
            "/api/v1/monitoring/readings:batch", json=hourly(station, "so2", date(2021, 6, 1), values)
        )
        assert stored.status_code == 200, stored.text
        for path in (f"/api/v1/monitoring/stations/{station}/aqi", f"/api/v1/monitoring/towns/{town}/aqi"):
            answer = (await http.get(path, params={"on": "2021-06-01"})).json()
            assert answer["iaqi"] == {"so2": 136}  # 24h mean 379.167 µg/m³
            by_hour = [h["aqi"] for h in answer["hourly"]]
            # 700 and 800 on the 1h row (167, 200); 1000 takes the day's 24h index, never 1000 on the 24h row (225).
            assert by_hour[10:13] == [167, 136, 200]
            assert by_hour[0] == 72


WATER = "/api/v1/monitoring/calculations/water-class"
# One sample with all 24 GB 3838-2002 table 1 items, each inside class II (or better).
ALL_24 = {
    "temperature": 18.5, "ph": 7.6, "do": 6.5, "codmn": 3.2, "cod": 14, "bod5": 2.5, "nh3n": 0.4, "tp": 0.08,
    "tn": 0.45, "cu": 0.5, "zn": 0.8, "fluoride": 0.6, "se": 0.004, "as": 0.01, "hg": 0.00003, "cd": 0.002,
    "cr6": 0.02, "pb": 0.008, "cyanide": 0.03, "volatile_phenol": 0.001, "petroleum": 0.03, "las": 0.1,
    "sulfide": 0.08, "fecal_coliform": 1500,
}  # fmt: skip


async def test_water_class_on_every_basic_item(monitoring: Stack) -> None:
    async with client(monitoring, "officer") as http:
        river = await http.post(WATER, json={"water_body": "river", "on": "2021-06-01", "values": ALL_24})
        assert river.status_code == 200, river.text
        answer = river.json()
        assert answer["class"] == "II"
        assert answer["left_out"] == ["fecal_coliform", "temperature", "tn"]
        assert "水温" in answer["notes"]["temperature"]
        assert len(answer["by_parameter"]) == 21
        # Cadmium at 0.0051 mg/L: above the II–IV limit of 0.005, so class V decides (the edge: 0.005 is II).
        for cd, expected in ((0.005, "II"), (0.0051, "V")):
            sample = {**ALL_24, "cd": cd}
            found = await http.post(WATER, json={"water_body": "river", "on": "2021-06-01", "values": sample})
            assert (found.json()["class"], found.json()["by_parameter"]["cd"]) == (expected, expected)
        lake = await http.post(WATER, json={"water_body": "lake", "on": "2021-06-01", "values": ALL_24})
        assert (lake.json()["class"], lake.json()["left_out"]) == ("IV", ["temperature"])  # lake TP 0.08: IV
        unknown = await http.post(WATER, json={"water_body": "river", "values": {"cod": 10, "chlorophyll": 3}})
        assert unknown.status_code == 422
        assert unknown.headers["content-type"].startswith("application/problem+json")
        assert "chlorophyll" in unknown.json()["detail"]


async def test_a_sections_month_is_classed_on_heavy_metals_too(monitoring: Stack) -> None:
    async with client(monitoring, "monitoring_reviewer") as http:
        section = (await create_station(http, "water_section", parameters=["cod", "hg", "cr6"]))["code"]
        rows = [
            {"station": section, "parameter": p, "time": "2021-06-05T09:00:00+08:00", "value": v, "unit": "mg/L",
             "interval": "day"}
            for p, v in {"cod": 14.0, "hg": 0.0002, "cr6": 0.04}.items()
        ]  # fmt: skip
        stored = await http.post("/api/v1/monitoring/readings:batch", json=rows)
        assert stored.status_code == 200, stored.text
        month = await http.get(f"/api/v1/monitoring/stations/{section}/water-class", params={"month": "2021-06"})
        assert (month.json()["class"], month.json()["worst_parameters"]) == ("IV", ["hg"])


def _upload_of_size(size: int, mn: str, password: str, qn: str) -> bytes:
    """A CN 2011 upload whose data segment is exactly ``size`` bytes (padded with a code this service does not keep),
    framed by hand so that an over-long one can be sent."""
    head = f"QN={qn};ST=22;CN=2011;PW={password};MN={mn};Flag=5;CP=&&DataTime=20210601100000;a34004-Rtd=30"
    segment = (head + ";x99999-Info=" + "0" * (size - len(head) - len(";x99999-Info=") - 2) + "&&").encode()
    assert len(segment) == size
    return b"##" + f"{size:04d}".encode() + segment + f"{hj212.crc16(segment):04X}".encode() + b"\r\n"


async def test_hj212_data_segment_of_1025_bytes_is_refused_1024_accepted(tmp_path: Path) -> None:
    async with Stack(monitoring_only(tmp_path, hj212_port=0)) as stack:
        async with client(stack, "monitoring_reviewer") as http:
            mn = (await create_station(http, "air_station", password="station-pw-1"))["code"]
        reader, writer = await asyncio.open_connection("127.0.0.1", stack.apps["monitoring"].state.hj212_port)
        for size, qn in ((1025, "20210601100000001"), (1024, "20210601100000002")):
            writer.write(_upload_of_size(size, mn, "station-pw-1", qn))
        await writer.drain()
        # Only the 1,024-byte packet is answered; the refused one is counted and the connection goes on.
        answer = hj212.parse(await asyncio.wait_for(reader.readuntil(b"\r\n"), 10))
        assert (answer.cn, answer.qn) == ("9014", "20210601100000002")
        writer.close()
        async with client(stack) as anonymous:
            metrics = (await anonymous.get("/metrics")).text
        assert 'hj212_malformed_packets_total{reason="too_long"} 1.0' in metrics


@pytest.fixture
async def cases(tmp_path: Path) -> AsyncIterator[Stack]:
    config = StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path, services=("cases",))
    async with Stack(config) as running:
        yield running
        await settle(running)


async def _served_penalty(head: httpx.AsyncClient, penalty: dict[str, object]) -> dict[str, Any]:
    """A case walked to a served penalty decision (decided 2021-07-15, served 2021-07-16: payment due 2021-08-02)."""
    team = await make_team(head)
    case = await file_case(head, team)
    case = await step(head, case, to="investigating", on="2021-06-02")
    case = await step(head, case, to="review", on="2021-07-01", reviewer_id=team.reviewer)
    case = await step(head, case, to="notice", on="2021-07-02", proposed=penalty, notice_received_on="2021-07-02")
    case = await step(
        head, case, to="legal_review", on="2021-07-12", legal_reviewer_id=team.legal, legal_opinion="agree"
    )
    attendees = [
        {"name": "局长", "role": "主持"},
        {"name": "法制科长", "role": "法制审核"},
        {"name": "科员", "role": "记录"},
    ]
    meeting = {
        "held_on": "2021-07-14", "attendees": attendees, "items": [{"case_id": case["id"], "outcome": "同意"}],
        "minutes": "同意处罚意见。",
    }  # fmt: skip
    held = await ok(await head.post(f"{CASES}/review-meetings", json=meeting), 201)
    case = await step(head, case, to="collective_discussion", on="2021-07-14", meeting_id=held["id"])
    body = decision_for(case, fine_fen=int(str(penalty["fine_fen"])), decided_on="2021-07-15")
    body["penalty"] = {**penalty, "summary": "罚款并没收违法所得"}
    decision = await ok(await head.post(f"{CASES}/decisions", json=body), 201)
    etag = (await head.get(f"{CASES}/decisions/{decision['id']}")).headers["etag"]
    served = {"served_on": "2021-07-16", "method": "direct"}
    await ok(await head.post(f"{CASES}/decisions/{decision['id']}/service", json=served, headers={"If-Match": etag}))
    return dict(await ok(await head.get(f"{CASES}/{case['id']}")))


async def _execution(head: httpx.AsyncClient, case: dict[str, Any], body: dict[str, str]) -> httpx.Response:
    etag = (await head.get(f"{CASES}/{case['id']}")).headers["etag"]
    return await head.post(f"{CASES}/{case['id']}/execution", json=body, headers={"If-Match": etag})


async def test_the_late_surcharge_is_charged_on_the_fine_only(cases: Stack) -> None:
    # 行政处罚法 §72(一): 3 % a day of the fine (¥10,000), not of fine plus confiscated gains (¥160,000), capped at it.
    async with cases.client("cases", "head") as head:
        case = await _served_penalty(head, {"fine_fen": 1_000_000, "confiscation_fen": 15_000_000})
        assert case["money_due_fen"] == 16_000_000
        for paid_on, surcharge in (("2021-08-02", "0"), ("2021-08-04", "60000"), ("2021-10-15", "1000000")):
            answer = await _execution(head, case, {"paid_on": paid_on})
            assert answer.status_code == 200, answer.text
            assert answer.headers["late-surcharge-fen"] == surcharge, paid_on


async def test_court_enforcement_window_opens_after_the_appeal_periods(cases: Stack) -> None:
    async with cases.client("cases", "head") as head:
        case = await _served_penalty(head, {"fine_fen": 1_000_000})
        assert (await _execution(head, case, {"demand_on": "2022-01-12"})).status_code == 200
        watch = await ok(await head.get(f"{CASES}/deadlines", params={"within": 7, "as_of": "2022-04-12"}))
        mine = {i["step"]: (i["opens_on"], i["due_on"]) for i in watch["items"] if i["case_id"] == case["id"]}
        # Litigation period to 2022-01-17 (the 16th is a Sunday); the demand's 10 days to Monday 2022-01-24.
        assert mine["court_enforcement"] == ("2022-01-25", "2022-04-18")
        early = await ok(await head.get(f"{CASES}/deadlines", params={"within": 7, "as_of": "2021-11-01"}))
        assert not [i for i in early["items"] if i["case_id"] == case["id"] and i["step"] == "court_enforcement"]
