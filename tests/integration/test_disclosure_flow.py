"""Decisions issued through the cases API become public on time; a revoked one is withdrawn with its reason.

Runs on both databases and both transports (the ``stack`` fixture); revocation travels through the cases
service's own outbox, relay and bus.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from services.disclosure.handlers.publications import local_today
from shared.messaging.tables import OutboxRecord
from tests.factories import decision_body
from tests.stack import Stack, eventually
from tests.support.disclosure import publication_of, revoke_through_cases_outbox

pytestmark = pytest.mark.integration


@pytest.fixture
def auto_penalties(monkeypatch: pytest.MonkeyPatch) -> None:
    """Penalties publish themselves; other kinds wait for an editor (the default)."""
    monkeypatch.setenv("GREENLAW_DISCLOSURE_PUBLISH_MODES", json.dumps({"penalty": "auto"}))


async def test_published_on_time_then_revoked_and_withdrawn(auto_penalties: None, stack: Stack) -> None:
    today = local_today("Asia/Shanghai")
    async with (
        stack.client("cases", "head") as cases,
        stack.client("disclosure", "disclosure_editor") as editor,
        stack.client("disclosure") as public,
    ):
        penalty = (await cases.post("/api/v1/cases/decisions", json=decision_body(decided_on=today.isoformat()))).json()
        order_body = decision_body(kind="order_to_correct", decided_on=today.isoformat())
        order = (await cases.post("/api/v1/cases/decisions", json=order_body)).json()

        async def published() -> dict[str, Any] | None:
            found = await publication_of(editor, penalty["id"])
            return found if found and found["status"] == "published" else None

        staff_view = await eventually(published)
        assert staff_view["published_on"] == today.isoformat()
        assert staff_view["on_time"] is True
        item = (await public.get(f"/public/v1/decisions/{staff_view['id']}")).json()
        assert item["document_number"] == penalty["document_number"]
        assert item["party_name"] == penalty["party"]["name"]
        assert item["penalty"]["fine_fen"] == 10_000_000

        # An order to correct waits for the editor: not public until approved with the ETag read.
        pending = await eventually(lambda: publication_of(editor, order["id"]))
        assert pending["status"] == "pending"
        assert (await public.get(f"/public/v1/decisions/{pending['id']}")).status_code == 404
        read = await editor.get(f"/api/v1/disclosure/publications/{pending['id']}")
        approved = await editor.post(
            f"/api/v1/disclosure/publications/{pending['id']}/publish", headers={"If-Match": read.headers["etag"]}
        )
        assert approved.status_code == 200, approved.text
        assert (await public.get(f"/public/v1/decisions/{pending['id']}")).json()["status"] == "published"

        await revoke_through_cases_outbox(stack, penalty, "经行政复议，该决定被撤销")

        async def withdrawn() -> dict[str, Any] | None:
            answer = (await public.get(f"/public/v1/decisions/{staff_view['id']}")).json()
            return answer if answer["status"] == "withdrawn" else None

        gone = await eventually(withdrawn)
        assert gone["withdrawal"] == {"withdrawn_on": today.isoformat(), "reason": "经行政复议，该决定被撤销"}
        assert gone["facts"] is None
        assert gone["party_name"] is None
        listing = await public.get("/public/v1/decisions.csv")
        assert penalty["party"]["name"] not in listing.text
        assert "经行政复议，该决定被撤销" in listing.text
        notices = (await public.get("/public/v1/withdrawals")).json()["items"]
        assert [n["document_number"] for n in notices] == [penalty["document_number"]]
        assert notices[0]["withdrawn_on"] <= notices[0]["due_on"]  # within 3 working days

    async with stack.runtime("disclosure").sessions() as session:
        types = [r.event_type for r in (await session.execute(select(OutboxRecord))).scalars()]
    assert types.count("disclosure.publication.published.v1") == 2
    assert types.count("disclosure.publication.withdrawn.v1") == 1
