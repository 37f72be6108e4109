"""Helpers for the cases tests: a team with officers, a party, and a case walked to a given stage."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.factories import credit_code

API = "/api/v1/cases"


def uid() -> str:
    return uuid.uuid4().hex[:8]


@dataclass
class Team:
    id: str
    name: str
    investigators: list[str]
    reviewer: str
    legal: str


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def make_team(head: httpx.AsyncClient) -> Team:
    team = await ok(await head.post(f"{API}/teams", json={"name": f"执法一队{uid()}"}), 201)

    async def officer(name: str, legal: bool = False) -> str:
        body = {"name": name, "credential_number": f"12{uid()}", "legal_qualification": legal, "team_id": team["id"]}
        return str((await ok(await head.post(f"{API}/officers", json=body), 201))["id"])

    return Team(
        id=team["id"],
        name=team["name"],
        investigators=[await officer("王伟"), await officer("李娜")],
        reviewer=await officer("张敏"),
        legal=await officer("刘洋", legal=True),
    )


def party_body(**extra: Any) -> dict[str, Any]:
    return {
        "party_type": "organisation",
        "name": f"天津某化工有限公司{uid()}",
        "credit_code": credit_code(),
        "legal_representative": "张三",
        "address": "天津市西青区某路1号",
        "town": "中北镇",
        **extra,
    }


async def file_case(
    head: httpx.AsyncClient, team: Team, *, filed_on: str = "2021-06-01", status: int = 201, **extra: Any
) -> dict[str, Any]:
    """A party, an inspection by two officers that opens a lead (on ``filed_on``), and the head's filing; ``extra``
    goes into the filing (e.g. the violation's dates); ``status`` other than 201 returns the problem."""
    party = await ok(await head.post(f"{API}/parties", json=party_body()), 201)
    inspection = await ok(
        await head.post(
            f"{API}/inspections",
            json={
                "inspected_at": f"{filed_on}T09:30:00+08:00",
                "place": "天津市西青区某路1号厂区",
                "party_id": party["id"],
                "officer_ids": team.investigators,
                "findings": "废水总排口化学需氧量超标",
                "open_lead": True,
            },
        ),
        201,
    )
    body = {
        "lead_id": inspection["lead_id"],
        "party_id": party["id"],
        "filed_on": filed_on,
        "investigator_ids": team.investigators,
        "medium": "water",
        "summary": "涉嫌超标排放水污染物",
        **extra,
    }
    case: dict[str, Any] = await ok(await head.post(API, json=body), status)
    return case


async def step(client: httpx.AsyncClient, case: dict[str, Any], status: int = 200, /, **body: Any) -> Any:
    """POST a transition with the case's current ETag; returns the new case (or the problem)."""
    current = await client.get(f"{API}/{case['id']}")
    answer = await client.post(
        f"{API}/{case['id']}/transitions", json=body, headers={"If-Match": current.headers["etag"]}
    )
    return await ok(answer, status)


def decision_for(case: dict[str, Any], *, fine_fen: int, decided_on: str) -> dict[str, Any]:
    return {
        "kind": "penalty",
        "case_id": case["id"],
        "decided_on": decided_on,
        "party": {**party_body(), "party_id": case["party_id"], "name": case["party_name"]},
        "facts": "超标排放水污染物，化学需氧量超过排放标准2.1倍。",
        "legal_basis": "《中华人民共和国水污染防治法》第八十三条第二项",
        "violation_type": "超标排放",
        "penalty": {"fine_fen": fine_fen, "summary": "罚款"},
        "penalty_valid_until": "2024-12-31",
    }


def meeting_for(case: dict[str, Any], held_on: str) -> dict[str, Any]:
    """A case review meeting (案件审议会) that discussed ``case``: every filed penalty case goes to one."""
    return {
        "held_on": held_on,
        "attendees": [{"name": "局长"}, {"name": "法制科长"}, {"name": "律师", "legal_counsel": True}],
        "items": [{"case_id": case["id"], "outcome": "同意"}],
        "minutes": "审议本案。",
    }


async def settle(stack: Any) -> None:
    """Let the relay publish everything before the stack stops.

    On Python 3.11, ``asyncio.wait_for`` can swallow a cancellation that arrives just as the awaited event fires
    (CPython gh-86296); the relay's idle wait then ignores the stop, so tests let it go idle first.
    """
    from sqlalchemy import func, select

    from shared.messaging.tables import OutboxRecord
    from tests.stack import eventually

    async def drained() -> bool:
        async with stack.runtime("cases").sessions() as session:
            pending = select(func.count()).select_from(OutboxRecord).where(OutboxRecord.published_at.is_(None))  # type: ignore[union-attr]
            return int((await session.execute(pending)).scalar_one()) == 0

    await eventually(drained)
    await asyncio.sleep(0.05)
