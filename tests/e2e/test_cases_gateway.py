"""Acceptance through the gateway on a real socket: an inspection by two officers opens a lead, the case is filed,
investigated, reviewed at a meeting, legally reviewed, decided (fine ≥ ¥500,000) and served; disclosure receives
the decision; the statistics count it; the history shows every step with an intact audit chain."""

from __future__ import annotations

import pytest

from tests.embedded import EmbeddedServer
from tests.stack import eventually
from tests.support.cases import API, decision_for, make_team, ok, party_body, step

pytestmark = pytest.mark.e2e

FINE = 60_000_000  # ¥600,000: collective discussion required


async def test_case_from_inspection_to_publication(embedded: EmbeddedServer) -> None:
    async with embedded.client(embedded.staff_token("head", subject="head1")) as head:
        team = await make_team(head)
        party = await ok(await head.post(f"{API}/parties", json=party_body()), 201)
    officer_token = embedded.staff_token("officer", subject="officer1", team=team.name)
    async with embedded.client(officer_token) as officer:
        inspection = {
            "inspected_at": "2021-06-01T09:30:00+08:00",
            "place": "天津市西青区某路1号厂区",
            "party_id": party["id"],
            "officer_ids": team.investigators[:1],
            "findings": "废水总排口化学需氧量超标",
            "open_lead": True,
        }
        alone = await officer.post(f"{API}/inspections", json=inspection)
        assert alone.status_code == 422
        assert "第四十二条" in alone.json()["rule"]
        inspection["officer_ids"] = team.investigators
        recorded = await ok(await officer.post(f"{API}/inspections", json=inspection), 201)
        assert recorded["lead_id"]
    async with embedded.client(embedded.staff_token("head", subject="head1")) as head:
        filing = {
            "lead_id": recorded["lead_id"],
            "party_id": party["id"],
            "filed_on": "2021-06-03",
            "investigator_ids": team.investigators,
            "medium": "water",
            "summary": "涉嫌超标排放水污染物",
        }
        case = await ok(await head.post(API, json=filing, headers={"Idempotency-Key": "file-e2e-1"}), 201)
        replay = await head.post(API, json=filing, headers={"Idempotency-Key": "file-e2e-1"})
        assert replay.json()["id"] == case["id"]
        assert case["team"] == team.name

    async with embedded.client(officer_token) as officer:
        case = await step(officer, case, to="investigating", on="2021-06-04")
        case = await step(officer, case, to="review", on="2021-07-01", reviewer_id=team.reviewer)
        notice = {"proposed": {"fine_fen": FINE}, "notice_received_on": "2021-07-02"}
        case = await step(officer, case, to="notice", on="2021-07-02", **notice)
    legal_token = embedded.staff_token("legal_reviewer", subject="legal1")
    async with embedded.client(legal_token) as legal:
        review = {"legal_reviewer_id": team.legal, "legal_opinion": "agree"}
        case = await step(legal, case, to="legal_review", on="2021-07-12", **review)

    async with embedded.client(embedded.staff_token("head", subject="head1")) as head:
        meeting = {
            "held_on": "2021-07-14",
            "attendees": [
                {"name": "局长", "role": "主持"},
                {"name": "法制科长", "role": "法制审核"},
                {"name": "律师", "role": "法律顾问", "legal_counsel": True},
            ],
            "items": [{"case_id": case["id"], "outcome": "同意罚款陆拾万元"}],
            "minutes": "审议同意。",
        }
        meeting = await ok(await head.post(f"{API}/review-meetings", json=meeting), 201)
        case = await step(head, case, to="collective_discussion", on="2021-07-14", meeting_id=meeting["id"])
        decision = await ok(
            await head.post(f"{API}/decisions", json=decision_for(case, fine_fen=FINE, decided_on="2021-07-15")), 201
        )
        etag = (await head.get(f"{API}/decisions/{decision['id']}")).headers["etag"]
        service = {"served_on": "2021-07-16", "method": "direct"}
        await ok(await head.post(f"{API}/decisions/{decision['id']}/service", json=service, headers={"If-Match": etag}))
        case = await ok(await head.get(f"{API}/{case['id']}"))
        assert case["stage"] == "served"

        async def published_record() -> list[dict[str, object]]:
            answer = await head.get("/api/v1/disclosure/publications", params={"decision_id": decision["id"]})
            return list(answer.json()["items"])

        [publication] = await eventually(published_record)
        assert publication["due_on"] == "2021-07-26"  # 7 working days from 2021-07-15

        stats = await ok(await head.get(f"{API}/statistics", params={"year": 2021, "quarter": 3}))
        assert stats["decisions_by_kind"]["penalty"] >= 1
        assert stats["fines_total_fen"] >= FINE
        assert stats["review_meetings"] >= 1
        csv_answer = await head.get(f"{API}/statistics", params={"year": 2021, "format": "csv"})
        assert csv_answer.headers["content-type"].startswith("text/csv")

        history = await ok(await head.get(f"{API}/{case['id']}/history"))
        assert history["chain_intact"] is True
        assert [(e["action"], e["from_stage"], e["to_stage"]) for e in history["entries"]] == [
            ("filed", None, None),
            ("stage_changed", "filed", "investigating"),
            ("stage_changed", "investigating", "review"),
            ("stage_changed", "review", "notice"),
            ("stage_changed", "notice", "legal_review"),
            ("discussed", None, None),
            ("stage_changed", "legal_review", "collective_discussion"),
            ("stage_changed", "collective_discussion", "decided"),
            ("stage_changed", "decided", "served"),
        ]
