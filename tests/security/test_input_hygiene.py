"""Input hygiene (issue 14, item 9), through the HTTP API: request IDs, money ceilings, names and LIKE searches.

- ``X-Request-ID`` / ``X-Correlation-ID``: a caller's ID is kept only as a plain token of at most 128 characters
  (``[A-Za-z0-9._:-]``); anything else is replaced by a generated ID, on the gateway and on a service alone.
- Every sum in fen has a ceiling (``shared.fields.MAX_FEN``, 10^13 fen = 1,000 亿元): above it, a 422 naming the field.
- Names refuse control and bidi characters, free text refuses NUL and the other C0 controls (tab and line breaks
  stay), each with a 422 naming the field; NUL in a URL is a 400 problem, and NUL in sign-in fields, Basic
  credentials, cursors and reading rows is refused too: never a database error (PostgreSQL cannot store NUL).
- ``%`` and ``_`` in the staff party search are characters, not wildcards, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.gateway.app import MIGRATIONS_DIR, create_gateway_app
from services.gateway.settings import GatewaySettings
from shared.db import create_engine, migrate
from shared.fields import MAX_FEN
from shared.http import encode_cursor
from shared.settings import CommonSettings
from tests.factories import credit_code, decision_body
from tests.infra import PostgresServer
from tests.stack import Stack
from tests.support.system import System, assert_problem

pytestmark = pytest.mark.integration

GENERATED_ID = re.compile(r"[0-9a-f]{32}")
BAD_IDS: tuple[bytes, ...] = (
    b"a" * 129,
    b"<script>alert(1)</script>",
    b"id with spaces",
    b"caf\xc3\xa9",
    b'x"}, "admin": true',
    b"\xff\xfe",
)
BAD_NAME_CHARACTERS = (
    "\x00",
    "\x1b",
    "\t",
    "\n",
    "\x7f",
    "\u202e",
    "\u202a",
    "\u2066",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
)


def refused(answer: httpx.Response, *loc: str | int) -> None:
    """A 422 problem whose errors name the field at ``loc`` (after ``body``)."""
    body = assert_problem(answer, 422)
    locations = [tuple(error["loc"]) for error in body.get("errors", [])]
    assert ("body", *loc) in locations, locations


async def test_plain_request_ids_are_kept(system: System) -> None:
    for client in (system.client(), system.service("disclosure")):
        async with client as http:
            answer = await http.get("/healthz", headers={"X-Request-ID": "req-1.2:3_" + "a" * 118})
        assert answer.headers["x-request-id"] == "req-1.2:3_" + "a" * 118


@pytest.mark.parametrize("bad", BAD_IDS, ids=["long", "markup", "spaces", "utf8", "quote", "bytes"])
async def test_bad_request_ids_are_replaced_on_gateway_and_service(system: System, bad: bytes) -> None:
    headers = [(b"x-request-id", bad), (b"x-correlation-id", bad)]
    async with system.client(system.staff_token("head")) as gateway:
        through = await gateway.get(f"/api/v1/cases/parties/{uuid.uuid4()}", headers=headers)
    async with system.service("cases", system.staff_token("head")) as service:
        alone = await service.get(f"/api/v1/cases/parties/{uuid.uuid4()}", headers=headers)
    for answer in (through, alone):
        problem = assert_problem(answer, 404)
        echoed = answer.headers["x-request-id"]
        assert GENERATED_ID.fullmatch(echoed), echoed
        assert problem["request_id"] == echoed  # the gateway forwarded its own ID, which the service used
        assert bad.decode("latin-1") not in answer.text


async def test_money_above_the_ceiling_is_refused_naming_the_field(system: System) -> None:
    case = str(uuid.uuid4())
    daily = decision_body(kind="daily_penalty") | {
        "daily_penalty": {"recheck_on": "2021-09-20", "daily_amount_fen": MAX_FEN, "days": 10**9}
    }
    async with system.client(system.staff_token("head")) as head:
        refused(await head.post("/api/v1/cases/decisions", json=decision_body(fine_fen=10**20)), "penalty", "fine_fen")
        over = decision_body()
        over["penalty"]["confiscation_fen"] = MAX_FEN + 1
        refused(await head.post("/api/v1/cases/decisions", json=over), "penalty", "confiscation_fen")
        refused(await head.post("/api/v1/cases/decisions", json=daily), "daily_penalty")
        refused(await head.post(f"/api/v1/cases/{case}/execution", json={"paid_fen": 10**20}), "paid_fen")
        step = {"to": "notice", "on": "2021-09-01", "proposed": {"fine_fen": 10**18}}
        refused(await head.post(f"/api/v1/cases/{case}/transitions", json=step), "proposed", "fine_fen")
        referral = {
            "offence": "污染环境罪",
            "medium": "water",
            "summary": "超标排放",
            "police_unit": "西青公安分局",
            "package_items": ["移送书"],
            "facts": {"illegal_gains_fen": 10**19},
            "approved_on": "2021-09-01",
        }
        refused(await head.post(f"/api/v1/cases/{case}/referrals", json=referral), "facts", "illegal_gains_fen")
        at_ceiling = await head.post("/api/v1/cases/decisions", json=decision_body(fine_fen=MAX_FEN))
        assert at_ceiling.status_code == 201, at_ceiling.text
        assert at_ceiling.json()["penalty"]["fine_fen"] == MAX_FEN


@pytest.mark.parametrize("character", BAD_NAME_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
async def test_names_with_control_or_bidi_characters_are_refused(system: System, character: str) -> None:
    name = f"天津某{character}化工有限公司"
    station = {"code": f"N{uuid.uuid4().hex[:8]}", "kind": "air_station", "name": name, "town": "杨柳青镇"}
    async with system.client(system.staff_token("head", "admin")) as staff:
        party = {"party_type": "organisation", "name": name, "credit_code": credit_code()}
        refused(await staff.post("/api/v1/cases/parties", json=party), "name")
        on_decision = decision_body()
        on_decision["party"]["legal_representative"] = f"张{character}三"
        refused(await staff.post("/api/v1/cases/decisions", json=on_decision), "party", "legal_representative")
        refused(await staff.post("/api/v1/cases/teams", json={"name": name}), "name")
        officer = {"name": f"李{character}四", "credential_number": "TJ-0001"}
        refused(await staff.post("/api/v1/cases/officers", json=officer), "name")
        refused(await staff.post("/api/v1/monitoring/stations", json=station | {"level": "district"}), "name")


async def test_free_text_refuses_nul_and_keeps_tabs_and_line_breaks(system: System) -> None:
    async with system.client(system.staff_token("head")) as head:
        for bad in ("超标\x00排放", "超标\x1b[31m排放", "超标\x08排放"):
            refused(await head.post("/api/v1/cases/decisions", json=decision_body() | {"facts": bad}), "facts")
        kept = "超标排放：\n\t化学需氧量超标2.1倍。\r\n"
        answer = await head.post("/api/v1/cases/decisions", json=decision_body() | {"facts": kept})
        assert answer.status_code == 201, answer.text
        assert answer.json()["facts"] == kept
        assert_problem(await head.get("/api/v1/cases/parties", params={"q": "甲\x00"}), 400)
        assert_problem(await head.get("/public/v1/decisions", params={"q": "\x00"}), 400)


async def test_reading_rows_with_control_characters_are_rejected_by_index(system: System) -> None:
    station = f"NUL{uuid.uuid4().hex[:8].upper()}"
    body = {"code": station, "kind": "air_station", "name": "测试站点", "town": "杨柳青镇", "level": "district"}
    row = {"station": station, "parameter": "pm25", "time": "2021-01-05T08:00:00+08:00", "value": 1.0}
    rows = [row | {"unit": "µg/m³"}, row | {"unit": "µg\x00"}, row | {"parameter": "pm\u202e25"}]
    async with system.client(system.staff_token("admin")) as admin:
        created = await admin.post("/api/v1/monitoring/stations", json=body | {"parameters": ["pm25"]})
        assert created.status_code == 201, created.text
        answer = await admin.post("/api/v1/monitoring/readings:batch", json=rows)
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored"] == 1
    assert [r["index"] for r in answer.json()["rejected"]] == [1, 2]
    assert all("control characters" in r["reason"] for r in answer.json()["rejected"])


async def register(http: httpx.AsyncClient, name: str) -> dict[str, Any]:
    body = {"party_type": "organisation", "name": name, "credit_code": credit_code()}
    answer = await http.post("/api/v1/cases/parties", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


@pytest.mark.parametrize(
    "stack", [("sqlite", "inprocess"), ("postgres", "inprocess")], ids=["sqlite", "postgres"], indirect=True
)
async def test_party_search_treats_percent_and_underscore_as_characters(stack: Stack) -> None:
    async with stack.client("cases", "head") as head:
        percent = await register(head, "天津100%环保科技有限公司")
        underscore = await register(head, "天津A_B化工有限公司")
        await register(head, "天津AXB化工有限公司")
        await register(head, "天津某化工有限公司")

        async def found(q: str) -> set[str]:
            answer = await head.get("/api/v1/cases/parties", params={"q": q, "limit": 100})
            assert answer.status_code == 200, answer.text
            return {item["id"] for item in answer.json()["items"]}

        assert await found("%") == {percent["id"]}
        assert await found("100%环保") == {percent["id"]}
        assert await found("_") == {underscore["id"]}
        assert await found("A_B") == {underscore["id"]}
        assert await found("%_%") == set()
        assert len(await found("化工")) == 3


@pytest.mark.parametrize(
    "stack", [("sqlite", "inprocess"), ("postgres", "inprocess")], ids=["sqlite", "postgres"], indirect=True
)
async def test_nul_is_refused_before_the_database(stack: Stack) -> None:
    """PostgreSQL cannot store or compare NUL: it must be a 4xx problem on both databases, never a 500."""
    async with stack.client("cases", "head") as head:
        party = {"party_type": "organisation", "name": "天津\x00公司", "credit_code": credit_code()}
        refused(await head.post("/api/v1/cases/parties", json=party), "name")
        refused(await head.post("/api/v1/cases/decisions", json=decision_body() | {"facts": "\x00"}), "facts")
        facts = {"heavy_metal_multiple": {"Pb\x00": 3.4}}
        referral = {"offence": "污染环境罪", "medium": "soil", "summary": "超标", "police_unit": "西青公安分局",
                    "package_items": ["移送书"], "facts": facts, "approved_on": "2021-09-01"}  # fmt: skip
        refused(
            await head.post(f"/api/v1/cases/{uuid.uuid4()}/referrals", json=referral),
            "facts",
            "heavy_metal_multiple",
            "Pb\x00",
            "[key]",
        )
        assert_problem(await head.get("/api/v1/cases/parties", params={"q": "\x00"}), 400)
        assert_problem(await head.get("/api/v1/cases/parties/a%00b"), 400)


def basic(user: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


@pytest.fixture
async def postgres_gateway(postgres: PostgresServer) -> AsyncIterator[FastAPI]:
    """A gateway whose accounts live in PostgreSQL, as in the distributed mode."""
    url = await postgres.create_database("gateway")
    engine = create_engine(url)
    await migrate(engine, MIGRATIONS_DIR)
    await engine.dispose()
    settings = GatewaySettings(common=CommonSettings(environment="test"), database_url=url)
    app = create_gateway_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def test_nul_in_sign_in_never_reaches_postgresql(postgres_gateway: FastAPI) -> None:
    transport = httpx.ASGITransport(app=postgres_gateway, client=("198.51.100.77", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        password = {"grant_type": "password", "username": "ad\x00min", "password": "greenlaw-demo"}
        refused(await client.post("/auth/token", data=password), "username")
        machine = {"grant_type": "client_credentials", "client_id": "xiqing\x00", "client_secret": "s"}
        refused(await client.post("/auth/token", data=machine), "client_id")
        by_basic = await client.post(
            "/auth/token", data={"grant_type": "client_credentials"}, headers=basic("x\x00", "s")
        )
        assert assert_problem(by_basic, 401)["error"] == "invalid_client"


@pytest.mark.parametrize("stack", [("postgres", "inprocess")], ids=["postgres"], indirect=True)
async def test_nul_in_station_credentials_and_cursors_never_reaches_postgresql(stack: Stack) -> None:
    async with stack.client("monitoring") as station:
        answer = await station.post("/api/v1/monitoring/readings:batch", json=[], headers=basic("ST\x00", "pw-123456"))
        assert_problem(answer, 401)
    async with stack.client("cases", "head") as head:
        cursor = encode_cursor({"id": "\x00", "name": "\x00"})
        assert_problem(await head.get("/api/v1/cases/parties", params={"cursor": cursor}), 422)
