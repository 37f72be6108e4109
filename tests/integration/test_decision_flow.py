"""The backbone's first flow: cases issues a decision, disclosure creates the publication with its due date."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import func, select

from services.disclosure.tables import Publication
from shared.audit import verify_chain
from shared.messaging.tables import InboxRecord, OutboxRecord
from tests.factories import decision_body
from tests.stack import Stack, eventually

pytestmark = pytest.mark.integration


async def count(stack: Stack, service: str, model: type) -> int:
    async with stack.runtime(service).sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def publications(stack: Stack) -> list[Publication]:
    async with stack.runtime("disclosure").sessions() as session:
        return list((await session.execute(select(Publication))).scalars())


async def test_issued_decision_becomes_pending_publication_with_due_date(stack: Stack) -> None:
    async with stack.client("cases", "head") as cases, stack.client("disclosure", "disclosure_editor") as disclosure:
        penalty = await cases.post("/api/v1/cases/decisions", json=decision_body(kind="penalty"))
        order = await cases.post(
            "/api/v1/cases/decisions", json=decision_body(kind="order_to_correct", decided_on="2021-09-28")
        )
        assert penalty.status_code == 201, penalty.text
        assert order.status_code == 201, order.text
        assert penalty.json()["document_number"] == "津西青环罚〔2021〕1号"

        async def both_published() -> list[Publication] | None:
            rows = await publications(stack)
            return rows if len(rows) == 2 else None

        rows = {p.decision_id: p for p in await eventually(both_published)}
        assert rows[penalty.json()["id"]].due_on.isoformat() == "2021-10-13"  # 7 working days over National Day
        assert rows[order.json()["id"]].status == "pending"
        # 20 working days from 2021-09-28: Oct 1–7 holiday, Oct 9 (Saturday) a make-up working day.
        assert rows[order.json()["id"]].due_on.isoformat() == "2021-11-01"

        listed = await disclosure.get("/api/v1/disclosure/publications", params={"decision_id": penalty.json()["id"]})
        assert listed.status_code == 200
        assert listed.json()["items"][0]["due_on"] == "2021-10-13"

    async with stack.runtime("disclosure").sessions() as session:
        assert (await verify_chain(session)).ok
    async with stack.runtime("cases").sessions() as session:
        assert (await verify_chain(session)).ok


async def test_due_date_endpoint(stack: Stack) -> None:
    async with stack.client("disclosure", "officer") as client:
        answer = await client.get("/api/v1/disclosure/due-date", params={"kind": "penalty", "decided_on": "2021-09-28"})
        assert answer.status_code == 200
        assert answer.json() == {"due_on": "2021-10-13", "working_days": 7, "provisional": False}
        bad = await client.get("/api/v1/disclosure/due-date", params={"kind": "nonsense", "decided_on": "2021-09-28"})
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")


async def test_concurrent_decisions_get_gapless_unique_numbers(stack: Stack) -> None:
    async with stack.client("cases", "head") as cases:
        answers = await asyncio.gather(
            *(cases.post("/api/v1/cases/decisions", json=decision_body(decided_on="2022-03-01")) for _ in range(12))
        )
    numbers = sorted(int(a.json()["document_number"].split("〕")[1].rstrip("号")) for a in answers)
    assert [a.status_code for a in answers] == [201] * 12
    assert numbers == list(range(1, 13))
    await eventually(lambda: _published_all(stack, 12))
    assert await count(stack, "disclosure", InboxRecord) == 12


async def _published_all(stack: Stack, n: int) -> bool:
    async with stack.runtime("cases").sessions() as session:
        pending = (
            await session.execute(
                select(func.count()).select_from(OutboxRecord).where(OutboxRecord.published_at.is_(None))
            )  # type: ignore[union-attr]
        ).scalar_one()
    return pending == 0 and await count(stack, "disclosure", Publication) == n
