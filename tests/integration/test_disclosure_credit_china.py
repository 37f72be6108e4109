"""Credit China delivery against a real HTTP receiver on loopback that fails intermittently: every record ends
delivered exactly once, in order per publication; a rejected record fails with its error and is redelivered."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from services.disclosure.handlers.publications import local_today
from tests.factories import decision_body
from tests.stack import Stack, StackConfig, eventually, serve
from tests.support.disclosure import FlakyReceiver, issue, published, revoke_through_cases_outbox

pytestmark = pytest.mark.integration


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[FlakyReceiver, str]]:
    flaky = FlakyReceiver()
    async with serve(flaky.app) as url:
        yield flaky, url


@pytest.fixture(params=["sqlite", "postgres"])
async def local(
    request: pytest.FixtureRequest,
    receiver: tuple[FlakyReceiver, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Stack]:
    """SQLite, and PostgreSQL where replicas take turns through an advisory lock."""
    env = {
        "PUBLISH_MODES": json.dumps({"penalty": "auto"}),
        "CREDIT_CHINA_URL": receiver[1] + "/records",
        "CREDIT_CHINA_INTERVAL_SECONDS": "0.2",
        "CREDIT_CHINA_BACKOFF_SECONDS": "0.01",
        "CREDIT_CHINA_MAX_ATTEMPTS": "6",
    }
    for name, value in env.items():
        monkeypatch.setenv(f"GREENLAW_DISCLOSURE_{name}", value)
    config = StackConfig(database=request.param, transport="inprocess", data_dir=tmp_path)
    if request.param == "postgres":
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as running:
        yield running


async def test_every_record_delivered_exactly_once(local: Stack, receiver: tuple[FlakyReceiver, str]) -> None:
    flaky, _url = receiver
    today = local_today("Asia/Shanghai").isoformat()
    bodies = [decision_body(decided_on=today, fine_fen=1_234_500 * (i + 1)) for i in range(5)]
    flaky.rejected_names.add(bodies[4]["party"]["name"])
    decisions = [await issue(local, body) for body in bodies]
    publications = [await published(local, d["id"]) for d in decisions]
    await revoke_through_cases_outbox(local, decisions[0], "决定被依法撤销")

    async with local.client("disclosure", "disclosure_editor") as editor:

        async def settled() -> list[dict[str, Any]] | None:
            items = (await editor.get("/api/v1/disclosure/credit-china/records")).json()["items"]
            done = len(items) == 6 and all(i["status"] != "pending" for i in items)
            return items if done else None

        ledger = {r["id"]: r for r in await eventually(settled)}
        [failed] = [r for r in ledger.values() if r["status"] == "failed"]
        assert failed["publication_id"] == publications[4]["id"]
        assert "HTTP 400" in failed["last_error"]
        assert failed["attempts"] == 1  # a refusal is not retried
        flaky.rejected_names.clear()
        redo = await editor.post(f"/api/v1/disclosure/credit-china/records/{failed['id']}/redeliver")
        assert redo.status_code == 200

        async def all_delivered() -> list[dict[str, Any]] | None:
            items = (await editor.get("/api/v1/disclosure/credit-china/records")).json()["items"]
            return items if all(i["status"] == "delivered" for i in items) else None

        ledger = {r["id"]: r for r in await eventually(all_delivered)}
        again = await editor.post(f"/api/v1/disclosure/credit-china/records/{failed['id']}/redeliver")
        assert again.status_code == 409
        exported = await editor.get("/api/v1/disclosure/credit-china/records.csv")

    assert set(flaky.applied) == set(ledger)  # every ledger row landed, nothing else did
    assert sum(r["attempts"] for r in ledger.values()) > len(ledger)  # retries happened …
    assert max(flaky.processed.values()) >= 2  # … including after a lost answer, yet each applied once
    upsert, delete = (
        next(k for k, r in ledger.items() if r["publication_id"] == publications[0]["id"] and r["operation"] == op)
        for op in ("upsert", "delete")
    )
    assert flaky.order.index(upsert) < flaky.order.index(delete)
    assert flaky.applied[delete]["fields"]["reason"] == "决定被依法撤销"
    record = flaky.applied[next(k for k, r in ledger.items() if r["publication_id"] == publications[1]["id"])]
    assert record["fields"]["fine_wan_yuan"] == "2.469"  # 24,690 元
    assert record["fields"]["party_type"] == "法人及非法人组织"
    header = exported.text.lstrip("\ufeff").splitlines()[0]
    assert header.startswith('"行政相对人名称*","行政相对人类别*","统一社会信用代码"')
