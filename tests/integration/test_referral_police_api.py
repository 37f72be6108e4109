"""The police liaison API: cursors, unit isolation, receipt and decision with Idempotency-Key, bad input."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, func, select

from services.referral.tables import Referral
from shared.messaging.tables import OutboxRecord
from tests.stack import Stack, StackConfig
from tests.support.referral import POLICE_ITEM_FIELDS, ensure_referral, now_iso, officer_token, requested, transfer

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgres"])
async def local(request: pytest.FixtureRequest, tmp_path: Path):
    config = StackConfig(database=request.param, transport="inprocess", data_dir=tmp_path)
    if request.param == "postgres":
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as running:
        await ensure_referral(running)
        yield running


async def sent(stack: Stack, unit: str) -> Referral:
    referral = await requested(stack, police_unit=unit)
    async with stack.client("referral", token=officer_token(stack)) as staff:
        answer = await transfer(staff, referral.id, transfer_letter_number="西青环移〔2024〕1号")
        assert answer.status_code == 200, answer.text
    return referral


async def pull_all(client, since: str | None = None, limit: int = 2) -> tuple[list[dict], str]:
    items: list[dict] = []
    while True:
        params = {"limit": limit, **({"since": since} if since else {})}
        page = await client.get("/police/v1/referrals", params=params)
        assert page.status_code == 200, page.text
        since = page.json()["next_cursor"]
        if not page.json()["items"]:
            return items, since
        items.extend(page.json()["items"])


async def test_feed_gives_each_change_once_and_only_to_its_unit(local: Stack) -> None:
    unit_a, unit_b = "西青公安分局", "北辰公安分局"
    a_ids = [(await sent(local, unit_a)).id for _ in range(3)]
    b_referral = await sent(local, unit_b)
    unsent = await requested(local, police_unit=unit_a)  # approved, not transferred: invisible to the police

    async with local.client("referral", token=local.police_token(unit_a, subject="xiqing")) as police_a:
        items, cursor = await pull_all(police_a)
        assert [i["id"] for i in items] == a_ids
        assert set(items[0]) == POLICE_ITEM_FIELDS
        assert items[0]["status"] == "transferred"
        assert items[0]["history"][0]["step"] == "transfer"
        assert {d["name"] for d in items[0]["deadlines"]} >= {"transfer", "receipt"}
        assert (await police_a.get(f"/police/v1/referrals/{unsent.id}")).status_code == 404

        receipt = await police_a.post(
            f"/police/v1/referrals/{a_ids[1]}/receipt", json={"received_at": now_iso(), "receiver": "王警官"}
        )
        assert receipt.status_code == 200, receipt.text
        changed, cursor = await pull_all(police_a, since=cursor)
        assert [(i["id"], i["status"]) for i in changed] == [(a_ids[1], "received")]
        assert [h["step"] for h in changed[0]["history"]] == ["transfer", "receipt"]
        again, _ = await pull_all(police_a, since=cursor)
        assert again == []

        other = await police_a.get(f"/police/v1/referrals/{b_referral.id}")
        assert other.status_code == 404
        assert other.headers["content-type"].startswith("application/problem+json")
        steal = await police_a.post(
            f"/police/v1/referrals/{b_referral.id}/receipt", json={"received_at": now_iso(), "receiver": "x"}
        )
        assert steal.status_code == 404

    async with local.client("referral", token=local.police_token(unit_b, subject="beichen")) as police_b:
        items, _ = await pull_all(police_b, limit=100)
        assert [i["id"] for i in items] == [b_referral.id]


async def test_bad_requests_are_problems(local: Stack) -> None:
    async with local.client("referral", token=local.police_token()) as police:
        for params in ({"since": "not-a-cursor!"}, {"since": "eyJzZXEiOiAiYSJ9"}, {"limit": 0}, {"limit": 101}):
            answer = await police.get("/police/v1/referrals", params=params)
            assert answer.status_code in (400, 422), params
            assert answer.headers["content-type"].startswith("application/problem+json")
        assert (await police.get("/api/v1/referral/referrals")).status_code == 403
    async with local.client("referral", "head") as staff:
        assert (await staff.get("/police/v1/referrals")).status_code == 403
    async with local.client("referral") as anonymous:
        assert (await anonymous.get("/police/v1/referrals")).status_code == 401


async def test_receipt_and_decision_are_idempotent_and_follow_the_procedure(local: Stack) -> None:
    referral = await sent(local, "西青公安分局")
    path = f"/police/v1/referrals/{referral.id}"
    body = {"received_at": now_iso(), "receiver": "李警官"}
    async with local.client("referral", token=local.police_token()) as police:
        early = await police.post(
            f"{path}/decision", json={"decision": "declined", "reason": "不构成犯罪", "decided_at": now_iso()}
        )
        assert early.status_code == 409
        assert "receipt" in early.json()["missing_step"]

        key = {"Idempotency-Key": f"receipt-{referral.id}"}
        first = await police.post(f"{path}/receipt", json=body, headers=key)
        repeat = await police.post(f"{path}/receipt", json=body, headers=key)
        assert first.status_code == repeat.status_code == 200
        assert repeat.json() == first.json()
        assert repeat.headers["idempotent-replayed"] == "true"
        reused = await police.post(f"{path}/receipt", json={**body, "receiver": "别人"}, headers=key)
        assert reused.status_code == 422
        assert reused.json()["type"] == "urn:greenlaw:problem:idempotency-key-reused"
        twice = await police.post(f"{path}/receipt", json=body, headers={"Idempotency-Key": "another"})
        assert twice.status_code == 409

        future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        for bad in (
            {"decision": "accepted", "decided_at": now_iso()},  # no police case number
            {"decision": "declined", "decided_at": now_iso()},  # no reason
            {"decision": "returned", "reason": "", "decided_at": now_iso()},
            {"decision": "maybe", "reason": "x", "decided_at": now_iso()},
            {"decision": "declined", "reason": "x", "decided_at": "2024-05-01T10:00:00"},  # no offset
            {"decision": "declined", "reason": "x", "decided_at": future},
            {"decision": "declined", "reason": "x", "decided_at": now_iso(), "extra": 1},
        ):
            answer = await police.post(f"{path}/decision", json=bad)
            assert answer.status_code == 422, (bad, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
        garbage = await police.post(
            f"{path}/decision", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert garbage.status_code == 422

        decision = {"decision": "declined", "reason": "情节显著轻微", "decided_at": now_iso()}
        key = {"Idempotency-Key": f"decision-{referral.id}"}
        declined = await police.post(f"{path}/decision", json=decision, headers=key)
        assert declined.status_code == 200, declined.text
        assert declined.json()["status"] == "declined"
        assert (await police.post(f"{path}/decision", json=decision, headers=key)).json() == declined.json()
    async with local.client("referral", "auditor") as auditor:
        audit = await auditor.get(f"/api/v1/referral/referrals/{referral.id}")
        assert audit.json()["decision_reason"] == "情节显著轻微"


async def test_cursor_stays_valid_across_a_restart(tmp_path: Path) -> None:
    config = StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)
    async with Stack(config) as first:
        await ensure_referral(first)
        ids = [(await sent(first, "西青公安分局")).id for _ in range(2)]
        async with first.client("referral", token=first.police_token()) as police:
            page = (await police.get("/police/v1/referrals", params={"limit": 1})).json()
        assert [i["id"] for i in page["items"]] == ids[:1]
    async with Stack(config) as second:
        await ensure_referral(second)
        later = await sent(second, "西青公安分局")
        async with second.client("referral", token=second.police_token()) as police:
            items, _ = await pull_all(police, since=page["next_cursor"])
        assert [i["id"] for i in items] == [ids[1], later.id]


async def test_concurrent_receipts_record_one(local: Stack) -> None:
    referral = await sent(local, "西青公安分局")
    body = {"received_at": now_iso(), "receiver": "李警官"}
    async with local.client("referral", token=local.police_token()) as police:
        answers = await asyncio.gather(
            *(
                police.post(
                    f"/police/v1/referrals/{referral.id}/receipt", json=body, headers={"Idempotency-Key": f"k{i}"}
                )
                for i in range(5)
            )
        )
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409]
    async with local.runtime("referral").sessions() as session:
        query = select(func.count()).select_from(OutboxRecord).where(col(OutboxRecord.key) == referral.id)
        assert (await session.execute(query)).scalar_one() == 1


FIELDS = ["received_at", "receiver", "decision", "police_case_number", "reason", "decided_at", "extra"]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=30),
    st.sampled_from(["accepted", "declined", "returned", "2024-05-01T10:00:00+08:00", "2024-02-30T10:00:00Z", ""]),
    st.lists(st.integers(), max_size=2),
)
BODIES = st.one_of(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6), st.lists(st.integers(), max_size=2))


@pytest.fixture
async def sqlite_local(tmp_path: Path):
    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)) as running:
        await ensure_referral(running)
        yield running


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, step=st.sampled_from(["receipt", "decision"]))
async def test_any_body_is_answered_without_a_server_error(sqlite_local: Stack, body: object, step: str) -> None:
    if "referral" not in sqlite_local.__dict__.setdefault("cache", {}):
        sqlite_local.__dict__["cache"]["referral"] = await sent(sqlite_local, "西青公安分局")
    referral = sqlite_local.__dict__["cache"]["referral"]
    async with sqlite_local.client("referral", token=sqlite_local.police_token()) as police:
        answer = await police.post(f"/police/v1/referrals/{referral.id}/{step}", json=body)
    assert answer.status_code in (200, 409, 422), answer.text
    if answer.status_code != 200:
        assert answer.headers["content-type"].startswith("application/problem+json")
