"""Decision kinds and procedure rules through the API: restricting or halting production is a penalty from
2021-07-15 (行政处罚法 §9(四)) with no fine on it; the time bar at filing; the simple procedure's limits; evidence
registered and preserved; the hearing notice. Each with the rule's worked example and a case at its edge."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.demo.plan import id_number
from tests.factories import decision_body
from tests.stack import Stack, StackConfig, eventually
from tests.support.cases import API, file_case, make_team, ok, settle, step

pytestmark = pytest.mark.integration

DECISIONS = f"{API}/decisions"


@pytest.fixture
async def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Stack]:
    """Cases and disclosure, every kind published as soon as it is issued (Credit China records then wait)."""
    modes = dict.fromkeys(["penalty", "yellow_card", "production_restriction", "order_to_correct"], "auto")
    monkeypatch.setenv("GREENLAW_DISCLOSURE_PUBLISH_MODES", json.dumps(modes))
    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)) as running:
        yield running
        await settle(running)


def restriction(kind: str, decided_on: str, *, mode: str = "restrict", **penalty: Any) -> dict[str, Any]:
    body = decision_body(kind=kind, decided_on=decided_on)
    body["penalty"] = {"summary": "责令限制生产三个月" if mode == "restrict" else "责令停产整治", **penalty}
    if kind == "production_restriction":
        body["restriction"] = {"mode": mode, "months": 3}
    return body


async def published_with_credit(stack: Stack, decision_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    async with stack.client("disclosure", "disclosure_editor") as editor:

        async def publication() -> dict[str, Any] | None:
            found = (await editor.get("/api/v1/disclosure/publications", params={"decision_id": decision_id})).json()
            items = [p for p in found["items"] if p["status"] == "published"]
            return items[0] if items else None

        item: dict[str, Any] = await eventually(publication)
        ledger = await editor.get("/api/v1/disclosure/credit-china/records", params={"publication_id": item["id"]})
        return item, ledger.json()["items"]


@pytest.mark.parametrize(
    ("kind", "mode", "category"),
    [("yellow_card", "restrict", "限制开展生产经营活动"), ("production_restriction", "halt", "责令停产停业")],
)
async def test_restricting_or_halting_production_is_a_penalty(
    local: Stack, kind: str, mode: str, category: str
) -> None:
    async with local.client("cases", "head") as head:
        # The worked example: decided 2021-09-28, public by 2021-10-13 (National Day; Saturday Oct 9 works).
        decision = await ok(await head.post(DECISIONS, json=restriction(kind, "2021-09-28", mode=mode)), 201)
        # The edge: the day before 行政处罚法 (2021) took effect it was another enforcement decision (20 days).
        before = await ok(await head.post(DECISIONS, json=restriction(kind, "2021-07-14", mode=mode)), 201)
        first_day = await ok(await head.post(DECISIONS, json=restriction(kind, "2021-07-15", mode=mode)), 201)
    publication, records = await published_with_credit(local, decision["id"])
    assert publication["due_on"] == "2021-10-13"
    assert [r["operation"] for r in records] == ["upsert"]
    assert category in records[0]["fields"]["penalty_category"]
    assert records[0]["fields"]["fine_wan_yuan"] == ""
    publication, records = await published_with_credit(local, before["id"])
    assert (publication["due_on"], records) == ("2021-08-11", [])
    publication, records = await published_with_credit(local, first_day["id"])
    assert publication["due_on"] == "2021-07-26"
    assert len(records) == 1
    async with local.client("disclosure", "officer") as officer:
        for day, due in (("2021-09-28", "2021-10-13"), ("2021-07-14", "2021-08-11"), ("2021-07-15", "2021-07-26")):
            answer = await ok(
                await officer.get("/api/v1/disclosure/due-date", params={"kind": kind, "decided_on": day})
            )
            assert answer["due_on"] == due


async def test_a_fine_is_a_separate_penalty_decision(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        for body in (
            restriction("yellow_card", "2021-09-28", fine_fen=5_000_000),
            restriction("yellow_card", "2021-07-14", fine_fen=1),  # before 2021 the notice carried none either
            restriction("production_restriction", "2021-09-28", mode="halt", confiscation_fen=100),
            {**decision_body(kind="order_to_correct"), "penalty": {"fine_fen": 100, "summary": "罚款"}},
        ):
            refused = await head.post(DECISIONS, json=body)
            assert refused.status_code == 422, refused.text
            problem = refused.json()
            assert problem["type"].endswith("fine-separate-decision")
            assert "separate penalty decision" in problem["detail"]
        card = await ok(await head.post(DECISIONS, json=restriction("yellow_card", "2021-09-28")), 201)
        fine = await ok(await head.post(DECISIONS, json=decision_body(kind="penalty", fine_fen=5_000_000)), 201)
        assert fine["penalty"]["fine_fen"] == 5_000_000
        amend = {"amended_on": "2021-09-30", "reason": "补充罚款", "penalty": {"fine_fen": 100, "summary": "罚款"}}
        etag = (await head.get(f"{DECISIONS}/{card['id']}")).headers["etag"]
        refused = await head.post(f"{DECISIONS}/{card['id']}/amendment", json=amend, headers={"If-Match": etag})
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("fine-separate-decision")


VIOLATION_EDGES = [
    # discovered (the lead) on 2021-06-01
    ({"committed_on": "2019-06-01"}, 201),  # exactly 2 years: still in time
    ({"committed_on": "2019-05-31"}, 422),
    ({"committed_on": "2019-05-31", "serious_harm": True}, 201),  # 5 years where life, health, finance harmed
    ({"committed_on": "2016-05-31", "serious_harm": True}, 422),
    ({"committed_on": "2017-03-01", "ended_on": "2019-06-01"}, 201),  # continuing: counted from its end
    ({"committed_on": "2017-03-01", "ended_on": "2019-05-31"}, 422),
]


async def test_filing_is_refused_once_the_time_bar_has_run(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        team = await make_team(head)
        for violation, status in VIOLATION_EDGES:
            answer = await file_case(head, team, filed_on="2021-06-01", status=status, violation=violation)
            if status == 201:
                assert answer["violation"]["committed_on"] == violation["committed_on"]
                continue
            assert answer["type"].endswith("time-barred"), answer
            assert "第三十六条" in answer["rule"]
            assert answer["discovered_on"] == "2021-06-01"
        unknown = await file_case(head, team, filed_on="2021-06-01")  # dates unknown: filed, nothing to judge
        assert unknown["violation"] is None
        later = await file_case(head, team, status=422, violation={"committed_on": "2021-06-02"})
        assert later["type"].endswith("validation")


def individual(fine_fen: int, **extra: Any) -> dict[str, Any]:
    body = decision_body(fine_fen=fine_fen, decided_on="2021-09-28")
    party = {"party_type": "individual", "name": f"张某{uuid.uuid4().hex[:4]}", "id_number": id_number(random.Random())}
    return {**body, "party": party, "simple_procedure": True, **extra}


def organisation(fine_fen: int, **extra: Any) -> dict[str, Any]:
    return {**decision_body(fine_fen=fine_fen, decided_on="2021-09-28"), "simple_procedure": True, **extra}


async def test_the_simple_procedures_limits(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        # 行政处罚法 §51: ¥200 for a citizen, ¥3,000 for an organisation, or a warning.
        for body in (individual(20_000), organisation(300_000), organisation(0, penalty={"warning": True})):
            answer = await ok(await head.post(DECISIONS, json=body), 201)
            assert answer["terms"]["simple_procedure"] is True
        sole_trader = organisation(20_001)
        sole_trader["party"] = {**sole_trader["party"], "party_type": "sole_trader"}
        for body in (
            individual(20_001),
            organisation(300_001),
            sole_trader,
            organisation(1_000, penalty={"fine_fen": 1_000, "confiscation_fen": 1_000}),
            {**organisation(300_000), "kind": "order_to_correct", "penalty": {"warning": True}},
        ):
            refused = await head.post(DECISIONS, json=body)
            assert refused.status_code == 422, refused.text
            assert refused.json()["type"].endswith("simple-procedure")
        # Not the simple procedure, the same fine is a decision like any other.
        assert (await head.post(DECISIONS, json=individual(20_001, simple_procedure=False))).status_code == 201
        team = await make_team(head)
        case = await file_case(head, team)
        in_case = {**organisation(1_000), "case_id": case["id"]}
        in_case["party"] = {**in_case["party"], "party_id": case["party_id"]}
        refused = await head.post(DECISIONS, json=in_case)
        assert refused.json()["type"].endswith("simple-procedure")
        ok_body = await ok(await head.post(DECISIONS, json=individual(20_000)), 201)
        etag = (await head.get(f"{DECISIONS}/{ok_body['id']}")).headers["etag"]
        raise_fine = {"amended_on": "2021-09-30", "reason": "改正", "penalty": {"fine_fen": 20_001, "summary": "罚款"}}
        amended = await head.post(f"{DECISIONS}/{ok_body['id']}/amendment", json=raise_fine, headers={"If-Match": etag})
        assert amended.json()["type"].endswith("simple-procedure")


async def dispose(client: httpx.AsyncClient, case_id: str, item_id: str, on: str) -> httpx.Response:
    etag = (await client.get(f"{API}/{case_id}")).headers["etag"]
    body = {"disposed_on": on, "disposal": "testing", "note": "送交检测"}
    return await client.post(f"{API}/{case_id}/preservations/{item_id}/disposal", json=body, headers={"If-Match": etag})


async def test_preserved_evidence_is_disposed_of_within_seven_working_days(local: Stack) -> None:
    body = {"items": ["废水样品2瓶", "排污泵1台"], "place": "厂区仓库", "preserved_on": "2021-09-28"}
    async with local.client("cases", "head") as head:
        team = await make_team(head)
        case = await file_case(head, team, filed_on="2021-09-27")
        unapproved = await head.post(f"{API}/{case['id']}/preservations", json=body)
        assert unapproved.status_code == 422
        assert unapproved.json()["type"].endswith("head-approval")
        path = f"{API}/{case['id']}/preservations"
        lapsing = await ok(await head.post(path, json={**body, "head_approval": True}), 201)
        disposed = await ok(await head.post(path, json={**body, "head_approval": True}), 201)
        assert lapsing["dispose_by"] == "2021-10-13"  # 7 working days over National Day (Saturday Oct 9 works)
        watch = await ok(await head.get(f"{API}/deadlines", params={"as_of": "2021-10-14", "within": 0}))
        due = [i for i in watch["items"] if i["step"] == "evidence_disposal" and i["case_id"] == case["id"]]
        assert [(i["due_on"], i["overdue"]) for i in due] == [("2021-10-13", True)] * 2
        assert (await dispose(head, case["id"], disposed["id"], "2021-10-13")).status_code == 200  # the last day
        late = await dispose(head, case["id"], lapsing["id"], "2021-10-14")
        assert late.status_code == 409, late.text
        assert late.json()["type"].endswith("preservation-lapsed")
        again = await dispose(head, case["id"], disposed["id"], "2021-10-13")
        assert again.json()["type"].endswith("already-disposed")
        listed = await ok(await head.get(path))
        assert {i["id"]: i["status"] for i in listed} == {lapsing["id"]: "lapsed", disposed["id"]: "disposed"}
        watch = await ok(await head.get(f"{API}/deadlines", params={"as_of": "2021-10-14", "within": 0}))
        assert [i["due_on"] for i in watch["items"] if i["step"] == "evidence_disposal"] == ["2021-10-13"]


async def test_the_hearing_is_notified_seven_working_days_before(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        team = await make_team(head)
        case = await file_case(head, team, filed_on="2021-01-05")
        case = await step(head, case, to="investigating", on="2021-01-06")
        case = await step(head, case, to="review", on="2021-01-20", reviewer_id=team.reviewer)
        notice = {"proposed": {"fine_fen": 25_000_000}, "notice_received_on": "2021-02-01"}
        case = await step(head, case, to="notice", on="2021-02-01", **notice)
        request = {"to": "hearing", "on": "2021-02-08", "hearing_requested_on": "2021-02-03"}
        # Notified Monday 2021-02-08: Spring Festival Feb 11–17 off, Saturday Feb 20 works → Feb 23 at the earliest.
        early = await step(head, case, 409, **request, hearing_notified_on="2021-02-08", hearing_on="2021-02-22")
        assert (early["missing_step"], early["earliest_hearing_on"]) == ("hearing_notice", "2021-02-23")
        unnotified = await step(head, case, 409, **request, hearing_on="2021-03-01")
        assert unnotified["missing_step"] == "hearing_notice"
        case = await step(head, case, **request, hearing_notified_on="2021-02-08", hearing_on="2021-02-23")
        assert (case["hearing_notified_on"], case["hearing_on"]) == ("2021-02-08", "2021-02-23")
        legal = {"to": "legal_review", "on": "2021-02-24", "legal_reviewer_id": team.legal, "legal_opinion": "agree"}
        held_early = await step(head, case, 409, **legal, hearing_held_on="2021-02-22")
        assert held_early["missing_step"] == "hearing_notice"
        case = await step(head, case, **legal, hearing_held_on="2021-02-23")
        assert case["stage"] == "legal_review"
