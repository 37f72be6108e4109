"""Staff side of referrals: package documents, steps with If-Match, deadlines, statistics, consultations, and the
procuratorate copy delivered to a real HTTP receiver on loopback."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.referral.tables import Referral
from shared.audit import verify_chain
from shared.contracts.events import EvidenceReference
from tests.infra import free_port
from tests.stack import Stack, StackConfig, eventually
from tests.support.referral import (
    ensure_referral,
    now_iso,
    officer_token,
    police_decides,
    requested,
    staff_step,
    transfer,
)

pytestmark = pytest.mark.integration


class Procuratorate:
    """A stand-in for the procuratorate's receiver: fails the first ``failures`` calls with 503."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[tuple[dict[str, str], dict[str, object]]] = []
        self.app = Starlette(routes=[Route("/copies", self.receive, methods=["POST"])])

    async def receive(self, request: Request) -> JSONResponse:
        self.calls.append((dict(request.headers), json.loads(await request.body())))
        if len(self.calls) <= self.failures:
            return JSONResponse({"error": "busy"}, status_code=503)
        return JSONResponse({"ok": True}, status_code=202)


@pytest.fixture
async def receiver():
    procuratorate, port = Procuratorate(failures=2), free_port()
    server = uvicorn.Server(uvicorn.Config(procuratorate.app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return bool(server.started)

    await eventually(started, interval=0.02)
    yield procuratorate, f"http://127.0.0.1:{port}/copies"
    server.should_exit = True
    await task


def copy_settings(url: str) -> dict[str, object]:
    return {
        "procuratorate_url": url,
        "procuratorate_backoff_seconds": 0.05,
        "procuratorate_poll_interval": 0.2,
        "max_document_bytes": 64 * 1024,
    }


@pytest.fixture
async def local(tmp_path: Path, receiver):
    config = StackConfig(
        database="sqlite", transport="inprocess", data_dir=tmp_path, overrides={"referral": copy_settings(receiver[1])}
    )
    async with Stack(config) as running:
        await ensure_referral(running)
        yield running


@pytest.fixture(params=["sqlite", "postgres"])
async def either(request: pytest.FixtureRequest, tmp_path: Path, receiver):
    config = StackConfig(
        database=request.param,
        transport="inprocess",
        data_dir=tmp_path,
        overrides={"referral": copy_settings(receiver[1])},
    )
    if request.param == "postgres":
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as running:
        await ensure_referral(running)
        yield running


async def test_transfer_copy_reaches_the_procuratorate_after_retries(either: Stack, receiver) -> None:
    procuratorate, _ = receiver
    local = either
    referral = await requested(local)
    async with local.client("referral", "head") as staff:
        assert (await transfer(staff, referral.id)).status_code == 200

        async def delivered() -> list[dict]:
            rows = await staff.get("/api/v1/referral/procuratorate-deliveries", params={"referral_id": referral.id})
            return [r for r in rows.json() if r["status"] == "delivered"]

        [row] = await eventually(delivered)
    assert row["attempts"] == 3
    assert row["last_status_code"] == 202
    headers, body = procuratorate.calls[-1]
    assert headers["idempotency-key"] == row["id"]
    assert body["kind"] == "transfer"
    assert body["case_number"] == referral.case_number
    assert {h["idempotency-key"] for h, _ in procuratorate.calls} == {row["id"]}


async def test_documents_are_stored_by_sha256_and_served_to_the_police(local: Stack) -> None:
    content = "移送函\n".encode() * 100
    digest = hashlib.sha256(content).hexdigest()
    evidence_bytes = b"%PDF-1.4 interview record"
    evidence = EvidenceReference(
        evidence_id="ev-1",
        name="询问笔录.pdf",
        sha256=hashlib.sha256(evidence_bytes).hexdigest(),
        size=len(evidence_bytes),
        checklist_item="询问笔录",
    )
    referral = await requested(local, evidence=[evidence])
    base = f"/api/v1/referral/referrals/{referral.id}/documents"
    async with local.client("referral", token=officer_token(local)) as staff:
        files = {"file": ("移送函.txt", content, "text/plain")}
        uploaded = await staff.post(base, files=files, data={"checklist_item": "移送函"})
        assert uploaded.status_code == 201, uploaded.text
        assert uploaded.json()["sha256"] == digest
        assert uploaded.json()["size"] == len(content)
        assert (await staff.post(base, files=files)).json()["id"] == uploaded.json()["id"]
        too_big = await staff.post(base, files={"file": ("big.bin", b"x" * (64 * 1024 + 1))})
        assert too_big.status_code == 413
        assert (await staff.post(base, files={"file": ("empty.txt", b"")})).status_code == 422
        assert (await staff.post(base, data={"name": "no file"})).status_code == 422
        wrong = await staff.post(base, files={"file": ("x.pdf", b"other")}, data={"evidence_id": "ev-1"})
        assert wrong.status_code == 422
        assert wrong.json()["type"] == "urn:greenlaw:problem:evidence-hash-mismatch"
        filled = await staff.post(base, files={"file": ("x.pdf", evidence_bytes)}, data={"evidence_id": "ev-1"})
        assert filled.status_code == 201
        assert filled.json()["name"] == "询问笔录.pdf"
        assert (await transfer(staff, referral.id)).status_code == 200
        listed = (await staff.get(f"/api/v1/referral/referrals/{referral.id}")).json()["documents"]
        assert len(listed) == 2

    async with local.client("referral", token=local.police_token()) as police:
        item = (await police.get(f"/police/v1/referrals/{referral.id}")).json()
        assert {d["name"]: d["sha256"] for d in item["documents"]} == {
            "移送函.txt": digest,
            "询问笔录.pdf": evidence.sha256,
        }
        for document in item["documents"]:
            answer = await police.get(f"/police/v1/referrals/{referral.id}/documents/{document['id']}")
            assert answer.status_code == 200
            assert hashlib.sha256(answer.content).hexdigest() == document["sha256"]
            assert len(answer.content) == document["size"]
        missing = await police.get(f"/police/v1/referrals/{referral.id}/documents/nope")
        assert missing.status_code == 404
    async with local.client("referral", token=local.police_token("北辰公安分局")) as other:
        doc_id = item["documents"][0]["id"]
        assert (await other.get(f"/police/v1/referrals/{referral.id}/documents/{doc_id}")).status_code == 404


async def test_refusal_reconsideration_supervision_and_the_acceptance_path(local: Stack, receiver) -> None:
    refused, accepted = await requested(local, medium="air"), await requested(local, medium="water")
    async with local.client("referral", "head") as staff:
        stale = await staff.post(f"/api/v1/referral/referrals/{refused.id}/transfer", json={})
        assert stale.status_code == 428
        old = await staff.get(f"/api/v1/referral/referrals/{refused.id}")
        assert (await transfer(staff, refused.id)).status_code == 200
        again = await staff.post(
            f"/api/v1/referral/referrals/{refused.id}/transfer", json={}, headers={"If-Match": old.headers["etag"]}
        )
        assert again.status_code == 412
        assert (await transfer(staff, refused.id)).status_code == 409
        assert (await transfer(staff, accepted.id)).status_code == 200

        notice = {"notified_at": now_iso(), "missing_items": ["监测报告"]}
        early = await staff_step(staff, refused.id, "incomplete-notice", notice)
        assert early.status_code == 409  # no receipt yet
        async with local.client("referral", token=local.police_token()) as police:
            receipt = {"received_at": now_iso(), "receiver": "赵警官"}
            assert (await police.post(f"/police/v1/referrals/{refused.id}/receipt", json=receipt)).status_code == 200
        assert (await staff_step(staff, refused.id, "incomplete-notice", notice)).json()["status"] == (
            "supplement_requested"
        )
        supplemented = await staff_step(staff, refused.id, "supplement", {"supplemented_at": now_iso()})
        assert supplemented.json()["status"] == "received"
        slow = await staff_step(staff, refused.id, "decision-track", {"track": "checks"})
        assert slow.json()["decision_track"] == "checks"

        await police_decides(local, refused.id, {"receipt": False, "decision": "declined", "reason": "证据不足"})
        asked = await staff_step(staff, refused.id, "reconsideration", {"requested_at": now_iso(), "reason": "镍超标"})
        assert asked.json()["status"] == "reconsideration"
        await police_decides(local, refused.id, {"receipt": False, "decision": "declined", "reason": "维持"})
        supervised = await staff_step(staff, refused.id, "supervision", {"requested_at": now_iso(), "reason": "监督"})
        assert supervised.json()["status"] == "supervision"
        twice = await staff_step(staff, refused.id, "supervision", {"requested_at": now_iso(), "reason": "x"})
        assert twice.status_code == 409

        await police_decides(local, accepted.id, {"decision": "accepted", "police_case_number": "西公立〔2024〕9号"})
        handover = {"handed_over_at": now_iso(), "items": ["暗管 1 段", "水样 3 瓶"], "receiver": "赵警官"}
        done = await staff_step(staff, accepted.id, "exhibits-handover", handover)
        assert done.status_code == 200
        assert done.json()["exhibits"] == handover["items"]
        assert (await staff_step(staff, accepted.id, "exhibits-handover", handover)).status_code == 409

        kinds = await staff.get("/api/v1/referral/procuratorate-deliveries", params={"referral_id": refused.id})
        assert sorted(r["kind"] for r in kinds.json()) == ["supervision", "transfer"]
        year = datetime.now(UTC).year
        stats = (await staff.get("/api/v1/referral/statistics", params={"year": year})).json()
        assert stats["by_outcome"]["accepted"] >= 1
        assert stats["by_medium"]["air"] >= 1
        assert stats["time_to_decision"]["count"] >= 2
        assert (await staff.get("/api/v1/referral/statistics", params={"year": "x"})).status_code == 422
    async with local.runtime("referral").sessions() as session:
        assert (await verify_chain(session)).ok


async def test_deadlines_list_shows_at_risk_and_overdue_transfers(local: Stack) -> None:
    now = datetime.now(UTC)
    at_risk = await requested(local, approved_at=now - timedelta(hours=20))
    overdue = await requested(local, approved_at=now - timedelta(hours=30))
    fresh = await requested(local, approved_at=now - timedelta(hours=1))
    async with local.client("referral", token=officer_token(local)) as staff:
        answer = await staff.get("/api/v1/referral/deadlines")
        assert answer.status_code == 200
        found = {(i["referral_id"], i["deadline"]["name"]): i["deadline"]["state"] for i in answer.json()["items"]}
        assert found[(at_risk.id, "transfer")] == "at_risk"
        assert found[(overdue.id, "transfer")] == "overdue"
        assert (fresh.id, "transfer") not in found
        past = (datetime.now(UTC) - timedelta(days=3)).isoformat()
        before_approval = await staff_step(staff, fresh.id, "transfer", {"sent_at": past})
        assert before_approval.status_code == 422
        listed = await staff.get("/api/v1/referral/referrals", params={"status": "approved", "limit": 2})
        assert len(listed.json()["items"]) == 2
        rest = await staff.get(
            "/api/v1/referral/referrals", params={"status": "approved", "cursor": listed.json()["next_cursor"]}
        )
        assert {i["id"] for i in listed.json()["items"] + rest.json()["items"]} >= {at_risk.id, overdue.id, fresh.id}
        only_overdue = await staff.get("/api/v1/referral/deadlines", params={"state": "overdue"})
        assert {i["deadline"]["state"] for i in only_overdue.json()["items"]} == {"overdue"}
        assert (await staff.get("/api/v1/referral/deadlines", params={"state": "late"})).status_code == 422


async def test_consultations_are_linked_to_referrals(local: Stack) -> None:
    referral: Referral = await requested(local)
    body = {
        "held_on": "2024-06-18",
        "participants": ["区生态环境局 张科长", "西青公安分局 李队长"],
        "topic": "镍超标案件证据固定",
        "outcome": "补充监测报告后移送",
        "police_unit": "西青公安分局",
        "referral_ids": [referral.id],
    }
    async with local.client("referral", token=officer_token(local)) as staff:
        created = await staff.post("/api/v1/referral/consultations", json=body)
        assert created.status_code == 201, created.text
        listed = await staff.get("/api/v1/referral/consultations", params={"referral_id": referral.id})
        assert [c["id"] for c in listed.json()["items"]] == [created.json()["id"]]
        assert listed.json()["items"][0]["referral_ids"] == [referral.id]
        unknown = await staff.post("/api/v1/referral/consultations", json={**body, "referral_ids": ["nope"]})
        assert unknown.status_code == 422
        assert (
            await staff.post("/api/v1/referral/consultations", json={**body, "participants": []})
        ).status_code == 422
