"""Random inspections in public (双随机、一公开): a draw made through the cases staff API reaches the public API and
the portal through the events — the commitment before the draw, then the seed, the inputs and the result, which
this test fetches over HTTP and recomputes with the algorithm written out again (tests/support/draws.py); the
inspections' results as they arrive (no violation, lead opened, case filed); a redraw with its reason, superseding
the first draw."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.outbound import tls_context
from tests.factories import credit_code
from tests.stack import Stack, eventually, serve
from tests.support.cases import API, make_team, ok, settle
from tests.support.draws import recompute

pytestmark = pytest.mark.integration

CSV = {"Content-Type": "text/csv"}
SOLE_TRADER = "张建国五金店"


async def _registry(head: httpx.AsyncClient) -> None:
    lines = ["credit_code,category,name,party_type,town,industry"]
    lines += [f"{credit_code()},key_polluter,天津某电镀有限公司{i},organisation,杨柳青镇,电镀" for i in range(4)]
    lines.append(f"{credit_code()},key_polluter,{SOLE_TRADER},sole_trader,中北镇,五金")
    await ok(await head.post(f"{API}/supervised-entities:import", content="\r\n".join(lines), headers=CSV))


async def _execute(head: httpx.AsyncClient, draw_id: str, entropy: str | None = None) -> dict[str, Any]:
    url = f"{API}/inspection-draws/{draw_id}"
    etag = (await head.get(url)).headers["etag"]
    body = {"public_entropy": entropy} if entropy else {}
    return dict(await ok(await head.post(f"{url}/execution", json=body, headers={"If-Match": etag})))


async def _public_draw(public: httpx.AsyncClient, draw_id: str, until: Any) -> dict[str, Any]:
    async def fetched() -> dict[str, Any] | None:
        answer = await public.get(f"/public/v1/inspection-draws/{draw_id}")
        found = answer.json() if answer.status_code == 200 else None
        return found if found and until(found) else None

    return dict(await eventually(fetched))


async def test_a_draw_is_published_recomputable_with_its_results_and_redraw(stack: Stack) -> None:
    async with (
        stack.client("cases", "head") as head,
        serve(stack.apps["disclosure"]) as url,
        httpx.AsyncClient(base_url=url, verify=tls_context()) as public,
    ):
        team = await make_team(head)
        await _registry(head)
        body = {"category": "key_polluter", "period": "quarter", "year": 2021, "period_number": 3, "count": 5}
        committed = await ok(await head.post(f"{API}/inspection-draws", json=body), 201)

        before = await _public_draw(public, committed["id"], lambda d: True)
        assert before["status"] == "committed"
        assert before["commitment"] == committed["commitment"]
        assert len(before["inputs_sha256"]) == 64  # the inputs' digest, before the draw too
        assert (before["seed"], before["results"], before["inputs"]) == (None, [], {})
        assert before["committed_published_at"]

        done = await _execute(head, committed["id"], "福彩3D 2021185期 472")
        draw = await _public_draw(public, committed["id"], lambda d: d["status"] == "executed")
        assert draw["seed"] == done["seed"]
        assert draw["inputs_sha256"] == before["inputs_sha256"]
        recomputed = recompute(draw)
        assert recomputed == [(r["entity_id"], r["officer_credential_numbers"]) for r in draw["results"]]
        assert [e for e, _ in recomputed] == [a["entity_id"] for a in done["result"]]
        assert "张某（个体工商户）" in [r["name"] for r in draw["results"]]
        assert all(r["outcome"] == "planned" for r in draw["results"])

        listed = await ok(await head.get(f"{API}/planned-inspections", params={"draw_id": committed["id"]}))
        plans = {p["entity_id"]: p for p in listed["items"]}
        first, second = (plans[r["entity_id"]] for r in draw["results"][:2])

        async def inspect(plan: dict[str, Any], **extra: Any) -> dict[str, Any]:
            body = {"inspected_at": "2021-09-01T10:00:00+08:00", "place": "厂区", "findings": "未发现问题",
                    "planned_inspection_id": plan["id"], "officer_ids": plan["officer_ids"], **extra}  # fmt: skip
            return dict(await ok(await head.post(f"{API}/inspections", json=body), 201))

        await inspect(first)
        found = await inspect(second, findings="废水超标排放", open_lead=True)
        filing = {"lead_id": found["lead_id"], "party_id": second["party_id"], "filed_on": "2021-09-03",
                  "investigator_ids": second["officer_ids"], "medium": "water", "summary": "涉嫌超标排放"}  # fmt: skip
        await ok(await head.post(API, json=filing), 201)

        def results_in(d: dict[str, Any]) -> bool:
            return [r["outcome"] for r in d["results"][:2]] == ["no_violation", "case_filed"]

        draw = await _public_draw(public, committed["id"], results_in)
        assert draw["results"][0]["inspected_on"] == "2021-09-01"
        assert draw["results"][1]["case_filed_on"] == "2021-09-03"
        assert draw["results"][0]["result_published_at"]

        redo = {**body, "redraw_of": committed["id"], "reason": "抽取后发现名录遗漏一家重点排污单位"}
        redraw = await ok(await head.post(f"{API}/inspection-draws", json=redo), 201)
        await _execute(head, redraw["id"])
        old = await _public_draw(public, committed["id"], lambda d: d["status"] == "superseded")
        assert old["superseded_by"] == redraw["id"]
        assert [r["outcome"] for r in old["results"]][2:] == ["cancelled"] * 3
        new = await _public_draw(public, redraw["id"], lambda d: d["status"] == "executed")
        assert (new["redraw_of"], new["reason"]) == (committed["id"], redo["reason"])
        assert recompute(new) == [(r["entity_id"], r["officer_credential_numbers"]) for r in new["results"]]

        listing = (await public.get("/public/v1/inspection-draws", params={"year": 2021})).json()["items"]
        assert [d["id"] for d in listing] == [committed["id"], redraw["id"]]
        plan = (await public.get("/public/v1/inspection-plans/2021")).json()
        assert [(p["draw_id"], p["count"]) for p in plan["items"]] == [(redraw["id"], 5)]

        page = (await public.get(f"/portal/inspections/{committed['id']}")).text
        for shown in (committed["commitment"], "重新抽取", "已立案查处", "张某（个体工商户）"):
            assert shown in page
        csv = (await public.get("/public/v1/inspection-draws.csv", params={"year": 2021})).text
        assert "张某（个体工商户）" in csv
        for text in (page, csv, str(draw), str(new), (await public.get("/portal/inspections")).text):
            assert SOLE_TRADER not in text
            assert "王伟" not in text  # officers by credential number only
        assert team.id not in str(draw)
        bad = await public.get("/public/v1/inspection-draws", params={"category": "nope"})
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert (await public.get("/public/v1/inspection-draws/00000000-0000-4000-8000-000000000000")).status_code == 404
    await settle(stack)
