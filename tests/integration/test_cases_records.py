"""Evidence in the content-addressed store, clock stops and extensions, statistics as CSV, bad input as 4xx."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.stack import Stack, StackConfig
from tests.support.cases import API, decision_for, file_case, make_team, meeting_for, ok, settle, step

pytestmark = pytest.mark.integration


@pytest.fixture
async def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Stack]:
    monkeypatch.setenv("GREENLAW_CASES_EVIDENCE_MAX_BYTES", "4096")
    config = StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path, services=("cases",))
    async with Stack(config) as running:
        yield running
        await settle(running)


async def test_evidence_is_stored_by_hash_and_verified(local: Stack, tmp_path: Path) -> None:
    video = b"\x00\x01fake-mp4" * 100
    params = {
        "kind": "video",
        "filename": "执法记录仪.mp4",
        "captured_by": "王伟",
        "captured_at": "2021-06-01T09:30:00+08:00",
    }
    async with local.client("cases", "head") as head:
        case = await file_case(head, await make_team(head))
        url = f"{API}/{case['id']}/evidence"
        item = await ok(await head.post(url, params=params, content=video, headers={"Content-Type": "video/mp4"}), 201)
        assert item["sha256"] == hashlib.sha256(video).hexdigest()
        assert item["size_bytes"] == len(video)
        stored = tmp_path / "evidence" / item["sha256"][:2] / item["sha256"]
        assert stored.read_bytes() == video
        too_big = await head.post(url, params=params, content=b"x" * 5000)
        assert too_big.status_code == 413
        assert not [p for p in (tmp_path / "evidence").iterdir() if p.name.startswith(".upload-")]
        assert (await head.post(url, params={**params, "kind": "hologram"}, content=b"x")).status_code == 422
        assert len(await ok(await head.get(url))) == 1
        assert (await ok(await head.post(f"{url}/verification")))["ok"] is True
        stored.write_bytes(b"tampered")
        report = await ok(await head.post(f"{url}/verification"))
        assert report["ok"] is False
        assert report["items"][0]["status"] == "altered"
        history = await ok(await head.get(f"{API}/{case['id']}/history"))
        assert "evidence_added" in [e["action"] for e in history["entries"]]


async def test_suspension_hearing_and_extensions_move_the_decision_date(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        team = await make_team(head)
        case = await file_case(head, team, filed_on="2021-03-01")
        assert case["decision_due_on"] == "2021-05-31"
        case = await step(head, case, to="investigating", on="2021-03-02")
        case = await step(head, case, to="suspended", on="2021-03-10", reason="等待检测报告")
        case = await step(head, case, to="investigating", on="2021-03-20")
        assert case["decision_due_on"] == "2021-06-09"  # +10 days suspended
        etag = (await head.get(f"{API}/{case['id']}")).headers["etag"]
        stop = await head.post(
            f"{API}/{case['id']}/clock-stops",
            json={"reason": "appraisal", "started_on": "2021-03-21"},
            headers={"If-Match": etag},
        )
        assert stop.status_code == 200
        extend = await head.post(
            f"{API}/{case['id']}/extensions",
            json={"by": "collective_discussion"},
            headers={"If-Match": stop.headers["etag"]},
        )
        assert extend.json()["missing_step"] == "head_extension"
        extended = await ok(
            await head.post(
                f"{API}/{case['id']}/extensions", json={"by": "head"}, headers={"If-Match": stop.headers["etag"]}
            )
        )
        assert extended["head_extension"] is True
        overdue = await ok(await head.get(API, params={"overdue": "true"}))
        assert case["id"] not in [c["id"] for c in overdue["items"]]  # the appraisal stop is still open

        case = await step(head, extended, to="review", on="2021-04-01", reviewer_id=team.reviewer)
        notice = {"proposed": {"fine_fen": 25_000_000}, "notice_received_on": "2021-04-06"}
        case = await step(head, case, to="notice", on="2021-04-06", **notice)
        late = await step(head, case, 409, to="hearing", on="2021-04-20", hearing_requested_on="2021-04-20")
        assert late["missing_step"] == "hearing_request_in_time"
        hearing = {
            "hearing_requested_on": "2021-04-08",
            "hearing_notified_on": "2021-04-09",
            "hearing_on": "2021-04-28",
        }
        case = await step(head, case, to="hearing", on="2021-04-09", **hearing)
        held = {"hearing_held_on": "2021-04-28", "legal_reviewer_id": team.legal, "legal_opinion": "improve"}
        case = await step(head, case, to="legal_review", on="2021-04-29", **held)
        assert case["stage"] == "legal_review"
        meeting = await ok(await head.post(f"{API}/review-meetings", json=meeting_for(case, "2021-05-05")), 201)
        case = await step(head, case, to="collective_discussion", on="2021-05-05", meeting_id=meeting["id"])
        decided = await head.post(
            f"{API}/decisions", json=decision_for(case, fine_fen=25_000_000, decided_on="2021-05-06")
        )
        assert decided.status_code == 201, decided.text


async def test_statistics_csv_roles_and_bad_input(local: Stack) -> None:
    async with local.client("cases", "disclosure_editor") as editor:
        answer = await editor.get(f"{API}/statistics", params={"year": 2021}, headers={"Accept": "text/csv"})
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert '"fines_total_fen","0"' in answer.text
        assert '"inspections_by_category.key_polluter.compliant","0"' in answer.text
        as_json = await ok(await editor.get(f"{API}/statistics", params={"year": 2021, "quarter": 3}))
        assert list(as_json) == [
            "year",
            "quarter",
            "inspections",
            "leads",
            "cases_filed",
            "cases_closed",
            "decisions_by_kind",
            "fines_total_fen",
            "confiscation_total_fen",
            "review_meetings",
            "cases_reviewed",
            "referrals_by_medium",
            "inspections_by_category",
            "registry_coverage",
            "legal_reviews_required",
            "legal_reviews_before_decision",
        ]
        for params in ({"year": 2021, "quarter": 5}, {}, {"year": "x"}):
            bad = await editor.get(f"{API}/statistics", params=params)
            assert bad.status_code == 422
            assert bad.headers["content-type"].startswith("application/problem+json")
        assert (await editor.get(API)).status_code == 403
    async with local.client("cases", "head") as head:
        assert (await head.get(API, params={"cursor": "!!!"})).status_code == 422
        assert (await head.get(f"{API}/no-such-case")).status_code == 404
        assert (await head.post(API, json={"lead_id": "x"})).status_code == 422
        missing = {
            "lead_id": "nope",
            "party_id": "nope",
            "filed_on": "2021-01-01",
            "investigator_ids": ["a", "b"],
            "summary": "s",
        }
        assert (await head.post(API, json=missing)).status_code == 404
        bad_transition = await head.post(f"{API}/x/transitions", json={"to": "flying", "on": "2021-01-01"})
        assert bad_transition.status_code == 422
        seizure = {
            **decision_for({"id": None, "party_id": None, "party_name": "某公司"}, fine_fen=0, decided_on="2021-03-01"),
            "kind": "seizure",
            "seizure": {"items": ["储罐1个"], "term_days": 45, "head_approval": True},
        }
        assert (await head.post(f"{API}/decisions", json=seizure)).json()["type"].endswith("term-too-long")
        seizure["seizure"]["term_days"] = 30
        assert (await head.post(f"{API}/decisions", json=seizure)).status_code == 201
        team = await make_team(head)
        filed = {(await file_case(head, team))["id"] for _ in range(3)}
        first = await ok(await head.get(API, params={"limit": 2, "stage": "filed"}))
        assert len(first["items"]) == 2
        second = await ok(await head.get(API, params={"limit": 2, "stage": "filed", "cursor": first["next_cursor"]}))
        assert second["next_cursor"] is None
        assert {c["id"] for c in first["items"] + second["items"]} == filed
        town = await ok(await head.get(API, params={"town": "中北镇", "officer": team.investigators[0]}))
        assert {c["id"] for c in town["items"]} == filed


async def test_revoke_and_amend_emit_events_and_leave_the_statistics(local: Stack) -> None:
    from sqlmodel import select

    from shared.messaging.tables import OutboxRecord
    from tests.factories import decision_body

    async with local.client("cases", "head") as head:
        first = await ok(await head.post(f"{API}/decisions", json=decision_body(decided_on="2022-02-10")), 201)
        second = await ok(await head.post(f"{API}/decisions", json=decision_body(decided_on="2022-02-11")), 201)
        url = f"{API}/decisions/{first['id']}"
        etag = (await head.get(url)).headers["etag"]
        revocation = {"revoked_on": "2022-03-01", "reason": "复议决定撤销"}
        assert (await head.post(f"{url}/revocation", json=revocation)).status_code == 428
        revoked = await ok(await head.post(f"{url}/revocation", json=revocation, headers={"If-Match": etag}))
        assert revoked["status"] == "revoked"
        again = await head.post(f"{url}/revocation", json=revocation, headers={"If-Match": "*"})
        assert again.status_code == 409
        amended_url = f"{API}/decisions/{second['id']}"
        amendment = {"amended_on": "2022-03-02", "reason": "更正罚款金额", "penalty": {"fine_fen": 8_000_000}}
        amended = await ok(await head.post(f"{amended_url}/amendment", json=amendment, headers={"If-Match": "*"}))
        assert amended["penalty"]["fine_fen"] == 8_000_000
        stats = await ok(await head.get(f"{API}/statistics", params={"year": 2022}))
        assert stats["decisions_by_kind"]["penalty"] == 1
        assert stats["fines_total_fen"] == 8_000_000
    async with local.runtime("cases").sessions() as session:
        types = {row.event_type for row in (await session.exec(select(OutboxRecord))).all()}
    assert {"cases.decision.revoked.v1", "cases.decision.amended.v1"} <= types


async def test_statistics_documents_its_csv_answer(local: Stack) -> None:
    """Found by API fuzzing: the CSV answer was sent but only JSON was documented."""
    document = local.apps["cases"].openapi()
    answers = document["paths"]["/api/v1/cases/statistics"]["get"]["responses"]["200"]["content"]
    assert set(answers) == {"application/json", "text/csv"}
