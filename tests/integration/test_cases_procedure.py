"""A case from lead to closure through the API, on SQLite and PostgreSQL: guards, If-Match, numbers, history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.auth import issue_token
from tests.stack import Stack, StackConfig
from tests.support.cases import API, decision_for, file_case, make_team, ok, party_body, settle, step, uid

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgres"])
async def local(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    config = StackConfig(database=request.param, transport="inprocess", data_dir=tmp_path, services=("cases",))
    if request.param == "postgres":
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as running:
        yield running
        await settle(running)


async def test_case_from_lead_to_closure(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        team = await make_team(head)
        case = await file_case(head, team)
        assert case["case_number"].startswith("津西青环立〔2021〕")
        assert case["stage"] == "filed"
        assert case["decision_due_on"] == "2021-08-30"  # 90 days from 2021-06-01
        case = await step(head, case, to="investigating", on="2021-06-02")
        problem = await step(head, case, 409, to="review", on="2021-07-01", reviewer_id=team.investigators[0])
        assert problem["missing_step"] == "independent_reviewer"
        case = await step(head, case, to="review", on="2021-07-01", reviewer_id=team.reviewer)
        proposed = {"fine_fen": 60_000_000}
        case = await step(head, case, to="notice", on="2021-07-02", proposed=proposed, notice_received_on="2021-07-02")
        assert case["answer_due_on"] == "2021-07-09"
        early = await step(head, case, 409, to="legal_review", on="2021-07-05", legal_reviewer_id=team.legal)
        assert early["missing_step"] == "answer_window"
        unqualified = await step(
            head, case, 409, to="legal_review", on="2021-07-12", legal_reviewer_id=team.reviewer, legal_opinion="agree"
        )
        assert unqualified["missing_step"] == "qualified_legal_reviewer"
        case = await step(
            head, case, to="legal_review", on="2021-07-12", legal_reviewer_id=team.legal, legal_opinion="agree"
        )
        early_decision = await head.post(
            "/api/v1/cases/decisions", json=decision_for(case, fine_fen=60_000_000, decided_on="2021-07-13")
        )
        assert early_decision.status_code == 409
        assert early_decision.json()["missing_step"] == "collective_discussion"
        no_meeting = await step(head, case, 409, to="collective_discussion", on="2021-07-14")
        assert no_meeting["missing_step"] == "review_meeting"
        meeting = await ok(
            await head.post(
                f"{API}/review-meetings",
                json={
                    "held_on": "2021-07-14",
                    "attendees": [
                        {"name": "局长", "role": "主持"},
                        {"name": "法制科长", "role": "法制审核"},
                        {"name": "律师", "role": "法律顾问", "legal_counsel": True},
                    ],
                    "items": [{"case_id": case["id"], "outcome": "同意罚款陆拾万元"}],
                    "minutes": "会议审议了本案，同意处罚意见。",
                },
            ),
            201,
        )
        case = await step(head, case, to="collective_discussion", on="2021-07-14", meeting_id=meeting["id"])
        heavier = await head.post(
            "/api/v1/cases/decisions", json=decision_for(case, fine_fen=70_000_000, decided_on="2021-07-15")
        )
        assert heavier.json()["missing_step"] == "notice"
        decision = await ok(
            await head.post(
                "/api/v1/cases/decisions", json=decision_for(case, fine_fen=60_000_000, decided_on="2021-07-15")
            ),
            201,
        )
        case = await ok(await head.get(f"{API}/{case['id']}"))
        assert case["stage"] == "decided"
        assert case["decision_id"] == decision["id"]
        assert (await step(head, case, 409, to="served", on="2021-07-16"))["missing_step"] == "served"

        no_match = await head.post(
            f"{API}/decisions/{decision['id']}/service", json={"served_on": "2021-07-16", "method": "direct"}
        )
        assert no_match.status_code == 428
        etag = (await head.get(f"{API}/decisions/{decision['id']}")).headers["etag"]
        electronic = {"served_on": "2021-07-16", "method": "electronic"}
        refused = await head.post(
            f"{API}/decisions/{decision['id']}/service", json=electronic, headers={"If-Match": etag}
        )
        assert refused.status_code == 422
        assert "第六十一条" in refused.json()["rule"]
        served = {"served_on": "2021-07-16", "method": "direct"}
        await ok(await head.post(f"{API}/decisions/{decision['id']}/service", json=served, headers={"If-Match": etag}))
        case = await ok(await head.get(f"{API}/{case['id']}"))
        assert case["stage"] == "served"
        assert case["money_due_fen"] == 60_000_000

        watch = await ok(await head.get(f"{API}/deadlines", params={"within": 7, "as_of": "2021-07-27"}))
        mine = [(i["step"], i["due_on"], i["overdue"]) for i in watch["items"] if i["case_id"] == case["id"]]
        assert mine == [("payment", "2021-08-02", False)], watch

        case = await step(head, case, to="executing", on="2021-07-20")
        unpaid = await step(head, case, 409, to="closed", on="2021-07-30")
        assert unpaid["missing_step"] == "payment"
        execution = f"{API}/{case['id']}/execution"
        etag = (await head.get(f"{API}/{case['id']}")).headers["etag"]
        demanded = await head.post(execution, json={"demand_on": "2021-08-03"}, headers={"If-Match": etag})
        assert demanded.status_code == 200, demanded.text
        watch = await ok(await head.get(f"{API}/deadlines", params={"within": 7, "as_of": "2022-04-12"}))
        steps = {(i["step"], i["opens_on"], i["due_on"]) for i in watch["items"] if i["case_id"] == case["id"]}
        assert ("court_enforcement", "2022-01-18", "2022-04-18") in steps  # after the 6-month litigation period
        paid = await head.post(
            execution, json={"paid_on": "2021-08-04"}, headers={"If-Match": demanded.headers["etag"]}
        )
        assert paid.headers["late-surcharge-fen"] == "3600000"  # 2 days late × 3 % of ¥600,000
        case = await step(head, case, to="closed", on="2021-08-05")
        assert case["stage"] == "closed"
        assert case["closed_on"] == "2021-08-05"

        stale = await head.post(
            f"{API}/{case['id']}/transitions",
            json={"to": "investigating", "on": "2021-08-01"},
            headers={"If-Match": '"x"'},
        )
        assert stale.status_code == 412

        history = await ok(await head.get(f"{API}/{case['id']}/history"))
        actions = [(e["action"], e["from_stage"], e["to_stage"]) for e in history["entries"]]
        assert history["chain_intact"]
        assert actions[0] == ("filed", None, None)
        assert actions[-1] == ("stage_changed", "executing", "closed")
        for expected in (
            ("stage_changed", "filed", "investigating"),
            ("discussed", None, None),
            ("stage_changed", "collective_discussion", "decided"),
            ("stage_changed", "decided", "served"),
        ):
            assert expected in actions
        served = next(e for e in history["entries"] if e["to_stage"] == "served")
        assert served["data"]["served_on"]  # the step's data is a JSON object, not a string

        stats = await ok(await head.get(f"{API}/statistics", params={"year": 2021, "quarter": 3}))
        assert stats["decisions_by_kind"]["penalty"] == 1
        assert stats["fines_total_fen"] == 60_000_000
        assert stats["cases_closed"] == 1
        assert stats["review_meetings"] == 1
        assert stats["cases_reviewed"] == 1
        q2 = await ok(await head.get(f"{API}/statistics", params={"year": 2021, "quarter": 2}))
        assert q2["inspections"] == 1
        assert q2["leads"] == 1
        assert q2["cases_filed"] == 1
        assert q2["cases_closed"] == 0


async def test_registers_inspections_and_leads(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        team = await make_team(head)
        body = party_body()
        party = await ok(await head.post(f"{API}/parties", json=body), 201)
        duplicate = await head.post(f"{API}/parties", json={**body, "name": "另一家公司"})
        assert duplicate.status_code == 409
        assert duplicate.json()["existing_party_id"] == party["id"]
        person = {"party_type": "individual", "name": "赵六", "id_number": "11010519491231002X"}
        assert (await head.post(f"{API}/parties", json=person)).status_code == 201
        bad_id = await head.post(f"{API}/parties", json={**person, "id_number": "110105194912310021"})
        assert bad_id.status_code == 422
        assert "身份证" in bad_id.text
        found = await ok(await head.get(f"{API}/parties", params={"q": body["name"][-8:]}))
        assert [p["id"] for p in found["items"]] == [party["id"]]
        by_code = await ok(await head.get(f"{API}/parties", params={"q": body["credit_code"]}))
        assert by_code["items"][0]["id"] == party["id"]

        inspection = {
            "inspected_at": "2021-05-10T10:00:00+08:00",
            "place": "厂区",
            "officer_ids": team.investigators[:1],
            "findings": "未见异常",
        }
        alone = await head.post(f"{API}/inspections", json=inspection)
        assert alone.status_code == 422
        assert "第四十二条" in alone.json()["rule"]
        etag = (await head.get(f"{API}/officers")).status_code
        assert etag == 200
        # 执法证有效期: two officers whose credentials are issued after the inspection's day do not count.
        period = {"credential_valid_from": "2021-06-01", "credential_valid_until": "2026-05-31", "team_id": team.id}
        later = [
            await ok(
                await head.post(f"{API}/officers", json={"name": name, "credential_number": number, **period}), 201
            )
            for name, number in (("陈新", f"12{uid()}"), ("林立", f"12{uid()}"))
        ]
        assert later[0]["credential_valid_from"] == "2021-06-01"
        early = await head.post(f"{API}/inspections", json={**inspection, "officer_ids": [o["id"] for o in later]})
        assert early.status_code == 422
        assert sorted(early.json()["invalid_credentials"]) == sorted(o["id"] for o in later)
        reversed_period = {**period, "credential_valid_from": "2026-06-01"}
        backwards = await head.post(
            f"{API}/officers", json={"name": "吴强", "credential_number": f"12{uid()}", **reversed_period}
        )
        assert backwards.status_code == 422
        assert backwards.json()["type"].endswith("credential-period")
        officer_id = team.investigators[1]
        deactivate = await head.post(f"{API}/officers/{officer_id}/deactivation", headers={"If-Match": "*"})
        assert (await ok(deactivate))["active"] is False
        listed = await ok(await head.get(f"{API}/officers", params={"team_id": team.id}))
        assert officer_id in [o["id"] for o in listed]
        inactive = await head.post(f"{API}/inspections", json={**inspection, "officer_ids": team.investigators})
        assert inactive.status_code == 422
        assert inactive.json()["invalid_credentials"] == [officer_id]

        lead = await ok(
            await head.post(
                f"{API}/leads",
                json={"source": "complaint", "received_on": "2021-09-16", "summary": "12369 举报夜间偷排"},
            ),
            201,
        )
        assert lead["due_on"] == "2021-10-08"  # 15 days lands on National Day
        extended = await head.post(
            f"{API}/leads/{lead['id']}/extension",
            headers={"If-Match": (await head.get(f"{API}/leads/{lead['id']}")).headers["etag"]},
        )
        assert (await ok(extended))["due_on"] == "2021-10-18"
        again = await head.post(f"{API}/leads/{lead['id']}/extension", headers={"If-Match": "*"})
        assert again.status_code == 409
        declined = await head.post(
            f"{API}/leads/{lead['id']}/declination",
            json={"reason": "经核查不属实", "decided_on": "2021-10-10"},
            headers={"If-Match": "*"},
        )
        assert (await ok(declined))["status"] == "declined"
    async with local.client("cases", "officer") as officer:
        assert (await officer.post(f"{API}/leads/{lead['id']}/extension")).status_code == 403


async def test_officer_sees_only_its_team(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        team = await make_team(head)
        case = await file_case(head, team)
    own = issue_token(local.common, subject="o1", roles=["officer"], zone="staff", team=team.name)
    other = issue_token(local.common, subject="o2", roles=["officer"], zone="staff", team="别的队")
    async with local.client("cases", token=own) as mine, local.client("cases", token=other) as theirs:
        assert (await mine.get(f"{API}/{case['id']}")).status_code == 200
        assert (await theirs.get(f"{API}/{case['id']}")).status_code == 404
        listed = await ok(await mine.get(API, params={"stage": "filed"}))
        assert case["id"] in [c["id"] for c in listed["items"]]
        assert (await ok(await theirs.get(API)))["items"] == []
        moved = await step(mine, case, to="investigating", on="2021-06-02")
        assert moved["stage"] == "investigating"
        refused = await step(mine, moved, 403, to="transferred", on="2021-06-03")
        assert refused["status"] == 403
