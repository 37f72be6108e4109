"""The rule-of-law register and annual report (法治政府建设年度报告): entries checked against their kind and audited;
the report drafted from the register and the cases statistics (a stand-in with the agreed contract), edited,
approved by the head, published with its PDF and portal page; both annual reports tracked as overdue only for years
with data or once the bureau was told to report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlmodel import col, select

from services.disclosure.handlers.publications import local_today
from shared.audit import AuditEntry
from tests.factories import decision_body
from tests.stack import Stack, StackConfig, eventually
from tests.support.disclosure import issue, publication_of
from tests.support.documents import pdf_text

pytestmark = pytest.mark.integration

ACTIVITIES = "/api/v1/disclosure/law-activities"
REPORTS = "/api/v1/disclosure/rule-of-law-reports"
STATISTICS: dict[str, Any] = {
    "quarter": None,
    "inspections": 812,
    "leads": 96,
    "cases_filed": 150,
    "cases_closed": 143,
    "decisions_by_kind": {
        "penalty": 143,
        "seizure": 1,
        "yellow_card": 20,
        "order_to_correct": 151,
        "daily_penalty": 0,
        "production_restriction": 0,
    },
    "fines_total_fen": 1_234_567_800,
    "confiscation_total_fen": 0,
    "review_meetings": 60,
    "cases_reviewed": 150,
    "referrals_by_medium": {"water": 1, "air": 0, "soil": 3, "solid_waste": 0, "noise": 0, "radiation": 0, "other": 0},
    "legal_reviews_required": 21,
    "legal_reviews_before_decision": 20,
}


# The referral service's answer (only what the report reads, and a field it does not).
REFERRALS: dict[str, Any] = {
    "total": 4,
    "by_medium": {"water": 1, "air": 0, "soil": 3, "solid_waste": 0, "noise": 0, "radiation": 0, "other": 0},
    "by_outcome": {"accepted": 3, "declined": 1, "returned": 0, "pending": 0},
    "time_to_decision": {"count": 4, "mean_days": 2.5, "median_days": 2.0, "max_days": 5},
}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def local(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """cases and disclosure on each database; disclosure reads stand-ins' statistics (the seed's 2021 figures)."""
    data_dir = tmp_path_factory.mktemp("lawreport")
    config = StackConfig(
        database=request.param, transport="inprocess", data_dir=data_dir, services=("cases", "disclosure")
    )
    if request.param == "postgres":
        config.postgres = request.getfixturevalue("postgres")
    stand_in = FastAPI()

    @stand_in.get("/api/v1/cases/statistics")
    async def statistics(year: int) -> dict[str, Any]:
        return {**STATISTICS, "year": year}

    @stand_in.get("/api/v1/referral/statistics")
    async def referrals(year: int, request: Request) -> dict[str, Any]:
        assert request.headers["authorization"].startswith("Bearer ")  # a service token
        return {**REFERRALS, "year": year}

    async with Stack(config) as running:
        running.apps["disclosure"].state.cases_transport = httpx.ASGITransport(app=stand_in)
        running.apps["disclosure"].state.referral_transport = httpx.ASGITransport(app=stand_in)
        yield running


async def created(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post(ACTIVITIES, json=body)
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"] == f"{ACTIVITIES}/{answer.json()['id']}"
    found: dict[str, Any] = answer.json()
    return found


async def test_register_entries_fit_their_kind_and_are_audited(local: Stack) -> None:
    async with local.client("disclosure", "legal_reviewer") as legal:
        body = {"kind": "training", "occurred_on": "2021-05-12", "town": "杨柳青镇", "enterprises": 100}
        training = await created(legal, body)
        assert training["year"] == 2021
        assert training["version"] == 1

        missing = await legal.post(ACTIVITIES, json={"kind": "training", "occurred_on": "2021-05-12"})
        assert missing.status_code == 422
        assert missing.json()["type"] == "urn:greenlaw:problem:activity-facts"
        assert missing.json()["missing"] == ["enterprises", "town"]
        foreign = await legal.post(ACTIVITIES, json={**body, "firm": "某律师事务所"})
        assert foreign.status_code == 422
        assert foreign.json()["not_applicable"] == ["firm"]
        assert (await legal.post(ACTIVITIES, json={**body, "enterprises": -1})).status_code == 422
        assert (await legal.post(ACTIVITIES, json={**body, "year": 2020})).status_code == 422
        adviser = {"kind": "adviser", "adviser_type": "part_time", "firm": "天津某律师事务所"}
        assert (await legal.post(ACTIVITIES, json=adviser)).status_code == 422  # an adviser needs its year
        assert (await created(legal, {**adviser, "year": 2021}))["year"] == 2021

        path = f"{ACTIVITIES}/{training['id']}"
        read = await legal.get(path)
        assert (await legal.patch(path, json={"enterprises": 120})).status_code == 428
        changed = await legal.patch(path, json={"enterprises": 120}, headers={"If-Match": read.headers["etag"]})
        assert changed.status_code == 200
        assert changed.json()["enterprises"] == 120
        stale = await legal.patch(path, json={"enterprises": 130}, headers={"If-Match": read.headers["etag"]})
        assert stale.status_code == 412
        etag = changed.headers["etag"]
        assert (await legal.patch(path, json={"town": None}, headers={"If-Match": etag})).status_code == 422
        listed = (await legal.get(ACTIVITIES, params={"year": 2021, "kind": "training"})).json()["items"]
        assert [i["id"] for i in listed] == [training["id"]]
        assert (await legal.delete(path, headers={"If-Match": etag})).status_code == 204
        assert (await legal.get(path)).status_code == 404

    async with local.client("disclosure", "officer") as officer, local.client("disclosure", "disclosure_editor") as ed:
        assert (await officer.get(ACTIVITIES)).status_code == 403
        assert (await ed.get(ACTIVITIES)).status_code == 200
        assert (await ed.post(ACTIVITIES, json=body)).status_code == 403

    async with local.runtime("disclosure").uow() as uow:
        statement = select(AuditEntry).where(col(AuditEntry.entity_id) == training["id"])
        actions = [row.action for row in (await uow.session.execute(statement)).scalars()]
    assert actions == ["recorded", "changed", "removed"]


# The seed's 2021 activities (domain.md §6, issue text).
SEED_YEAR_ACTIVITIES: list[dict[str, Any]] = [
    *({"kind": "study_session", "topic": "constitution", "subject": "学习宪法", "occurred_on": d}
      for d in ("03-10", "12-03")),
    *({"kind": "study_session", "topic": "law_thought", "subject": "学习习近平法治思想", "occurred_on": d}
      for d in ("02-24", "06-16", "09-22")),
    {"kind": "lecture", "subject": "新《行政处罚法》解读", "occurred_on": "07-08"},
    *({"kind": "training", "town": t, "enterprises": 100, "occurred_on": "05-12"}
      for t in ("杨柳青镇", "中北镇", "张家窝镇", "精武镇", "辛口镇")),
    {"kind": "consultation", "subject": "VOCs治理", "problems_solved": 3, "occurred_on": "08-18"},
    {"kind": "consultation", "subject": "危险废物贮存", "problems_solved": 1, "occurred_on": "10-20"},
    {"kind": "outreach", "enterprises": 132, "materials": 135, "occurred_on": "04-15"},
    {"kind": "committee_meeting", "subjects": ["重大行政执法决定法制审核目录"], "occurred_on": "02-07"},
]  # fmt: skip


async def test_the_report_is_drafted_edited_approved_and_published(local: Stack) -> None:
    year = local_today("Asia/Shanghai").year - 2
    async with local.client("disclosure", "legal_reviewer") as legal:
        for body in SEED_YEAR_ACTIVITIES:
            await created(legal, {**body, "occurred_on": f"{year}-{body['occurred_on']}"})
        for kind in ("full_time", "full_time", "part_time"):
            await created(legal, {"kind": "adviser", "year": year, "adviser_type": kind, "firm": "天津某律师事务所"})
        draft = await legal.post(f"{REPORTS}/{year}")
        assert draft.status_code == 201, draft.text
        assert draft.headers["location"] == f"{REPORTS}/{year}"
        assert (await legal.post(f"{REPORTS}/{year}")).status_code == 409
        assert (await legal.post(f"{REPORTS}/{year + 2}")).status_code == 409  # the year is not over

    report = draft.json()
    assert report["stage"] == "draft"
    assert report["due_on"] == f"{year + 1}-03-31"
    assert report["activities"]["trainings"] == {
        "sessions": 5,
        "enterprises": 500,
        "towns": report["activities"]["trainings"]["towns"],
    }
    text = "".join(s["text"] for s in report["sections"])
    for stated in (
        "集体学法5次，其中学习宪法2次、学习习近平法治思想3次；举办法治讲座1次",
        "开展普法培训5次，覆盖企业500家",
        "组织专家会诊2次，帮助企业解决问题4个",
        "送法入企走访企业132家，发放宣传资料135份",
        "聘请专职法律顾问2名、兼职法律顾问1名",
        f"召开法制委员会会议1次（{year}年2月7日）",
        "召开案件审议会60次，审议案件150件，立案案件经审议的比例为100.0%",
        "须经法制审核的重大执法决定21件，作出决定前经法制审核20件，法制审核覆盖率95.2%。",
        "向公安机关移送涉嫌环境犯罪案件4件（水1件、土壤3件），公安机关已立案3件。",
        "行政处罚决定143件",
    ):
        assert stated in text, stated

    path = f"{REPORTS}/{year}"
    async with local.client("disclosure", "legal_reviewer") as legal:
        overview = {"sections": {"overview": "本年度总体情况（编辑稿）。"}}
        edited = await legal.patch(path, json=overview, headers={"If-Match": draft.headers["etag"]})
        await created(legal, {"kind": "lecture", "subject": "民法典", "occurred_on": f"{year}-11-05"})
        assert (await legal.post(f"{path}/figures", headers={"If-Match": draft.headers["etag"]})).status_code == 412
        draft = await legal.post(f"{path}/figures", headers={"If-Match": edited.headers["etag"]})
        assert draft.status_code == 200, draft.text
        refreshed = {s["key"]: s["text"] for s in draft.json()["sections"]}
        assert "举办法治讲座2次" in refreshed["study"]  # drafted again from the new figures
        assert refreshed["overview"] == "本年度总体情况（编辑稿）。"  # the editor's text kept
        assert draft.json()["activities"]["lectures"] == 2

    async with local.client("disclosure", "head") as head, local.client("disclosure", "disclosure_editor") as editor:
        etag = draft.headers["etag"]
        refused = await editor.post(f"{path}/publication", headers={"If-Match": etag})
        assert refused.json()["type"] == "urn:greenlaw:problem:report-not-approved"
        assert (await editor.post(f"{path}/approval", headers={"If-Match": etag})).status_code == 403
        approved = await head.post(f"{path}/approval", headers={"If-Match": etag})
        assert approved.status_code == 200
        assert approved.json()["approved_by"] == "tester"
        plans = {"sections": {"plans": "下一年度将加强执法人员培训。"}}
        edited = await editor.patch(path, json=plans, headers={"If-Match": approved.headers["etag"]})
        assert edited.json()["stage"] == "draft"
        assert edited.json()["approved_by"] is None
        assert (
            await editor.patch(path, json={"sections": {"nope": "x"}}, headers={"If-Match": "*"})
        ).status_code == 422
        approved = await head.post(f"{path}/approval", headers={"If-Match": edited.headers["etag"]})
        body = {"published_on": f"{year + 1}-03-20"}
        published = await editor.post(f"{path}/publication", json=body, headers={"If-Match": approved.headers["etag"]})
        assert published.status_code == 200, published.text
        assert published.json()["on_time"] is True
        assert published.json()["stage"] == "published"
        again = await editor.patch(path, json=plans, headers={"If-Match": published.headers["etag"]})
        assert again.json()["type"] == "urn:greenlaw:problem:report-published"
        tracked = {t["year"]: t for t in (await head.get(REPORTS)).json()}
        assert tracked[year]["status"] == "published"
        assert tracked[year]["on_time"] is True

    async with local.client("disclosure") as public:
        listed = (await public.get("/public/v1/rule-of-law-reports")).json()["items"]
        assert [r["year"] for r in listed] == [year]
        served = (await public.get(f"/public/v1/rule-of-law-reports/{year}")).json()
        assert served["sections"][-1]["text"] == "下一年度将加强执法人员培训。"
        pdf = await public.get(served["document_url"])
        assert pdf.headers["content-type"] == "application/pdf"
        assert "开展普法培训5次，覆盖企业500家" in pdf_text(pdf.content)
        page = await public.get(f"/portal/rule-of-law-reports/{year}")
        assert f"{year}年法治政府建设年度报告" in page.text
        assert "学习宪法2次" in page.text
        assert served["figures"]["legal_review_coverage"] == 20 / 21
        assert '<th scope="row">法制审核覆盖率</th><td>95.2%</td>' in page.text
        assert "法制审核覆盖率95.2%" in pdf_text(pdf.content)
        assert (await public.get(f"/public/v1/rule-of-law-reports/{year - 1}")).status_code == 404


async def test_only_years_with_data_are_overdue(tmp_path: Path) -> None:
    """Part 4: a year without decisions or register entries owes no report, until the bureau is told to report."""
    config = StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path, services=("cases", "disclosure"))
    async with Stack(config) as running:
        today = local_today("Asia/Shanghai")
        old = today.year - 6
        decision = await issue(running, decision_body(kind="order_to_correct", decided_on=f"{old}-06-15"))
        async with running.client("disclosure", "head") as head:
            await eventually(lambda: publication_of(head, decision["id"]))
            body = {"kind": "lecture", "subject": "民法典", "occurred_on": f"{old - 1}-05-01"}
            assert (await head.post(ACTIVITIES, json=body)).status_code == 201
            enforcement = {t["year"]: t["status"] for t in (await head.get("/api/v1/disclosure/annual-reports")).json()}
            rule_of_law = {t["year"]: t["status"] for t in (await head.get(REPORTS)).json()}
        recent = {today.year - 3: "no_data", today.year - 2: "no_data", today.year - 1: "no_data"}
        assert enforcement == {old: "overdue", **recent}
        assert rule_of_law == {old - 1: "overdue", old: "overdue", **recent}

        running.apps["disclosure"].state.settings.reports_required_from = today.year - 2
        async with running.client("disclosure", "head") as head:
            enforcement = {t["year"]: t["status"] for t in (await head.get("/api/v1/disclosure/annual-reports")).json()}
        assert enforcement[today.year - 3] == "no_data"
        assert enforcement[today.year - 2] == "overdue"
        assert enforcement[today.year - 1] == ("overdue" if today > date(today.year, 1, 31) else "pending")


async def test_a_draft_needs_the_referral_statistics(local: Stack) -> None:
    state = local.apps["disclosure"].state
    working, state.referral_transport = state.referral_transport, httpx.ASGITransport(app=FastAPI())  # 404s
    try:
        async with local.client("disclosure", "head") as head:
            year = local_today("Asia/Shanghai").year - 4
            down = await head.post(f"{REPORTS}/{year}")
            assert down.status_code == 503
            assert down.json()["type"] == "urn:greenlaw:problem:referral-unavailable"
            assert (await head.get(f"{REPORTS}/{year}")).status_code == 404  # nothing was drafted
    finally:
        state.referral_transport = working
