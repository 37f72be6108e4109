"""Input at and beyond the edges is a 4xx problem, never a 500 (issue 14, item 8).

Three classes, each through the HTTP API: cursors (every list's, malformed, huge, negative, of another shape), JSON
bodies (nested 1,500 and 100,000 deep, numbers beyond a float or with 400 digits, NaN and Infinity), and dates and
integers (a due date for 9999-12-31, dates and times outside 1949-10-01 – 2199-12-31, amounts beyond 64 bits).
Cursors run on SQLite through the gateway and on PostgreSQL against the services, where an integer beyond
``bigint`` used to reach asyncpg; the largest position a cursor may hold still answers 200 there. The fuzzing
of every operation with such values is in tests/integration/test_api_fuzzing.py.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from shared.bounds import INT64_MAX
from shared.fields import MAX_FEN
from shared.http import encode_cursor
from tests.infra import PostgresServer
from tests.stack import Stack, StackConfig
from tests.support.system import System, assert_problem

pytestmark = pytest.mark.integration

BATCH = "/api/v1/monitoring/readings:batch"
DEEP = {
    "array 1,500": b"[" * 1500 + b"]" * 1500,
    "object 1,500": b'{"a":' * 1500 + b"1" + b"}" * 1500,
    "array 100,000": b"[" * 100_000 + b"]" * 100_000,
    "object in a row": b'[{"station": "S1", "value": ' + b"[" * 2000 + b"]" * 2000 + b"}]",
}
OUT_OF_RANGE_NUMBERS = {
    "1e999": b'[{"station": "S1", "parameter": "pm25", "value": 1e999}]',
    "-1e999": b'[{"station": "S1", "parameter": "pm25", "value": -1e999}]',
    "400 digits": b'[{"station": "S1", "parameter": "pm25", "value": ' + b"7" * 400 + b"}]",
    "5,000 digits": b"[" + b"1" * 5000 + b"]",
    "291 digits, e99": b'[{"station": "S1", "parameter": "pm25", "value": 1' + b"0" * 290 + b"e99}]",
    "308 digits": b'[{"station": "S1", "parameter": "pm25", "value": ' + b"9" * 308 + b"}]",
    "NaN": b'[{"station": "S1", "parameter": "pm25", "value": NaN}]',
    "Infinity": b'[{"station": "S1", "parameter": "pm25", "value": Infinity}]',
    "-Infinity": b'[{"station": "S1", "parameter": "pm25", "value": -Infinity}]',
}
# Out-of-range or ill-shaped positions for each list's cursor (what a client could forge).
BAD_POSITIONS: list[Any] = [
    {"seq": 2**63},
    {"seq": 10**30},
    {"seq": -1},
    {"seq": 1.5},
    {"seq": "1"},
    {"seq": True},
    {"seq": 1, "extra": 1},
    {"t": "9999-12-31T23:59:59", "id": "x"},
    {"t": "9999-12-31T23:59:59+14:00", "id": "x"},
    {"t": "0001-01-01T00:00:00-14:00", "id": "x"},
    {"t": 10**30, "id": 10**30},
    {"d": "9999-12-31", "id": 10**30},
    {"d": "0001-01-01", "id": "x"},
    {"period_start": "9999-12-31T23:59:59+14:00", "id": 2**70},
    {"period_start": 10**30, "id": "x"},
    {"day": "9999-12-31", "station": "x"},
    {"day": 10**30, "station": 1},
    [1],
    {},
]
BAD_CURSORS = [encode_cursor(p) if isinstance(p, dict) else encode_cursor({"_": p}) for p in BAD_POSITIONS] + [
    "!!!",
    "W1td",  # a JSON array, not an object
    encode_cursor({"seq": 1}) * 40,  # longer than any cursor issued
    "eyJzZXEiOiA" + "x" * 200,
]
STAFF_LISTS = [
    "/api/v1/cases",
    "/api/v1/cases/parties",
    "/api/v1/cases/leads",
    "/api/v1/monitoring/bulletins",
    "/api/v1/monitoring/exceedances",
    "/api/v1/monitoring/reviews",
]


def decision(fine_fen: int, decided_on: str = "2021-09-28") -> dict[str, Any]:
    return {
        "kind": "penalty",
        "decided_on": decided_on,
        "party": {
            "party_type": "organisation",
            "name": "天津某化工有限公司",
            "credit_code": "91120111MA05K3L7X1",
            "legal_representative": "张三",
        },
        "facts": "超标排放水污染物。",
        "legal_basis": "《水污染防治法》第八十三条",
        "penalty": {"fine_fen": fine_fen, "summary": "罚款"},
    }


async def test_police_cursor_with_a_huge_seq_is_a_422_problem(system: System) -> None:
    async with system.client(system.police_token()) as police:
        for position in ({"seq": 2**63}, {"seq": 10**30}, {"seq": 2**64 + 1}, {"seq": -(2**63) - 1}):
            answer = await police.get("/police/v1/referrals", params={"since": encode_cursor(position)})
            assert assert_problem(answer, 422)["type"] == "urn:greenlaw:problem:invalid-cursor", position
        for cursor in BAD_CURSORS:
            assert_problem(await police.get("/police/v1/referrals", params={"since": cursor}), 422)
        # The largest position a bigint holds is a cursor past every change: an empty page, kept as the cursor.
        largest = encode_cursor({"seq": INT64_MAX})
        page = await police.get("/police/v1/referrals", params={"since": largest})
        assert page.status_code == 200, page.text
        assert page.json() == {"items": [], "next_cursor": largest}


async def test_every_list_refuses_a_forged_cursor_with_a_422(system: System) -> None:
    async with system.client(system.staff_token("admin")) as staff, system.client() as public:
        for path in STAFF_LISTS:
            for cursor in BAD_CURSORS:
                answer = await staff.get(path, params={"cursor": cursor})
                assert_problem(answer, 422)
        for cursor in BAD_CURSORS:
            assert_problem(await public.get("/public/v1/decisions", params={"cursor": cursor}), 422)
        portal = await public.get("/portal/", params={"cursor": BAD_CURSORS[0]})
        assert portal.status_code == 422, portal.text


@pytest.fixture
async def on_postgres(postgres: PostgresServer, tmp_path: Path) -> AsyncIterator[Stack]:
    config = StackConfig(
        database="postgres", transport="inprocess", data_dir=tmp_path, postgres=postgres, services=("cases", "referral")
    )
    async with Stack(config) as stack:
        yield stack


async def test_cursors_out_of_bigint_range_never_reach_postgresql(on_postgres: Stack) -> None:
    async with on_postgres.client("referral", token=on_postgres.police_token()) as police:
        for position in ({"seq": 2**63}, {"seq": 10**30}, {"seq": -1}):
            answer = await police.get("/police/v1/referrals", params={"since": encode_cursor(position)})
            assert_problem(answer, 422)
        largest = await police.get("/police/v1/referrals", params={"since": encode_cursor({"seq": INT64_MAX})})
        assert largest.status_code == 200, largest.text
    async with on_postgres.client("cases", "admin") as staff:
        for cursor in BAD_CURSORS:
            assert_problem(await staff.get("/api/v1/cases", params={"cursor": cursor}), 422)
        edge = encode_cursor({"t": "2199-12-31T23:59:59+00:00", "id": "z" * 36})
        assert (await staff.get("/api/v1/cases", params={"cursor": edge})).status_code == 200


@pytest.mark.parametrize("shape", list(DEEP))
async def test_deeply_nested_json_is_a_400_problem_on_every_json_route(system: System, shape: str) -> None:
    body = DEEP[shape]
    headers = {"Content-Type": "application/json"}
    async with system.client(system.staff_token("admin")) as staff, system.client(system.police_token()) as police:
        answer = await staff.post(BATCH, content=body, headers=headers)
        assert assert_problem(answer, 400)["type"] == "urn:greenlaw:problem:json-too-deep"
        for path in ("/api/v1/cases/leads", "/api/v1/cases/decisions", "/api/v1/referral/referrals/x/transfer"):
            assert_problem(await staff.post(path, content=body, headers=headers), 400)
        assert_problem(await staff.post(BATCH, content=body), 400)  # no media type: read as JSON all the same
        assert_problem(await police.post("/police/v1/referrals/x/receipt", content=body, headers=headers), 400)
        # Within the bound the body reaches the route, which judges it.
        nested = {"station": "S1", "parameter": "pm25", "value": json.loads("[" * 150 + "]" * 150)}
        assert assert_problem(await staff.post(BATCH, json=[nested]), 422)["type"].endswith("no-valid-readings")


@pytest.mark.parametrize("case", list(OUT_OF_RANGE_NUMBERS))
async def test_json_numbers_out_of_range_are_a_400_problem(system: System, case: str) -> None:
    body = OUT_OF_RANGE_NUMBERS[case]
    headers = {"Content-Type": "application/json"}
    async with system.client(system.staff_token("admin")) as staff:
        answer = await staff.post(BATCH, content=body, headers=headers)
        assert assert_problem(answer, 400)["type"] == "urn:greenlaw:problem:json-number-range"
        number = body.split(b'"value": ', 1)[-1].split(b"}", 1)[0].strip(b"[]")
        calculation = b'{"averaging": "24h", "on": "2021-06-01", "concentrations": {"pm25": ' + number + b"}}"
        answer = await staff.post("/api/v1/monitoring/calculations/aqi", content=calculation, headers=headers)
        assert assert_problem(answer, 400)["type"] == "urn:greenlaw:problem:json-number-range"


async def test_due_date_for_9999_12_31_and_other_dates_out_of_range_is_a_422(system: System) -> None:
    async with system.client(system.staff_token("admin")) as staff:
        for day in ("9999-12-31", "0001-01-01", "1949-09-30", "2200-01-01"):
            answer = await staff.get("/api/v1/disclosure/due-date", params={"kind": "penalty", "decided_on": day})
            body = assert_problem(answer, 422)
            assert "1949-10-01" in json.dumps(body, ensure_ascii=False), body
        for day in ("1949-10-01", "2199-12-31"):
            answer = await staff.get("/api/v1/disclosure/due-date", params={"kind": "penalty", "decided_on": day})
            assert answer.status_code == 200, answer.text


async def test_dates_and_times_out_of_range_in_queries_and_bodies_are_a_422(system: System) -> None:
    async with system.client(system.staff_token("admin")) as staff, system.client() as public:
        for day in ("9999-12-31", "0001-01-01"):
            assert_problem(await staff.get("/api/v1/cases/deadlines", params={"as_of": day}), 422)
            assert_problem(await staff.get("/api/v1/monitoring/exceedances", params={"since": day}), 422)
            assert_problem(await public.get("/public/v1/decisions", params={"from": day}), 422)
            assert (await public.get("/portal/", params={"from": day})).status_code == 400
            lead = {"source": "complaint", "received_on": day, "summary": "群众举报夜间偷排"}
            assert_problem(await staff.post("/api/v1/cases/leads", json=lead), 422)
            assert_problem(await staff.post("/api/v1/cases/decisions", json=decision(100, decided_on=day)), 422)
        for moment in ("9999-12-31T23:59:59", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00"):
            inspection = {"inspected_at": moment, "place": "厂区", "officer_ids": [], "findings": "正常"}
            assert_problem(await staff.post("/api/v1/cases/inspections", json=inspection), 422)
            query = {"station": "S1", "parameter": "pm25", "start": moment, "end": moment}
            assert_problem(await staff.get("/api/v1/monitoring/readings", params=query), 422)


async def test_amounts_beyond_64_bits_are_a_422(system: System) -> None:
    async with system.client(system.staff_token("head")) as head:
        for fine in (2**63, 10**30, 2**63 - 1):
            answer = await head.post("/api/v1/cases/decisions", json=decision(fine))
            assert_problem(answer, 422)
        assert_problem(await head.post("/api/v1/cases/decisions", json=decision(MAX_FEN + 1)), 422)
        issued = await head.post("/api/v1/cases/decisions", json=decision(MAX_FEN))
        assert issued.status_code == 201, issued.text


async def test_the_gateway_passes_the_problem_on(system: System) -> None:
    """The refusal is the service's, so it reads the same through the gateway and directly."""
    token = system.staff_token("admin")
    async with system.client(token) as through, system.service("monitoring", token) as direct:
        for client in (through, direct):
            answer = await client.post(BATCH, content=DEEP["array 1,500"], headers={"Content-Type": "application/json"})
            assert assert_problem(answer, 400)["detail"].startswith("JSON 嵌套过深")
