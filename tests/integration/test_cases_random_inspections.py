"""Random inspections (双随机抽查) through the staff API: the registry imported by CSV, exclusions, a draw
committed then executed and recomputed here from its revealed inputs, planned inspections carried out, statistics."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from shared.messaging.tables import OutboxRecord
from tests.factories import credit_code
from tests.stack import Stack, StackConfig
from tests.support.cases import API, make_team, ok, party_body, settle, uid

pytestmark = pytest.mark.integration

CSV = {"Content-Type": "text/csv"}


@pytest.fixture
async def local(tmp_path: Path) -> AsyncIterator[Stack]:
    config = StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path, services=("cases",))
    async with Stack(config) as running:
        yield running
        await settle(running)


def recompute(draw: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The README's algorithm, written out again here from the published inputs only."""
    key = bytes.fromhex(draw["seed"])
    if draw["public_entropy"]:
        key = hashlib.sha256(key + draw["public_entropy"].encode()).digest()

    def rank(label: str) -> int:
        return int.from_bytes(hmac.new(key, label.encode(), hashlib.sha256).digest(), "big")

    inputs = draw["inputs"]
    eligible = [e for e in inputs["entities"] if e not in inputs["excluded"]]
    chosen = sorted(eligible, key=lambda e: rank(f"entity:{e}"))[: inputs["count"]]
    result = []
    for entity in chosen:
        allowed = [o for o in inputs["officers"] if o not in inputs["conflicts"].get(entity, [])]
        fresh = [o for o in allowed if o not in inputs["last_officers"].get(entity, [])]
        pool = fresh if len(fresh) >= 2 else allowed
        result.append((entity, sorted(pool, key=lambda o: rank(f"officer:{entity}:{o}"))[:2]))
    return result


async def _events(stack: Stack, draw_id: str) -> list[dict[str, Any]]:
    async with stack.runtime("cases").sessions() as session:
        rows = await session.exec(select(OutboxRecord).where(OutboxRecord.key == draw_id).order_by(OutboxRecord.id))
        return [json.loads(row.payload) for row in rows.all()]


async def _registry(head: httpx.AsyncClient, size: int) -> list[dict[str, Any]]:
    known = await ok(await head.post(f"{API}/parties", json=party_body()), 201)
    lines = ["credit_code,category,name,party_type,town,industry", f"{known['credit_code']},重点排污单位,,,中北镇,化工"]
    lines += [f"{credit_code()},key_polluter,天津某厂{i},organisation,杨柳青镇,电镀" for i in range(size - 1)]
    imported = await ok(await head.post(f"{API}/supervised-entities:import", content="\r\n".join(lines), headers=CSV))
    assert imported == {"created": size, "updated": 0, "parties_registered": size - 1}
    page = await ok(await head.get(f"{API}/supervised-entities", params={"category": "key_polluter", "limit": 100}))
    return list(page["items"])


async def test_a_bad_registry_file_is_refused_whole(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        individual = await ok(
            await head.post(
                f"{API}/parties",
                json={"party_type": "individual", "name": "张三", "id_number": "11010519491231002X"},
            ),
            201,
        )
        assert individual["id"]
        good = credit_code()
        text = "\ufeffcredit_code,category,name\r\n"
        text += f"{good},ordinary,天津某公司\r\n"  # good
        text += "911201110000000000,ordinary,坏代码\r\n"  # check character wrong
        text += f"{credit_code()},重点,类别不明\r\n"  # unknown category
        text += f"{credit_code()},special,\r\n"  # unregistered and no name
        text += f"{good},special,重复\r\n"  # same code twice
        answer = await head.post(f"{API}/supervised-entities:import", content=text, headers=CSV)
        assert answer.status_code == 422
        problem = answer.json()
        assert problem["type"].endswith("bad-registry-rows")
        assert [r["line"] for r in problem["rows"]] == [3, 4, 5, 6]
        assert (await ok(await head.get(f"{API}/supervised-entities")))["items"] == []
        assert (await ok(await head.get(f"{API}/parties", params={"q": good})))["items"] == []
        wrong_type = await head.post(f"{API}/supervised-entities:import", json={})
        assert wrong_type.status_code == 415
        no_header = await head.post(f"{API}/supervised-entities:import", content="a,b\r\n1,2\r\n", headers=CSV)
        assert no_header.status_code == 422


async def test_a_draw_is_committed_executed_recomputed_and_carried_out(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        team = await make_team(head)
        officers = [*team.investigators, team.reviewer, team.legal]
        entities = await _registry(head, 6)
        conflicted = entities[0]["id"]
        exclusion = {"officer_id": officers[0], "entity_id": conflicted, "kind": "conflict_of_interest",
                     "reason": "其配偶任该单位环保负责人", "starts_on": "2021-01-01"}  # fmt: skip
        await ok(await head.post(f"{API}/inspector-exclusions", json=exclusion), 201)
        leave = {"officer_id": officers[1], "kind": "leave", "reason": "产假", "starts_on": "2021-08-01",
                 "ends_on": "2021-08-31"}  # fmt: skip
        await ok(await head.post(f"{API}/inspector-exclusions", json=leave), 201)
        newcomer = {"name": "高远", "credential_number": f"12{uid()}", "credential_valid_from": "2022-01-01"}
        issued_later = (await ok(await head.post(f"{API}/officers", json={**newcomer, "team_id": team.id}), 201))["id"]
        pool = await ok(await head.get(f"{API}/inspector-pool", params={"on": "2021-08-02"}))
        available = {o["id"]: o["available"] for t in pool["teams"] for o in t["officers"]}
        assert available[officers[1]] is False
        assert available[officers[0]] is True
        assert issued_later not in available  # 执法证 not yet valid on the day

        body = {"category": "key_polluter", "period": "quarter", "year": 2021, "period_number": 3, "count": 4}
        draw = await ok(await head.post(f"{API}/inspection-draws", json=body), 201)
        assert draw["status"] == "committed"
        assert draw["seed"] is None
        assert draw["ends_on"] == "2021-09-30"
        assert sorted(draw["inputs"]["entities"]) == sorted(e["id"] for e in entities)
        assert officers[1] not in draw["inputs"]["officers"]  # on leave during the quarter
        assert issued_later not in draw["inputs"]["officers"]
        assert draw["inputs"]["conflicts"] == {conflicted: [officers[0]]}
        again = await head.post(f"{API}/inspection-draws", json=body)
        assert again.status_code == 409
        assert again.json()["existing_draw_id"] == draw["id"]

        url = f"{API}/inspection-draws/{draw['id']}"
        assert (await ok(await head.get(url)))["seed"] is None
        etag = (await head.get(url)).headers["etag"]
        done = await ok(await head.post(f"{url}/execution", json={"public_entropy": "福彩3D 2021185期 472"},
                                        headers={"If-Match": etag}))  # fmt: skip
        assert hashlib.sha256(bytes.fromhex(done["seed"])).hexdigest() == draw["commitment"]
        assert [(a["entity_id"], a["officer_ids"]) for a in done["result"]] == recompute(done)
        for assignment in done["result"]:
            assert len(set(assignment["officer_ids"])) == 2
            assert officers[1] not in assignment["officer_ids"]
            if assignment["entity_id"] == conflicted:
                assert officers[0] not in assignment["officer_ids"]
        replay = await head.post(
            f"{url}/execution", json={}, headers={"If-Match": (await head.get(url)).headers["etag"]}
        )
        assert replay.status_code == 409

        planned = await ok(await head.get(f"{API}/planned-inspections", params={"draw_id": draw["id"]}))
        assert len(planned["items"]) == 4
        plan = next(p for p in planned["items"] if p["id"] == done["result"][0]["planned_inspection_id"])
        visit = {"inspected_at": "2021-09-01T10:00:00+08:00", "place": "厂区", "findings": "未发现问题",
                 "planned_inspection_id": plan["id"]}  # fmt: skip
        others = [o for o in officers if o not in plan["officer_ids"]]
        wrong = await head.post(f"{API}/inspections", json={**visit, "officer_ids": others})
        assert wrong.status_code == 422
        assert wrong.json()["type"].endswith("not-the-drawn-officers")
        inspection = await ok(
            await head.post(f"{API}/inspections", json={**visit, "officer_ids": plan["officer_ids"]}), 201
        )
        assert inspection["result"] == "compliant"
        assert inspection["party_id"] == plan["party_id"]
        entity = await ok(await head.get(f"{API}/supervised-entities/{plan['entity_id']}"))
        assert entity["last_inspected_on"] == "2021-09-01"
        assert sorted(entity["last_officer_ids"]) == sorted(plan["officer_ids"])
        assert (
            await head.post(f"{API}/inspections", json={**visit, "officer_ids": plan["officer_ids"]})
        ).status_code == 409

        stats = await ok(await head.get(f"{API}/statistics", params={"year": 2021}))
        assert stats["inspections_by_category"]["key_polluter"]["compliant"] == 1
        assert stats["registry_coverage"]["key_polluter"] == {"entities": 6, "inspected": 1}

        events = await _events(local, draw["id"])
        assert [e["type"] for e in events] == [
            "cases.inspection_draw.committed.v1",
            "cases.inspection_draw.executed.v1",
            "cases.planned_inspection.carried_out.v1",
        ]
        executed = events[1]["data"]
        assert executed["seed"] == done["seed"]
        assert [r["officer_credential_numbers"] for r in executed["results"]] == [
            a["credential_numbers"] for a in done["result"]
        ]
        assert events[2]["data"]["result"] == "compliant"

        redo = {**body, "redraw_of": draw["id"], "reason": "抽取后发现名录遗漏一家重点排污单位"}
        redraw = await ok(await head.post(f"{API}/inspection-draws", json=redo), 201)
        etag = (await head.get(f"{API}/inspection-draws/{redraw['id']}")).headers["etag"]
        await ok(
            await head.post(f"{API}/inspection-draws/{redraw['id']}/execution", json={}, headers={"If-Match": etag})
        )
        assert (await ok(await head.get(url)))["status"] == "superseded"
        left = await ok(
            await head.get(f"{API}/planned-inspections", params={"draw_id": draw["id"], "status": "planned"})
        )
        assert left["items"] == []  # the old draw's open plans were cancelled; the one carried out stays done
