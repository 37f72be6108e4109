"""抽查比例 entered by the head through the cases staff API: the data file's rows first, a dated row created and
corrected with If-Match while no draw has used it, refused for an officer and for bad rows, audited; a draw of a
period after its date takes its count from it and records it in its inputs; the public plan shows it."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
from sqlmodel import select

from shared.audit import AuditEntry
from shared.outbound import tls_context
from tests.factories import credit_code
from tests.stack import Stack, eventually, serve
from tests.support.cases import API, make_team, ok, settle
from tests.support.system import assert_problem

pytestmark = pytest.mark.integration

CSV = {"Content-Type": "text/csv"}
RATES = f"{API}/inspection-rates"
ROW = {
    "effective_from": "2031-01-01",
    "rates": {
        "key_polluter": {"per": "quarter", "proportion": "0.5"},
        "ordinary": {"per": "year", "count": 3},
        "special": {"per": "year", "proportion": "1"},
    },
    "skip_inspected_within_months": 6,
    "basis": "天津市生态环境局双随机抽查工作方案",
    "document_number": "津环执法〔2030〕1号",
    "confirmed": True,
}


async def _registry(head: httpx.AsyncClient, size: int) -> None:
    lines = ["credit_code,category,name,party_type,town,industry"]
    lines += [f"{credit_code()},key_polluter,天津某化工有限公司{i},organisation,杨柳青镇,化工" for i in range(size)]
    await ok(await head.post(f"{API}/supervised-entities:import", content="\r\n".join(lines), headers=CSV))


async def test_rates_are_entered_corrected_used_by_a_draw_and_published(stack: Stack) -> None:
    async with (
        stack.client("cases", "head") as head,
        stack.client("cases", "officer") as officer,
        serve(stack.apps["disclosure"]) as url,
        httpx.AsyncClient(base_url=url, verify=tls_context()) as public,
    ):
        first = (await ok(await head.get(RATES)))["items"]
        assert [r["effective_from"] for r in first] == ["2015-08-01"]  # the data file's rows, loaded once
        assert first[0]["rates"]["key_polluter"] == {"per": "quarter", "proportion": "0.25", "count": None}
        assert (await ok(await head.get(RATES)))["items"] == first

        assert (await officer.post(RATES, json=ROW)).status_code == 403
        for bad in (
            {**ROW, "rates": {"key_polluter": {"per": "quarter", "proportion": "0.5", "count": 3}}},
            {**ROW, "rates": {"key_polluter": {"per": "quarter"}}},
            {**ROW, "rates": {"key_polluter": {"per": "quarter", "proportion": "1.5"}}},
            {**ROW, "rates": {"nobody": {"per": "year", "count": 1}}},
            {**ROW, "rates": {}},
            {**ROW, "effective_from": "2031-02-30"},
            {**ROW, "skip_inspected_within_months": -1},
        ):
            assert_problem(await head.post(RATES, json=bad), 422)

        made = await head.post(RATES, json=ROW)
        row = await ok(made, 201)
        assert made.headers["location"] == f"{RATES}/{row['id']}"
        assert made.headers["etag"]
        assert row["rates"]["ordinary"] == {"per": "year", "proportion": None, "count": 3}
        assert row["created_by"]
        fetched = await head.get(made.headers["location"])
        assert fetched.headers["etag"] == made.headers["etag"]
        assert_problem(await head.post(RATES, json=ROW), 409)  # one row per date: correct it instead

        change = {"rates": {**ROW["rates"], "key_polluter": {"per": "quarter", "proportion": "0.4"}}}
        location = made.headers["location"]
        assert_problem(await head.patch(location, json=change), 428)
        assert_problem(await head.patch(location, json=change, headers={"If-Match": '"0"'}), 412)
        assert (
            await officer.patch(location, json=change, headers={"If-Match": made.headers["etag"]})
        ).status_code == 403
        assert_problem(
            await head.patch(location, json={"confirmed": None}, headers={"If-Match": made.headers["etag"]}), 422
        )
        corrected = await head.patch(location, json=change, headers={"If-Match": made.headers["etag"]})
        assert (await ok(corrected))["rates"]["key_polluter"]["proportion"] == "0.4"
        assert corrected.headers["etag"] != made.headers["etag"]
        listed = (await ok(await head.get(RATES)))["items"]
        assert [r["effective_from"] for r in listed] == ["2015-08-01", "2031-01-01"]

        await make_team(head)
        await _registry(head, 7)
        body = {"category": "key_polluter", "period": "quarter", "year": 2031, "period_number": 2}
        draw = await ok(await head.post(f"{API}/inspection-draws", json=body), 201)
        eligible = len(draw["inputs"]["entities"]) - len(draw["inputs"]["excluded"])
        assert draw["count"] == min(eligible, math.ceil(0.4 * len(draw["inputs"]["entities"])))
        used = draw["inputs"]["rate"]
        assert used["rate_id"] == row["id"]
        assert used["category_rate"] == {"per": "quarter", "proportion": "0.4"}
        assert (used["effective_from"], used["document_number"]) == ("2031-01-01", "津环执法〔2030〕1号")
        assert draw["inputs"]["skip_inspected_within_months"] == 6
        assert "0.4" in draw["basis"]
        assert "津环执法〔2030〕1号" in draw["basis"]
        earlier = {"category": "key_polluter", "period": "quarter", "year": 2030, "period_number": 4}
        old = await ok(await head.post(f"{API}/inspection-draws", json=earlier), 201)
        assert old["inputs"]["rate"]["rate_id"] == first[0]["id"]  # the row in force on the period's start

        etag = (await head.get(location)).headers["etag"]
        in_use = await head.patch(location, json={"confirmed": False}, headers={"If-Match": etag})
        assert_problem(in_use, 409)
        assert in_use.json()["type"].endswith("rate-in-use")

        async def published() -> dict[str, Any] | None:
            plan = (await public.get("/public/v1/inspection-plans/2031")).json()
            rates = plan.get("rates", [])
            ready = rates and rates[-1]["rates"]["key_polluter"].get("proportion") == "0.4"
            return plan if ready and plan["items"] else None

        plan = await eventually(published)
        assert [r["effective_from"] for r in plan["rates"]] == ["2031-01-01"]
        assert plan["rates"][0]["document_number"] == "津环执法〔2030〕1号"
        assert plan["items"][0]["basis"] == draw["basis"]

        # The 2030 draw was made after the 2031 one and its event may come later (Kafka partitions by draw).
        async def published_earlier() -> dict[str, Any] | None:
            earlier_plan = (await public.get("/public/v1/inspection-plans/2030")).json()
            return earlier_plan if earlier_plan.get("rates") and earlier_plan.get("items") else None

        before = await eventually(published_earlier)
        assert [r["effective_from"] for r in before["rates"]] == ["2015-08-01"]
        portal = (await public.get("/portal/inspections", params={"year": 2031})).text
        for shown in ("抽查比例", "每季度抽查 40%", "每年抽查 3 家", "6个月内", "津环执法〔2030〕1号"):
            assert shown in portal

    async with stack.runtime("cases").sessions() as session:
        found = await session.exec(select(AuditEntry).where(AuditEntry.entity_type == "inspection_rate"))
        actions = [(e.entity_id, e.action) for e in found.all()]
    assert (first[0]["id"], "loaded") in actions
    assert [a for i, a in actions if i == row["id"]] == ["created", "changed"]
    await settle(stack)
