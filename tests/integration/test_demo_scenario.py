"""The demo scenario loaded into the embedded mode (SQLite, in-process bus) through the gateway: afterwards the
statistics, staff and public APIs report the bureau's reported 2020–2021 figures (domain.md §6), every decision
was published on time, penalties reached a Credit China receiver, and the plan is the same for the same seed.

The hourly air data is cut to a few days here (``air_days``); the full year is the same code path, timed by hand."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.demo import noise
from services.demo.loader import DemoAlreadyLoaded, load
from services.demo.plan import DemoPlan, build_plan
from services.demo.readings import air_rows, water_rows
from services.ops.embedded import create_embedded_app
from shared.contracts.common import DecisionKind
from shared.decision_kinds import load_table
from shared.settings import CommonSettings
from tests.stack import eventually, serve
from tests.support.documents import pdf_text
from tests.support.draws import recompute

pytestmark = pytest.mark.integration

# Days of hourly air data; GREENLAW_DEMO_TEST_AIR_DAYS=365 runs the full year.
AIR_DAYS = int(os.environ.get("GREENLAW_DEMO_TEST_AIR_DAYS", "2"))
KINDS = {"penalty": 143, "seizure": 1, "yellow_card": 20, "order_to_correct": 151}


class CreditChinaReceiver:
    """The platform's side: each record applied once per Idempotency-Key."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.app = FastAPI()
        self.app.post("/records")(self.receive)

    async def receive(self, request: Request) -> JSONResponse:
        self.records.setdefault(request.headers["idempotency-key"], await request.json())
        return JSONResponse({"ok": True})


async def _pages(client: httpx.AsyncClient, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        answer = await client.get(path, params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


async def _token(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    form = {"grant_type": "password", "username": username, "password": "greenlaw-demo"}
    answer = await client.post("/auth/token", data=form)
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_the_bureaus_year_is_reported_by_the_apis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    receiver = CreditChinaReceiver()
    async with serve(receiver.app) as receiver_url:
        monkeypatch.setenv("GREENLAW_DISCLOSURE_CREDIT_CHINA_URL", f"{receiver_url}/records")
        monkeypatch.setenv("GREENLAW_DISCLOSURE_CREDIT_CHINA_INTERVAL_SECONDS", "0.2")
        monkeypatch.setenv("GREENLAW_GATEWAY_UPSTREAM_TIMEOUT", "60")  # a busy test machine is not what is tested
        common = CommonSettings(environment="development", data_dir=tmp_path, log_level="WARNING")
        app = create_embedded_app(common, demo=False)
        plan = build_plan(air_days=AIR_DAYS)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))
            async with httpx.AsyncClient(transport=transport, base_url="http://embedded", timeout=60) as client:
                report = await load(client, plan)
                await _check(client, receiver, report.created, credit_china=_sent_to_credit_china(plan))
                with pytest.raises(DemoAlreadyLoaded):
                    await load(client, plan)


def _sent_to_credit_china(plan: DemoPlan) -> int:
    """Every penalty, and the yellow cards decided once restricting production became a penalty (2021-07-15)."""
    yellow = [c for c in plan.cases if c.kind == "yellow_card"]
    table = load_table()
    sent = [c for c in yellow if c.decided_on and table.rule(DecisionKind.YELLOW_CARD, c.decided_on).credit_china]
    assert 0 < len(sent) < len(yellow), "the demo's yellow cards fall on both sides of 2021-07-15"
    assert all(c.violation.fine_fen == 0 for c in yellow), "a yellow card carries no fine"
    return KINDS["penalty"] + len(sent)


async def _check(
    client: httpx.AsyncClient, receiver: CreditChinaReceiver, created: dict[str, int], *, credit_china: int
) -> None:
    head, editor = await _token(client, "head"), await _token(client, "editor")
    assert {k: created[k] for k in KINDS} == KINDS
    # 执法统计 (cases): decisions by kind, review meetings, cases reviewed, referrals by medium, over both years.
    totals: dict[str, int] = dict.fromkeys(KINDS, 0)
    meetings = reviewed = 0
    referrals: dict[str, int] = {}
    for year in (2020, 2021):
        answer = await client.get("/api/v1/cases/statistics", params={"year": year}, headers=head)
        assert answer.status_code == 200, answer.text
        stats = answer.json()
        for kind in KINDS:
            totals[kind] += stats["decisions_by_kind"].get(kind, 0)
        meetings += stats["review_meetings"]
        reviewed += stats["cases_reviewed"]
        for medium, n in stats["referrals_by_medium"].items():
            referrals[medium] = referrals.get(medium, 0) + n
        # 公示及时率: every decision of the year published within its deadline.
        rate = (await client.get("/api/v1/disclosure/statistics/on-time", params={"year": year}, headers=editor)).json()
        assert rate["year"]["late"] == 0
        assert rate["year"]["on_time"] == rate["year"]["due"] > 0
    assert totals == KINDS
    assert (meetings, reviewed) == (60, 167)
    assert {m: n for m, n in referrals.items() if n} == {"water": 1, "soil": 3}

    # The public API lists exactly these published decisions.
    published = {kind: await _pages(client, "/public/v1/decisions", {"kind": kind}) for kind in KINDS}
    for kind, count in KINDS.items():
        assert len(published[kind]) == count, kind

    # The police decided on every referral (立案), as the referral statistics report.
    by_outcome: dict[str, int] = {}
    for year in (2020, 2021):
        stats = (await client.get("/api/v1/referral/statistics", params={"year": year}, headers=head)).json()
        for outcome, n in stats["by_outcome"].items():
            by_outcome[outcome] = by_outcome.get(outcome, 0) + n
    assert {o: n for o, n in by_outcome.items() if n} == {"accepted": 4}

    # Monitoring: 96 sections in 9 towns, 10 air stations.
    monitor = await _token(client, "monitor")
    stations = "/api/v1/monitoring/stations"
    answer = await client.get(stations, params={"kind": "water_section", "limit": 100}, headers=monitor)
    sections = answer.json()["items"]
    assert len(sections) == 96
    assert len({s["town"] for s in sections}) == 9
    answer = await client.get(stations, params={"kind": "air_station", "limit": 100}, headers=monitor)
    assert len(answer.json()["items"]) == 10
    # 排污单位: 240 enterprises of emitting trades with outlets and permit limits, their days reviewed.
    assert created["enterprises"] == 240
    listed = (await client.get("/public/v1/monitoring/enterprises", params={"limit": 100})).json()
    assert len(listed["items"]) == 100
    assert listed["next_cursor"]
    first = listed["items"][0]
    assert first["key_unit"]
    assert first["outlets"][0]["limits"]
    year = {"year": 2021}
    months = (await client.get(f"/public/v1/monitoring/enterprises/{first['code']}/completeness", params=year)).json()
    assert sum(m["reported"] for m in months["items"]) > 0

    # The annual report for 2021, published by 31 January 2022, and the bulletins (daily, weekly, monthly).
    reports = (await client.get("/public/v1/reports")).json()["items"]
    assert [r["year"] for r in reports] == [2021, 2020]
    report = (await client.get("/public/v1/reports/2021")).json()
    assert report["published_on"] == "2022-01-20"
    for day in ("2021-12-31", "2999-01-01"):  # a recorded publication date lies between 1 January and today
        answer = await client.post("/api/v1/disclosure/annual-reports/2021", json={"published_on": day}, headers=editor)
        assert answer.status_code == 422, answer.text
    plan = build_plan(air_days=AIR_DAYS)
    await _check_reports_and_rule_of_law(client, head, plan)
    await _check_before_enforcement(client, plan, head)
    await _check_documents(client, plan, published, head=head, editor=editor)
    expected = {
        "water_monthly": 24,
        "air_daily": AIR_DAYS,
        "air_weekly": len(plan.air_weeks),
        "air_monthly": len(plan.air_months),
        "noise_annual": 1,
    }
    for kind, count in expected.items():
        listed = (await client.get("/public/v1/bulletins", params={"kind": kind})).json()["items"]
        assert len(listed) == min(count, 100), kind  # the public list shows the newest 100 of a kind
    assert expected["air_weekly"] == max(0, (AIR_DAYS - 3) // 7)  # 1 January 2021 is a Friday: weeks from the 4th

    # Noise: 48 grid points, 16 road sections, 8 functional-zone points, reviewed, so the public summary has them.
    summary = (await client.get("/public/v1/monitoring/noise/summary", params={"year": 2021})).json()
    assert (summary["regional"]["points"], summary["traffic"]["sections"]) == (48, 16)
    assert summary["regional"]["day"]["grade"] is not None
    assert {(z["zone_class"], z["measured"]) for z in summary["functional_zones"]} == {
        ("1", 8), ("2", 8), ("3", 8), ("4a", 8)
    }  # fmt: skip
    await _check_draws(client, head, plan)

    # Credit China: every published penalty delivered once (yellow cards too from 2021-07-15).
    async def delivered() -> bool:
        return len(receiver.records) >= credit_china

    await eventually(delivered, timeout=60)
    assert len(receiver.records) == credit_china
    ledger = (await client.get("/api/v1/disclosure/credit-china/records", headers=editor)).json()["items"]
    assert {r["status"] for r in ledger} == {"delivered"}


async def _check_draws(client: httpx.AsyncClient, head: dict[str, str], plan: DemoPlan) -> None:
    """双随机、一公开: a draw per quarter and category of 2021, each published, recomputable from its public inputs
    and carried out (no drawn entity left planned); the registry's coverage in the statistics and the report."""
    draws = (await client.get("/public/v1/inspection-draws", params={"year": 2021})).json()["items"]
    assert len(draws) == len(plan.draws) == 12
    assert {d["status"] for d in draws} == {"executed"}
    drawn: dict[str, int] = {}
    for summary in draws:
        draw = (await client.get(f"/public/v1/inspection-draws/{summary['id']}")).json()
        assert recompute(draw) == [(r["entity_id"], r["officer_credential_numbers"]) for r in draw["results"]]
        outcomes = {r["outcome"] for r in draw["results"]}
        assert outcomes <= {"no_violation", "lead_opened"}, outcomes
        drawn[draw["category"]] = drawn.get(draw["category"], 0) + len(draw["results"])
    assert drawn == {"key_polluter": 40, "ordinary": 20, "special": 20}  # 25 % a quarter, 5 % and 100 % a year
    stats = (await client.get("/api/v1/cases/statistics", params={"year": 2021}, headers=head)).json()
    coverage = stats["registry_coverage"]
    assert {c: v["entities"] for c, v in coverage.items()} == {"key_polluter": 39, "ordinary": 361, "special": 20}
    assert 5 <= coverage["special"]["inspected"] <= 20  # a quarter's draw may take one drawn in another quarter
    report = (await client.get("/public/v1/reports/2021")).json()
    assert any("双随机" in paragraph for paragraph in report["text"])


async def _check_reports_and_rule_of_law(client: httpx.AsyncClient, head: dict[str, str], plan: DemoPlan) -> None:
    """The 2020 enforcement report by 31 January 2021; no year without data overdue; the 2021 rule-of-law report
    states the seed's activities (domain.md §6, issue 18)."""
    report_2020 = (await client.get("/public/v1/reports/2020")).json()
    assert report_2020["published_on"] == "2021-01-22"
    tracked = (await client.get("/api/v1/disclosure/annual-reports", headers=head)).json()
    assert {t["year"]: t["status"] for t in tracked if t["year"] <= 2021} == {2020: "published", 2021: "published"}
    assert {t["status"] for t in tracked if t["year"] > 2021} <= {"no_data", "pending"}

    rule_of_law = (await client.get("/public/v1/rule-of-law-reports/2021")).json()
    assert rule_of_law["published_on"] == "2022-03-25"
    text = "".join(section["text"] for section in rule_of_law["sections"])
    for stated in (
        "其中学习宪法2次、学习习近平法治思想3次；举办法治讲座1次",
        "开展普法培训5次，覆盖企业500家",
        "组织专家会诊2次，帮助企业解决问题4个",
        "送法入企走访企业130家，发放宣传资料130份",
        "聘请专职法律顾问2名、兼职法律顾问1名",
        "召开法制委员会会议1次（2021年2月7日）",
    ):
        assert stated in text, stated
    statistics = (await client.get("/api/v1/cases/statistics", params={"year": 2021}, headers=head)).json()
    assert rule_of_law["figures"]["decisions_by_kind"] == statistics["decisions_by_kind"]
    assert rule_of_law["figures"]["review_meetings"] == statistics["review_meetings"]
    # 法制审核: the yellow-card cases are filed as complex (their review is required), and every demo case goes
    # through the legal review before its decision
    yellow = sum(1 for c in plan.cases if c.kind == "yellow_card" and c.decided_on and c.decided_on.year == 2021)
    assert yellow > 0
    assert (statistics["legal_reviews_required"], statistics["legal_reviews_before_decision"]) == (yellow, yellow)
    assert rule_of_law["figures"]["legal_review_coverage"] == 1.0
    assert f"须经法制审核的重大执法决定{yellow}件，作出决定前经法制审核{yellow}件，法制审核覆盖率100.0%。" in text
    page = await client.get("/portal/rule-of-law-reports/2021")
    assert "天津市西青区生态环境局2021年法治政府建设年度报告" in page.text
    trainings = await client.get(
        "/api/v1/disclosure/law-activities", params={"year": 2020, "kind": "training"}, headers=head
    )
    assert [len(trainings.json()["items"]), sum(t["enterprises"] for t in trainings.json()["items"])] == [11, 1000]
    tracked = (await client.get("/api/v1/disclosure/rule-of-law-reports", headers=head)).json()
    assert {t["year"]: t["status"] for t in tracked if t["year"] <= 2021} == {2020: "overdue", 2021: "published"}


def test_same_seed_same_plan_and_readings() -> None:
    first, again, other = build_plan(7, air_days=3), build_plan(7, air_days=3), build_plan(8, air_days=3)
    assert first == again
    assert first != other
    station, section = first.air_stations[0], first.sections[0]
    assert list(air_rows(7, station, 0, 48)) == list(air_rows(7, again.air_stations[0], 0, 48))
    assert water_rows(7, section, date(2021, 6, 1)) == water_rows(7, again.sections[0], date(2021, 6, 1))
    points = noise.noise_points()
    assert noise.measurements(7, points) == noise.measurements(7, points) != noise.measurements(8, points)
    assert first.expected == {
        **KINDS,
        "review_meetings": 60,
        "cases_reviewed": 167,
        "referrals_water": 1,
        "referrals_soil": 3,
        "sections": 96,
        "towns": 9,
        "air_stations": 10,
        "parties": 423,
        "registry": 420,
        "draws": 12,
    }


async def _check_before_enforcement(client: httpx.AsyncClient, plan: DemoPlan, head: dict[str, str]) -> None:
    """事前公开: the register's officers with their credentials' valid periods (renewed ones, one expired, one
    deactivated), the four lists of the data file, 2021's quarters adding up to its year."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    listed = {o["credential_number"]: o for o in (await client.get("/public/v1/officers")).json()["items"]}
    on_list = [o for o in plan.officers if not o.deactivated]
    assert sorted(listed) == sorted(o.credential_number for o in on_list)
    assert len(on_list) < len(plan.officers)
    for officer in on_list:
        first, last = officer.current_period
        row = listed[officer.credential_number]
        assert (row["credential_valid_from"], row["credential_valid_until"]) == (str(first), str(last))
        assert row["status"] == ("expired" if last and last < today else "valid"), officer.name
    changes = (await client.get("/public/v1/officers/changes")).json()["items"]
    assert Counter(c["change"] for c in changes) == {
        "registered": len(plan.officers),
        "changed": sum(o.renewal is not None for o in plan.officers),
        "deactivated": sum(o.deactivated for o in plan.officers),
    }
    portal = (await client.get("/portal/officers")).text
    renewed = next(o for o in on_list if o.renewal)
    assert f"{renewed.current_period[0]} 至 {renewed.current_period[1]}" in portal  # 有效期 from–to
    for slug in ("authority-list", "procedures", "remedies", "random-inspection-items"):
        listed = (await client.get(f"/public/v1/enforcement-lists/{slug}")).json()
        assert listed["version"] == 1, slug
        assert listed["items"], slug
    releases = (await client.get("/public/v1/enforcement-statistics")).json()["items"]
    assert [r["period"] for r in releases] == ["year", "Q4", "Q3", "Q2", "Q1"]
    year = (await client.get("/api/v1/cases/statistics", params={"year": 2021}, headers=head)).json()
    quarters = [(await client.get(f"/public/v1/enforcement-statistics/2021/Q{q}")).json() for q in range(1, 5)]
    for kind in KINDS:
        assert sum(q["statistics"]["decisions_by_kind"][kind] for q in quarters) == year["decisions_by_kind"][kind]


# Of each kind, the first and last published, and every decision on a person (their identity must not go public).
DOCUMENT_SAMPLE = 2


async def _check_documents(
    client: httpx.AsyncClient,
    plan: DemoPlan,
    published: dict[str, list[dict[str, Any]]],
    *,
    head: dict[str, str],
    editor: dict[str, str],
) -> None:
    """The decisions' documents (PDF) on a sample: the public version linked from each published decision carries
    its number and party as published and no person's identity number or address; the full one served to the
    party is the one whose SHA-256 the decision keeps, and identifies a person in full."""
    people = [p for p in plan.parties if p.party_type == "individual"]
    identities = [value for p in people for value in (p.id_number, p.address) if value]
    sample = [items[0] for items in published.values()] + [items[-1] for items in published.values()]
    on_people = [d for items in published.values() for d in items if d["party_type"] == "individual"]
    assert on_people, "the demo decides on people too"
    sample += on_people
    assert len(sample) >= DOCUMENT_SAMPLE * len(KINDS)
    for item in sample:
        number = item["document_number"]
        assert item["document_url"] == f"/public/v1/decisions/{item['id']}.pdf"
        answer = await client.get(item["document_url"])
        assert answer.status_code == 200, (number, answer.text[:200])
        assert answer.headers["content-type"] == "application/pdf"
        text = pdf_text(answer.content)
        assert number in text
        assert "（公开版）" in text
        assert f"当事人：{item['party_name']}" in text  # a person's name as the law publishes it, the JSON's
        assert [value for value in identities if value in text] == [], number

        staff = (await client.get(f"/api/v1/disclosure/publications/{item['id']}", headers=editor)).json()
        decision = (await client.get(f"/api/v1/cases/decisions/{staff['decision_id']}", headers=head)).json()
        full = await client.get(f"/api/v1/cases/decisions/{staff['decision_id']}/document.pdf", headers=head)
        assert full.status_code == 200, full.text[:200]
        assert hashlib.sha256(full.content).hexdigest() == decision["document_sha256"]
        served = pdf_text(full.content)
        assert number in served
        if item["party_type"] == "individual":
            (person,) = [p for p in people if p.id_number and p.id_number in served]
            assert person.name in served
