"""Document and case numbers stay gapless and unique under concurrent issue on PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.factories import decision_body
from tests.stack import Stack, StackConfig
from tests.support.cases import API, make_team, ok, party_body, settle

pytestmark = pytest.mark.integration


@pytest.fixture
async def pg(tmp_path: Path, postgres: object) -> AsyncIterator[Stack]:
    config = StackConfig(database="postgres", transport="inprocess", data_dir=tmp_path, services=("cases",))
    config.postgres = postgres  # type: ignore[assignment]
    async with Stack(config) as running:
        yield running
        await settle(running)


def seq_of(number: str) -> int:
    match = re.search(r"〕(\d+)号$", number)
    assert match is not None, number
    return int(match[1])


async def test_parallel_decisions_of_two_kinds_with_refusals_in_between(pg: Stack) -> None:
    async with pg.client("cases", "head") as head:
        bodies = []
        for i in range(24):
            body = decision_body(kind="penalty" if i % 2 else "order_to_correct", decided_on="2024-04-01")
            if i % 6 == 0:
                body["case_id"] = "no-such-case"  # refused: must not burn a number
            bodies.append(body)
        answers = await asyncio.gather(*(head.post(f"{API}/decisions", json=b) for b in bodies))
    issued: dict[str, list[int]] = {}
    for body, answer in zip(bodies, answers, strict=True):
        if body.get("case_id"):
            assert answer.status_code == 422, answer.text
            continue
        assert answer.status_code == 201, answer.text
        issued.setdefault(body["kind"], []).append(seq_of(answer.json()["document_number"]))
    assert sorted(issued["penalty"]) == list(range(1, 13))
    assert sorted(issued["order_to_correct"]) == list(range(1, 9))  # 4 of 12 refused


async def test_parallel_case_filings_get_gapless_case_numbers(pg: Stack) -> None:
    async with pg.client("cases", "head") as head:
        team = await make_team(head)
        party = await ok(await head.post(f"{API}/parties", json=party_body()), 201)
        leads = [
            await ok(
                await head.post(
                    f"{API}/leads", json={"source": "complaint", "received_on": "2024-05-01", "summary": f"举报{i}"}
                ),
                201,
            )
            for i in range(10)
        ]

        async def file(lead_id: str) -> int:
            body = {
                "lead_id": lead_id,
                "party_id": party["id"],
                "filed_on": "2024-05-06",
                "investigator_ids": team.investigators,
                "summary": "涉嫌违法排污",
            }
            return seq_of((await ok(await head.post(API, json=body), 201))["case_number"])

        numbers = await asyncio.gather(*(file(lead["id"]) for lead in leads))
        twice = await head.post(
            API,
            json={
                "lead_id": leads[0]["id"],
                "party_id": party["id"],
                "filed_on": "2024-05-06",
                "investigator_ids": team.investigators,
                "summary": "重复立案",
            },
        )
    assert sorted(numbers) == list(range(1, 11))
    assert twice.status_code == 409
