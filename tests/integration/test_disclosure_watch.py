"""Deadline watch: overdue once on the first overdue check, at-risk and overdue lists, on-time rates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from services.disclosure.background import check_deadlines
from services.disclosure.domain.deadlines import is_at_risk
from services.disclosure.handlers.publications import local_today
from services.disclosure.settings import DisclosureSettings
from shared.messaging.tables import OutboxRecord
from shared.workdays import WorkCalendar
from tests.factories import decision_body
from tests.stack import Stack, StackConfig, eventually
from tests.support.disclosure import issue, publication_of

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgres"])
async def local(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    """SQLite, and PostgreSQL for the watch's row locking (FOR UPDATE SKIP LOCKED)."""
    config = StackConfig(database=request.param, transport="inprocess", data_dir=tmp_path)
    if request.param == "postgres":
        config.postgres = request.getfixturevalue("postgres")
    async with Stack(config) as running:
        yield running


def at_risk_decision_date() -> str:
    """A decision date whose 20-working-day deadline falls within the next 2 working days."""
    calendar, today = WorkCalendar(), local_today("Asia/Shanghai")
    for back in range(60):
        decided_on = today - timedelta(days=back)
        if is_at_risk(calendar, due_on=calendar.add_working_days(decided_on, 20).due_on, today=today, within=2):
            return decided_on.isoformat()
    raise AssertionError("no such date")


async def overdue_events(stack: Stack) -> list[OutboxRecord]:
    async with stack.runtime("disclosure").sessions() as session:
        query = select(OutboxRecord).where(OutboxRecord.event_type == "disclosure.publication.overdue.v1")
        return list((await session.execute(query)).scalars())


async def test_overdue_is_announced_once_and_listed(local: Stack) -> None:
    late = await issue(local, decision_body(kind="order_to_correct", decided_on="2021-09-28"))  # due 2021-11-01
    soon = await issue(local, decision_body(kind="seizure", decided_on=at_risk_decision_date()))
    async with local.client("disclosure", "auditor") as staff:
        late_pub = await eventually(lambda: publication_of(staff, late["id"]))
        await eventually(lambda: publication_of(staff, soon["id"]))
        settings = local.runtime("disclosure").settings
        assert isinstance(settings, DisclosureSettings)
        assert await check_deadlines(local.runtime("disclosure"), settings) == 1
        assert await check_deadlines(local.runtime("disclosure"), settings) == 0
        [event] = await overdue_events(local)
        assert event.key == late["id"]
        assert '"due_on":"2021-11-01"' in event.payload

        overdue = (await staff.get("/api/v1/disclosure/deadlines/overdue")).json()
        assert [p["decision_id"] for p in overdue["items"]] == [late["id"]]
        at_risk = (await staff.get("/api/v1/disclosure/deadlines/at-risk")).json()
        assert [p["decision_id"] for p in at_risk["items"]] == [soon["id"]]

        rates = (await staff.get("/api/v1/disclosure/statistics/on-time", params={"year": 2021})).json()
        assert rates["year"]["late"] == 1
        assert rates["year"]["rate"] == 0.0
        assert rates["months"][10]["period"] == "2021-11"
        assert rates["months"][10]["late"] == 1
        assert late_pub["due_on"] == "2021-11-01"
