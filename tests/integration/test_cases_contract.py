"""The cases API's contract through HTTP: every ``Location`` resolves to a GET of the same object, a versioned object
answers its ``ETag`` on create and on GET (the one its first change needs), every 2xx answer has a named schema,
and the case history is typed (a closed ``action`` set, stages named, data as a JSON object)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.cases.domain.history import CaseAction
from tests.stack import Stack, StackConfig
from tests.support.cases import API, decision_for, file_case, make_team, meeting_for, ok, party_body, settle, step

pytestmark = pytest.mark.integration

VERSIONED = {"parties", "officers", "leads", "decisions", "cases"}


@pytest.fixture
async def local(tmp_path: Path) -> AsyncIterator[Stack]:
    config = StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path, services=("cases",))
    async with Stack(config) as running:
        yield running
        await settle(running)


async def created_and_read(client: httpx.AsyncClient, answer: httpx.Response, *, versioned: bool) -> dict[str, Any]:
    """The 201's ``Location`` answers the same body (and the same ETag, when the object is versioned)."""
    body: dict[str, Any] = await ok(answer, 201)
    location = answer.headers["location"]
    assert location.endswith(body["id"])
    read = await client.get(location)
    assert read.status_code == 200, (location, read.text)
    assert read.json() == body, location
    if versioned:
        assert answer.headers["etag"] == read.headers["etag"], location
    return body


async def test_every_location_resolves_and_versioned_objects_carry_their_etag(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        team = await created_and_read(head, await head.post(f"{API}/teams", json={"name": "执法九队"}), versioned=False)
        officer_body = {"name": "赵六", "credential_number": "12990001", "team_id": team["id"]}
        officer_answer = await head.post(f"{API}/officers", json=officer_body)
        officer = await created_and_read(head, officer_answer, versioned=True)
        patched = await head.patch(
            f"{API}/officers/{officer['id']}",
            json={"legal_qualification": True},
            headers={"If-Match": officer_answer.headers["etag"]},  # the create's ETag is the one to change it with
        )
        assert patched.status_code == 200, patched.text
        assert (await head.get(f"{API}/officers/{officer['id']}")).headers["etag"] == patched.headers["etag"]
        assert (await head.get(f"{API}/officers/00000000-0000-4000-8000-000000000000")).status_code == 404

        await created_and_read(head, await head.post(f"{API}/parties", json=party_body()), versioned=True)
        lead_body = {"source": "complaint", "received_on": "2021-06-01", "summary": "群众举报夜间偷排"}
        lead_answer = await head.post(f"{API}/leads", json=lead_body)
        lead = await created_and_read(head, lead_answer, versioned=True)
        extended = await head.post(
            f"{API}/leads/{lead['id']}/extension", headers={"If-Match": lead_answer.headers["etag"]}
        )
        assert extended.status_code == 200, extended.text

        crew = await make_team(head)
        case = await file_case(head, crew)
        assert (await head.get(f"{API}/{case['id']}")).headers["etag"]
        referral = {
            "offence": "污染环境罪",
            "medium": "water",
            "summary": "私设暗管排放",
            "police_unit": "西青公安分局",
            "package_items": ["移送书"],
            "approved_on": "2021-06-10",
        }
        made = await created_and_read(
            head, await head.post(f"{API}/{case['id']}/referrals", json=referral), versioned=False
        )
        other = await file_case(head, crew)
        assert (await head.get(f"{API}/{other['id']}/referrals/{made['id']}")).status_code == 404  # not of that case
        photo = {"kind": "photo", "filename": "排口.jpg", "captured_by": "王伟"}
        photo["captured_at"] = "2021-06-01T10:00:00+08:00"
        evidence = await head.post(f"{API}/{case['id']}/evidence", params=photo, content=b"\xff\xd8photo")
        item = await created_and_read(head, evidence, versioned=False)
        assert (await head.get(f"{API}/{other['id']}/evidence/{item['id']}")).status_code == 404
        preservation = {"items": ["水样1瓶"], "place": "厂区", "preserved_on": "2021-06-02", "head_approval": True}
        kept = await created_and_read(
            head, await head.post(f"{API}/{case['id']}/preservations", json=preservation), versioned=False
        )
        assert kept["status"] in {"preserved", "lapsed"}
        await created_and_read(
            head, await head.post(f"{API}/review-meetings", json=meeting_for(case, "2021-06-20")), versioned=False
        )


async def test_a_decision_answers_its_etag_and_the_history_is_typed(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        team = await make_team(head)
        case = await file_case(head, team)
        case = await step(head, case, to="investigating", on="2021-06-02")
        case = await step(head, case, to="review", on="2021-07-01", reviewer_id=team.reviewer)
        notice = {"fine_fen": 60_000_000}
        case = await step(head, case, to="notice", on="2021-07-02", proposed=notice, notice_received_on="2021-07-02")
        case = await step(
            head, case, to="legal_review", on="2021-07-12", legal_reviewer_id=team.legal, legal_opinion="agree"
        )
        meeting = await ok(await head.post(f"{API}/review-meetings", json=meeting_for(case, "2021-07-14")), 201)
        case = await step(head, case, to="collective_discussion", on="2021-07-14", meeting_id=meeting["id"])
        body = decision_for(case, fine_fen=60_000_000, decided_on="2021-07-15")
        decision = await created_and_read(head, await head.post(f"{API}/decisions", json=body), versioned=True)

        history = await ok(await head.get(f"{API}/{case['id']}/history"))
        assert history["chain_intact"] is True
        entries = history["entries"]
        assert {e["action"] for e in entries} <= {a.value for a in CaseAction}
        assert all(isinstance(e["data"], dict) for e in entries)
        decided = entries[-1]
        assert (decided["action"], decided["from_stage"], decided["to_stage"]) == (
            "stage_changed",
            "collective_discussion",
            "decided",
        )
        assert decided["data"]["decision_id"] == decision["id"]
        filed = entries[0]
        assert (filed["action"], filed["from_stage"], filed["to_stage"]) == ("filed", None, None)
        assert filed["data"]["case_number"] == case["case_number"]


async def test_every_success_answer_has_a_named_schema(local: Stack) -> None:
    document = local.apps["cases"].openapi()
    schemas = document["components"]["schemas"]
    answers: set[str] = set()
    for path, item in document["paths"].items():
        if not path.startswith(API):
            continue  # health and metrics are the shared service shell's
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2") or "application/json" not in response.get("content", {}):
                    continue
                schema = response["content"]["application/json"]["schema"]
                ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
                assert ref, (method, path, status, schema)
                named = schemas[ref.rsplit("/", 1)[1]]
                assert named.get("properties"), (method, path, ref)
                answers.add(ref.rsplit("/", 1)[1])
    for name in sorted(described_closure(schemas, answers)):
        properties = schemas[name].get("properties", {})
        undescribed = [field for field, prop in properties.items() if "description" not in prop]
        assert not undescribed, (name, undescribed)
    entry = schemas["HistoryEntry"]["properties"]
    assert "stage_changed" in schemas["CaseAction"]["enum"]
    assert "stage_changed" in entry["action"]["description"]


def described_closure(schemas: dict[str, Any], names: set[str]) -> set[str]:
    """The answer schemas and every schema their fields refer to."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [ref.rsplit("/", 1)[1] for ref in _refs(schemas[name])]
    return seen


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []
