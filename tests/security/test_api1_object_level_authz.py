"""API1:2023 Broken Object Level Authorization, through the gateway.

A police unit sees and acts on only the referrals sent to it (another unit's answer is a 404, as if the referral did
not exist); an officer sees and acts on only the cases of its own team (heads, legal reviewers and auditors see all).
The police feed's unit isolation is also covered in depth by tests/integration/test_referral_police_api.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_cases_support import file_case, make_team
from tests.integration.test_referral_support import now_iso, requested, transfer
from tests.security.conftest import System, assert_problem

pytestmark = pytest.mark.integration

UNIT_A, UNIT_B = "西青公安分局", "北辰公安分局"


@pytest.fixture(scope="module")
async def sent_to_a(system: System) -> str:
    """A referral transferred to unit A."""
    referral = await requested(system.stack, police_unit=UNIT_A)
    async with system.client(system.staff_token("officer")) as staff:
        answer = await transfer(staff, referral.id, transfer_letter_number="西青环移〔2024〕9号")
        assert answer.status_code == 200, answer.text
    return referral.id


async def feed(client: Any) -> list[str]:
    page = await client.get("/police/v1/referrals", params={"limit": 100})
    assert page.status_code == 200, page.text
    return [item["id"] for item in page.json()["items"]]


async def test_a_police_unit_cannot_see_or_act_on_another_units_referral(system: System, sent_to_a: str) -> None:
    path = f"/police/v1/referrals/{sent_to_a}"
    async with system.client(system.police_token(UNIT_B, subject="beichen")) as other:
        assert sent_to_a not in await feed(other)
        assert_problem(await other.get(path), 404)
        assert_problem(await other.get(f"{path}/documents/00000000-0000-4000-8000-000000000000"), 404)
        receipt = await other.post(f"{path}/receipt", json={"received_at": now_iso(), "receiver": "冒领"})
        assert_problem(receipt, 404)
        decision = {"decision": "declined", "reason": "不构成犯罪", "decided_at": now_iso()}
        assert_problem(await other.post(f"{path}/decision", json=decision), 404)
    async with system.client(system.police_token(UNIT_A, subject="xiqing")) as own:
        assert sent_to_a in await feed(own)
        got = await own.get(path)
        assert got.status_code == 200, got.text
        assert got.json()["status"] == "transferred"  # the other unit's attempts changed nothing


async def test_a_police_token_without_a_unit_sees_nothing(system: System, sent_to_a: str) -> None:
    token = system.stack.police_token(unit="", subject="no-unit")
    async with system.client(token) as client:
        assert_problem(await client.get("/police/v1/referrals"), 403)
        assert_problem(await client.get(f"/police/v1/referrals/{sent_to_a}"), 403)


@pytest.fixture(scope="module")
async def case_of_team_y(system: System) -> tuple[dict[str, Any], str, str]:
    """A case of team Y; the names of teams X and Y."""
    async with system.client(system.staff_token("head")) as head:
        team_x, team_y = await make_team(head), await make_team(head)
        case = await file_case(head, team_y)
    assert case["team"] == team_y.name
    return case, team_x.name, team_y.name


async def test_an_officer_cannot_reach_another_teams_case(
    system: System, case_of_team_y: tuple[dict[str, Any], str, str]
) -> None:
    case, team_x, team_y = case_of_team_y
    path = f"/api/v1/cases/{case['id']}"
    for token in (system.staff_token("officer", team=team_x), system.staff_token("officer")):
        async with system.client(token) as outsider:
            assert_problem(await outsider.get(path), 404)
            for sub in ("evidence", "history"):
                assert_problem(await outsider.get(f"{path}/{sub}"), 404)
            assert_problem(await outsider.post(f"{path}/evidence/verification"), 404)
            step = await outsider.post(
                f"{path}/transitions", json={"to": "investigating", "on": "2021-06-02"}, headers={"If-Match": '"1"'}
            )
            assert_problem(step, 404)
            stop = {"reason": "hearing", "started_on": "2021-06-03"}
            assert_problem(await outsider.post(f"{path}/clock-stops", json=stop), 404, 422)
            listed = await outsider.get("/api/v1/cases", params={"limit": 100})
            assert listed.status_code == 200, listed.text
            assert case["id"] not in {item["id"] for item in listed.json()["items"]}
    async with system.client(system.staff_token("officer", team=team_y)) as member:
        mine = await member.get(path)
        assert mine.status_code == 200, mine.text
        assert mine.json()["stage"] == "filed"  # the outsiders' attempts changed nothing
        listed = await member.get("/api/v1/cases", params={"limit": 100})
        assert case["id"] in {item["id"] for item in listed.json()["items"]}
    for role in ("head", "legal_reviewer", "auditor"):
        async with system.client(system.staff_token(role)) as unscoped:
            assert (await unscoped.get(path)).status_code == 200
