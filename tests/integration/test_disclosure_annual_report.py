"""Annual enforcement report: the cases statistics read over HTTP (the real cases app through an ASGI transport),
the publication figures, Chinese text and SVG charts, on the portal and the public API, tracked against 31 January."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request

from services.disclosure.handlers.publications import local_today
from tests.factories import credit_code, decision_body
from tests.stack import Stack, StackConfig
from tests.support.disclosure import issue, published

pytestmark = pytest.mark.integration


def use_cases_app(stack: Stack, app: FastAPI) -> None:
    """What ``create_app(cases_transport=...)`` wires; the stack builds disclosure without it."""
    stack.apps["disclosure"].state.cases_transport = httpx.ASGITransport(app=app)


async def test_report_counts_match_the_cases_statistics(local: Stack) -> None:
    use_cases_app(local, local.apps["cases"])
    year = local_today("Asia/Shanghai").year - 1
    for kind, day in (("penalty", "03-02"), ("penalty", "06-15"), ("order_to_correct", "09-28")):
        decision = await issue(local, decision_body(kind=kind, decided_on=f"{year}-{day}", fine_fen=5_000_000))
        if kind == "penalty":
            await published(local, decision["id"])
    registry = f"credit_code,category,name\r\n{credit_code()},key_polluter,天津某电镀有限公司\r\n"
    async with local.client("cases", "head") as cases:
        imported = await cases.post(
            "/api/v1/cases/supervised-entities:import", content=registry, headers={"Content-Type": "text/csv"}
        )
        assert imported.status_code == 200, imported.text
        # The report carries every count it reads, the random inspection figures (by category, coverage) included.
        statistics = (await cases.get("/api/v1/cases/statistics", params={"year": year})).json()
    assert statistics["registry_coverage"]["key_polluter"] == {"entities": 1, "inspected": 0}
    async with local.client("disclosure", "disclosure_editor") as editor, local.client("disclosure") as public:
        answer = await editor.post(f"/api/v1/disclosure/annual-reports/{year}")
        assert answer.status_code == 200, answer.text
        report = answer.json()
        assert report["statistics"] == statistics
        assert report["statistics"]["decisions_by_kind"]["penalty"] == 2
        assert report["publication"]["late"] == 3  # two published after their due date, one never published
        assert report["due_on"] == f"{year + 1}-01-31"
        assert "<svg" in report["charts"]["decisions_by_kind"]
        assert any("行政处罚决定2件" in p for p in report["text"])
        assert any("名录内重点排污单位1家、检查0家（覆盖率0.0%）" in p for p in report["text"])

        listed = (await public.get("/public/v1/reports")).json()["items"]
        assert [r["year"] for r in listed] == [year]
        served = (await public.get(f"/public/v1/reports/{year}")).json()
        assert served["statistics"] == statistics
        page = await public.get(f"/portal/reports/{year}")
        assert f"{year}年度行政执法工作报告" in page.text
        assert 'role="img"' in page.text
        tracked = {t["year"]: t for t in (await editor.get("/api/v1/disclosure/annual-reports")).json()}
        assert tracked[year]["status"] == "published"
        assert (await editor.post(f"/api/v1/disclosure/annual-reports/{year + 1}")).status_code == 409


STAND_IN: dict[str, Any] = {
    "year": 2021,
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
    "cases_reviewed": 167,
    "referrals_by_medium": {"water": 1, "air": 0, "soil": 3, "solid_waste": 0, "noise": 0, "radiation": 0, "other": 0},
}


async def test_report_from_the_statistics_contract_and_a_missing_cases_service(local: Stack) -> None:
    """The seed report's 2021 figures served by a stand-in with the agreed contract; a service token is sent."""
    stand_in = FastAPI()
    seen: list[str] = []

    @stand_in.get("/api/v1/cases/statistics")
    async def statistics(request: Request, year: int) -> dict[str, Any]:
        seen.append(request.headers.get("authorization", ""))
        return {**STAND_IN, "year": year}

    use_cases_app(local, stand_in)
    async with local.client("disclosure", "head") as head:
        report = (await head.post("/api/v1/disclosure/annual-reports/2021")).json()
        assert report["statistics"]["review_meetings"] == 60
        assert any("审议案件167件" in p for p in report["text"])
        assert any("移送涉嫌环境犯罪案件4件" in p for p in report["text"])
        assert report["on_time"] is False  # published long after 2022-01-31
        assert seen[0].startswith("Bearer ")

        local.apps["disclosure"].state.cases_transport = httpx.ASGITransport(app=FastAPI())  # 404 everywhere
        down = await head.post("/api/v1/disclosure/annual-reports/2020")
        assert down.status_code == 503
        assert down.json()["type"] == "urn:greenlaw:problem:cases-unavailable"


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
async def test_editors_publishing_the_same_year_at_once_get_successive_versions(
    database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    config = StackConfig(database=database, transport="inprocess", data_dir=tmp_path, services=("cases", "disclosure"))  # type: ignore[arg-type]
    if database == "postgres":
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as running:
        use_cases_app(running, running.apps["cases"])
        year = local_today("Asia/Shanghai").year - 1
        async with running.client("disclosure", "disclosure_editor") as editor:
            answers = await asyncio.gather(
                *(editor.post(f"/api/v1/disclosure/annual-reports/{year}") for _ in range(4))
            )
            assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
            assert sorted(a.json()["version"] for a in answers) == [1, 2, 3, 4]
        async with running.client("disclosure") as public:
            assert (await public.get(f"/public/v1/reports/{year}")).json()["version"] == 4
