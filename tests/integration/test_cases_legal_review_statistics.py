"""重大执法决定法制审核 in the enforcement statistics: the decisions whose case required the legal review, and those
reviewed before the decision, counted by hand on a small case set (SQLite and PostgreSQL). The order of review and
decision in a case's history is judged in tests/unit/test_cases_statistics_legal_review.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.stack import Stack, StackConfig
from tests.support.cases import API, Team, decision_for, file_case, make_team, meeting_for, ok, settle, step

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgres"])
async def local(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    config = StackConfig(database=request.param, transport="inprocess", data_dir=tmp_path, services=("cases",))
    if request.param == "postgres":
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as running:
        yield running
        await settle(running)


async def decided_case(
    head: httpx.AsyncClient, team: Team, *, complex_case: bool, legal_review: bool, decided_on: str = "2021-07-15"
) -> dict[str, Any]:
    """A penalty case from filing to its decision, through the legal review or not (only a case that does not
    require it may skip it)."""
    case = await file_case(head, team, flags={"complex_case": complex_case})
    case = await step(head, case, to="investigating", on="2021-06-02")
    case = await step(head, case, to="review", on="2021-07-01", reviewer_id=team.reviewer)
    proposed = {"fine_fen": 5_000_000}
    case = await step(head, case, to="notice", on="2021-07-02", proposed=proposed, notice_received_on="2021-07-02")
    if legal_review:
        legal = {"legal_reviewer_id": team.legal, "legal_opinion": "agree"}
        case = await step(head, case, to="legal_review", on="2021-07-12", **legal)
    meeting = await ok(await head.post(f"{API}/review-meetings", json=meeting_for(case, "2021-07-14")), 201)
    case = await step(head, case, to="collective_discussion", on="2021-07-14", meeting_id=meeting["id"])
    body = decision_for(case, fine_fen=5_000_000, decided_on=decided_on)
    await ok(await head.post(f"{API}/decisions", json=body), 201)
    return await ok(await head.get(f"{API}/{case['id']}"))


async def test_legal_reviews_required_and_done_before_the_decision(local: Stack) -> None:
    async with local.client("cases", "head") as head:
        team = await make_team(head)
        # a complex case: required (it cannot skip the review), reviewed before the decision
        await decided_case(head, team, complex_case=True, legal_review=True)
        # simple cases: reviewed or not, the review was not required, so neither counts
        await decided_case(head, team, complex_case=False, legal_review=True)
        await decided_case(head, team, complex_case=False, legal_review=False)
        # and a decision of the next quarter is not in this one
        await decided_case(head, team, complex_case=True, legal_review=True, decided_on="2021-10-08")

        q3 = await ok(await head.get(f"{API}/statistics", params={"year": 2021, "quarter": 3}))
        assert q3["decisions_by_kind"]["penalty"] == 3
        assert (q3["legal_reviews_required"], q3["legal_reviews_before_decision"]) == (1, 1)
        year = await ok(await head.get(f"{API}/statistics", params={"year": 2021}))
        assert (year["legal_reviews_required"], year["legal_reviews_before_decision"]) == (2, 2)
        csv = (await head.get(f"{API}/statistics", params={"year": 2021, "format": "csv"})).text
        assert '"legal_reviews_required","2"' in csv
        assert '"legal_reviews_before_decision","2"' in csv
        empty = await ok(await head.get(f"{API}/statistics", params={"year": 2020}))
        assert (empty["legal_reviews_required"], empty["legal_reviews_before_decision"]) == (0, 0)
