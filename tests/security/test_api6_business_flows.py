"""API6:2023 Unrestricted Access to Sensitive Business Flows.

The flows whose abuse would matter here: decision numbers (gapless and unique, even under concurrent issue and
with refused attempts in between: a gap or a duplicate in 文书编号 is a legal defect), the case procedure (no stage
can be skipped: a case cannot be decided or closed without investigation, review, notice and legal review), and
retried writes (an ``Idempotency-Key`` replays the first answer, never acts twice; a reused key with another body
is refused; keys are per caller). PostgreSQL concurrency of numbering is in tests/integration/test_cases_numbering.py,
the full procedure in tests/integration/test_cases_procedure.py.
"""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest

from tests.factories import decision_body
from tests.support.cases import file_case, make_team, party_body, step
from tests.support.system import System, assert_problem

pytestmark = pytest.mark.integration


async def test_decision_numbers_stay_gapless_under_concurrent_issue_and_refusals(system: System) -> None:
    year = "2019"  # a year no other test issues in, so its sequence is this test's alone
    async with system.client(system.staff_token("head", subject="head-numbers")) as head:

        async def issue(index: int) -> int:
            body = decision_body(decided_on=f"{year}-05-{10 + index:02d}")
            if index % 3 == 0:  # refused attempts (an invalid credit code) must not consume a number
                bad = {**body, "party": {**body["party"], "credit_code": "91120111000000000X"}}
                assert_problem(await head.post("/api/v1/cases/decisions", json=bad), 422)
            answer = await head.post("/api/v1/cases/decisions", json=body)
            assert answer.status_code == 201, answer.text
            number = answer.json()["document_number"]
            match = re.search(rf"〔{year}〕(\d+)号$", number)
            assert match is not None, number
            return int(match.group(1))

        numbers = await asyncio.gather(*(issue(i) for i in range(8)))
    assert sorted(numbers) == list(range(1, 9))


async def test_no_stage_of_the_procedure_can_be_skipped(system: System) -> None:
    async with system.client(system.staff_token("head", subject="head-procedure")) as head:
        team = await make_team(head)
        case = await file_case(head, team)
        for target in ("review", "notice", "legal_review", "collective_discussion", "decided", "served", "closed"):
            problem = await step(head, case, 409, to=target, on="2021-06-02")
            assert problem["status"] == 409, problem
        unchanged = (await head.get(f"/api/v1/cases/{case['id']}")).json()
        assert unchanged["stage"] == "filed"
        # A decision for a case that has not been through its procedure is refused too.
        body = {**decision_body(decided_on="2021-06-03"), "case_id": case["id"]}
        assert_problem(await head.post("/api/v1/cases/decisions", json=body), 409, 422)


async def test_idempotency_keys_replay_never_act_twice_and_are_per_caller(system: System) -> None:
    body = party_body()
    key = {"Idempotency-Key": f"party-{uuid.uuid4()}"}
    async with system.client(system.staff_token("officer", subject="officer-a")) as officer:
        first = await officer.post("/api/v1/cases/parties", json=body, headers=key)
        again = await officer.post("/api/v1/cases/parties", json=body, headers=key)
        assert first.status_code == again.status_code == 201, first.text
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        reused = await officer.post("/api/v1/cases/parties", json=party_body(), headers=key)
        assert assert_problem(reused, 422)["type"].endswith(":idempotency-key-reused")
        found = (await officer.get("/api/v1/cases/parties", params={"q": body["name"]})).json()
    assert [party["id"] for party in found["items"]] == [first.json()["id"]]  # one party, not two
    # Another caller cannot read the first caller's answer by guessing its key: the key is theirs alone.
    async with system.client(system.staff_token("officer", subject="officer-b")) as other:
        theirs = await other.post("/api/v1/cases/parties", json=body, headers=key)
    assert theirs.status_code == 409  # acted on its own: the party exists already (not the replayed 201)
    assert "idempotent-replayed" not in theirs.headers
