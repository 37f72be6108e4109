"""The corrected legal answers of a case file, asked through the API: hearing rights by the notice's date (fine and
confiscation each against its own threshold, a local rule first), who may do the legal review (§58 ¶2), the
bureau's review meeting for every penalty case, and the second extension with the meeting's own period."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.cases.domain.identifiers import id_number_check_char
from shared.http import etag_of
from tests.stack import Stack, StackConfig
from tests.support.cases import (
    API,
    Team,
    decision_for,
    make_team,
    meeting_for,
    ok,
    party_body,
    settle,
    step,
    uid,
)

pytestmark = pytest.mark.integration


def cases_only(tmp_path: Path, **overrides: Any) -> StackConfig:
    return StackConfig(
        database="sqlite", transport="inprocess", data_dir=tmp_path, services=("cases",), overrides={"cases": overrides}
    )


@pytest.fixture
async def cases(tmp_path: Path) -> AsyncIterator[Stack]:
    async with Stack(cases_only(tmp_path)) as running:
        yield running
        await settle(running)


def person() -> dict[str, Any]:
    first17 = f"120111198{random.randint(0, 9)}0{random.randint(1, 9)}1{random.randint(0, 9)}{random.randint(100, 999)}"
    return {"party_type": "individual", "name": f"赵{uid()}", "id_number": first17 + id_number_check_char(first17)}


async def case_at_notice(
    head: httpx.AsyncClient,
    team: Team,
    *,
    notice_on: str,
    proposed: dict[str, Any],
    party: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A case filed a month before ``notice_on`` and walked to the notice of rights (告知), received that day."""
    filed_on = (date.fromisoformat(notice_on) - timedelta(days=30)).isoformat()
    registered = await ok(await head.post(f"{API}/parties", json=party or party_body()), 201)
    lead = {"source": "complaint", "received_on": filed_on, "summary": "12369 举报", "party_id": registered["id"]}
    lead_id = (await ok(await head.post(f"{API}/leads", json=lead), 201))["id"]
    filing = {
        "lead_id": lead_id,
        "party_id": registered["id"],
        "filed_on": filed_on,
        "investigator_ids": team.investigators,
        "medium": "water",
        "summary": "涉嫌超标排放水污染物",
    }
    case = await ok(await head.post(API, json=filing), 201)
    case = await step(head, case, to="investigating", on=filed_on)
    case = await step(head, case, to="review", on=notice_on, reviewer_id=team.reviewer)
    return await step(head, case, to="notice", on=notice_on, proposed=proposed, notice_received_on=notice_on)


async def ask_hearing(head: httpx.AsyncClient, case: dict[str, Any], status: int) -> Any:
    day = case["notice_on"]
    return await step(head, case, status, to="hearing", on=day, hearing_requested_on=day)


async def test_fine_and_confiscation_are_each_compared_with_the_threshold_of_the_notice_date(cases: Stack) -> None:
    async with cases.client("cases", "head") as head:
        team = await make_team(head)
        # The worked example: an organisation, ¥150,000 fine and ¥100,000 confiscation. Added they would pass
        # ¥200,000; compared each with its own threshold, neither does.
        both = {"fine_fen": 15_000_000, "confiscation_fen": 10_000_000}
        case = await case_at_notice(head, team, notice_on="2024-03-01", proposed=both)
        assert case["notice_on"] == "2024-03-01"
        refused = await ask_hearing(head, case, 409)
        assert refused["missing_step"] == "no_hearing_right"
        assert "第六十三条" in refused["rule"]
        assert "¥200,000" in refused["detail"]
        for proposed in ({"fine_fen": 20_000_000}, {"confiscation_fen": 20_000_000}):  # each ground alone, at it
            at_edge = await case_at_notice(head, team, notice_on="2024-03-01", proposed=proposed)
            assert (await ask_hearing(head, at_edge, 200))["stage"] == "hearing"
        below = {"fine_fen": 19_999_999, "confiscation_fen": 19_999_999}
        case = await case_at_notice(head, team, notice_on="2024-03-01", proposed=below)
        await ask_hearing(head, case, 409)

        # The notice's date picks the row: ¥60,000 is large for an organisation before 2023-07-01, not from then.
        old = await case_at_notice(head, team, notice_on="2023-06-30", proposed={"fine_fen": 6_000_000})
        assert (await ask_hearing(head, old, 200))["stage"] == "hearing"
        new = await case_at_notice(head, team, notice_on="2023-07-01", proposed={"fine_fen": 6_000_000})
        await ask_hearing(head, new, 409)

        # An individual: ¥5,000 is large, ¥4,999.99 is not; a licence revocation is a ground whatever the amount.
        individual = await case_at_notice(
            head, team, notice_on="2024-03-01", proposed={"fine_fen": 500_000}, party=person()
        )
        await ask_hearing(head, individual, 200)
        individual = await case_at_notice(
            head, team, notice_on="2024-03-01", proposed={"fine_fen": 499_999}, party=person()
        )
        await ask_hearing(head, individual, 409)
        revocation = {"fine_fen": 100_000, "licence_revocation": True}
        await ask_hearing(head, await case_at_notice(head, team, notice_on="2024-03-01", proposed=revocation), 200)


async def test_a_local_rule_takes_precedence_while_in_force(tmp_path: Path) -> None:
    amounts = {"individual_fen": 300_000, "organisation_fen": 10_000_000}
    row = {"effective_from": "2024-01-01", "effective_until": "2024-12-31", "basis": "某市地方性法规"}
    local = tmp_path / "local-hearing.json"
    local.write_text(json.dumps({"rows": [{**row, "fine": amounts, "confiscation": amounts}]}), encoding="utf-8")
    async with Stack(cases_only(tmp_path, hearing_thresholds_local_file=local)) as stack:
        async with stack.client("cases", "head") as head:
            team = await make_team(head)
            proposed = {"fine_fen": 15_000_000}
            inside = await case_at_notice(head, team, notice_on="2024-12-31", proposed=proposed)
            await ask_hearing(head, inside, 200)  # ¥150,000 ≥ the local ¥100,000
            after = await case_at_notice(head, team, notice_on="2025-01-02", proposed=proposed)
            await ask_hearing(head, after, 409)  # the local rule has ended: the national ¥200,000 again
        await settle(stack)


async def register_reviewer(head: httpx.AsyncClient, team: Team, **fields: Any) -> dict[str, Any]:
    body = {"name": "法制科", "credential_number": f"12{uid()}", "team_id": team.id, **fields}
    officer: dict[str, Any] = await ok(await head.post(f"{API}/officers", json=body), 201)
    return officer


async def test_only_those_who_first_took_up_legal_review_from_2021_07_15_need_the_qualification(cases: Stack) -> None:
    async with cases.client("cases", "head") as head:
        team = await make_team(head)
        case = await case_at_notice(head, team, notice_on="2022-03-01", proposed={"fine_fen": 1_000_000})
        veteran = await register_reviewer(head, team, legal_review_started_on="2021-07-14")
        newcomer = await register_reviewer(head, team, legal_review_started_on="2021-07-15")
        unrecorded = await register_reviewer(head, team)
        assert (veteran["legal_review_started_on"], unrecorded["legal_review_started_on"]) == ("2021-07-14", None)

        def review(officer: dict[str, Any]) -> dict[str, Any]:
            return {
                "to": "legal_review",
                "on": "2022-03-15",
                "legal_reviewer_id": officer["id"],
                "legal_opinion": "agree",
            }

        for officer in (newcomer, unrecorded):
            refused = await step(head, case, 409, **review(officer))
            assert refused["missing_step"] == "qualified_legal_reviewer"
            assert "第五十八条第二款" in refused["rule"]

        # The head records that the unrecorded one was already reviewing in 2019: 老人老办法.
        url = f"{API}/officers/{unrecorded['id']}"
        stale = await head.patch(url, json={"legal_review_started_on": "2019-05-06"}, headers={"If-Match": '"x"'})
        assert stale.status_code == 412
        etag = etag_of(unrecorded["id"], unrecorded["version"])
        patched = await head.patch(url, json={"legal_review_started_on": "2019-05-06"}, headers={"If-Match": etag})
        assert (await ok(patched))["legal_review_started_on"] == "2019-05-06"
        bad = await head.patch(url, json={"legal_qualification": None}, headers={"If-Match": patched.headers["etag"]})
        assert bad.status_code == 422
        reviewed = await step(head, case, **review(unrecorded))
        assert reviewed["legal_reviewer_id"] == unrecorded["id"]

        # The newcomer with the qualification obtained later may review; the veteran without it too.
        other = await case_at_notice(head, team, notice_on="2022-03-01", proposed={"fine_fen": 1_000_000})
        qualified = await head.patch(
            f"{API}/officers/{newcomer['id']}",
            json={"legal_qualification": True},
            headers={"If-Match": etag_of(newcomer["id"], newcomer["version"])},
        )
        assert (await ok(qualified))["legal_qualification"] is True
        await step(head, other, **review(newcomer))
        third = await case_at_notice(head, team, notice_on="2022-03-01", proposed={"fine_fen": 1_000_000})
        await step(head, third, **review(veteran))
    async with cases.client("cases", "officer") as officer:
        refused_role = await officer.patch(url, json={"legal_qualification": True}, headers={"If-Match": "*"})
        assert refused_role.status_code == 403


async def meeting_on(head: httpx.AsyncClient, held_on: str, case: dict[str, Any]) -> str:
    return str((await ok(await head.post(f"{API}/review-meetings", json=meeting_for(case, held_on)), 201))["id"])


async def decide(head: httpx.AsyncClient, case: dict[str, Any], fine_fen: int, status: int) -> Any:
    body = decision_for(case, fine_fen=fine_fen, decided_on="2021-09-16")
    return await ok(await head.post(f"{API}/decisions", json=body), status)


async def test_every_filed_penalty_case_goes_to_the_review_meeting(cases: Stack) -> None:
    async with cases.client("cases", "head") as head:
        team = await make_team(head)
        # ¥10,000: far below every national ground for collective discussion, yet the bureau's rule applies.
        case = await case_at_notice(head, team, notice_on="2021-09-01", proposed={"fine_fen": 1_000_000})
        refused = await decide(head, case, 1_000_000, 409)
        assert refused["missing_step"] == "collective_discussion"
        assert "every filed penalty case" in refused["detail"]
        meeting_id = await meeting_on(head, "2021-09-14", case)
        case = await step(head, case, to="collective_discussion", on="2021-09-14", meeting_id=meeting_id)
        await decide(head, case, 1_000_000, 201)


async def test_with_the_bureau_rule_off_only_the_national_grounds_count(tmp_path: Path) -> None:
    async with Stack(cases_only(tmp_path, review_meeting_for_every_penalty=False)) as stack:
        async with stack.client("cases", "head") as head:
            team = await make_team(head)
            below = await case_at_notice(head, team, notice_on="2021-09-01", proposed={"fine_fen": 49_999_999})
            await decide(head, below, 49_999_999, 201)
            at = await case_at_notice(head, team, notice_on="2021-09-01", proposed={"fine_fen": 50_000_000})
            refused = await decide(head, at, 50_000_000, 409)
            assert refused["missing_step"] == "collective_discussion"
            assert "every filed penalty case" not in refused["detail"]
        await settle(stack)


async def extend(head: httpx.AsyncClient, case: dict[str, Any], body: dict[str, Any]) -> httpx.Response:
    etag = (await head.get(f"{API}/{case['id']}")).headers["etag"]
    return await head.post(f"{API}/{case['id']}/extensions", json=body, headers={"If-Match": etag})


async def test_the_second_extension_carries_the_period_the_meeting_set(cases: Stack) -> None:
    async with cases.client("cases", "head") as head:
        team = await make_team(head)
        case = await case_at_notice(head, team, notice_on="2021-03-31", proposed={"fine_fen": 1_000_000})
        assert case["filed_on"] == "2021-03-01"
        assert case["decision_due_on"] == "2021-05-31"  # 90 days
        assert (await extend(head, case, {"by": "head", "days": 30})).status_code == 422  # the head's is 30, fixed
        case = await ok(await extend(head, case, {"by": "head"}))
        assert case["decision_due_on"] == "2021-06-29"  # +30
        other = await case_at_notice(head, team, notice_on="2021-03-31", proposed={"fine_fen": 1_000_000})
        elsewhere = await meeting_on(head, "2021-06-20", other)
        meeting_id = await meeting_on(head, "2021-06-21", case)
        not_ours = await extend(head, case, {"by": "collective_discussion", "meeting_id": elsewhere, "days": 45})
        assert (not_ours.status_code, not_ours.json()["missing_step"]) == (409, "review_meeting")
        no_period = await extend(head, case, {"by": "collective_discussion", "meeting_id": meeting_id})
        assert no_period.status_code == 422
        for days in (0, 366):
            body = {"by": "collective_discussion", "meeting_id": meeting_id, "days": days}
            assert (await extend(head, case, body)).status_code == 422
        body = {"by": "collective_discussion", "meeting_id": meeting_id, "days": 45}
        case = await ok(await extend(head, case, body))
        assert (case["collective_extension"], case["collective_extension_days"]) == (True, 45)
        assert case["decision_due_on"] == "2021-08-13"  # 90 + 30 + 45 days from 2021-03-01, not a fixed +30
        again = await extend(head, case, {**body, "days": 10})
        assert again.status_code == 409
        watch = await ok(await head.get(f"{API}/deadlines", params={"as_of": "2021-08-10", "within": 7}))
        mine = [i["due_on"] for i in watch["items"] if i["case_id"] == case["id"] and i["step"] == "decision"]
        assert mine == ["2021-08-13"]
        history = await ok(await head.get(f"{API}/{case['id']}/history"))
        extended = [e["data"] for e in history["entries"] if e["action"] == "extended"]
        assert (extended[-1]["days"], extended[-1]["meeting_id"]) == (45, meeting_id)
