"""Disclosure's event handlers called directly on a unit of work (tests/support/units.py): no service runs, the
database is a real, migrated SQLite copy. Each delivery is repeated, as at-least-once delivery may."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from services.disclosure.consumers import subscriptions
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import Bulletin, Publication, PublicDraw, PublicDrawnInspection
from shared.contracts.common import DecisionKind, PartySnapshot, PartyType, PenaltyTerms
from shared.contracts.events import (
    BulletinPublishedV1,
    DecisionIssuedV1,
    DrawnInspection,
    InspectionDrawCommittedV1,
    InspectionDrawExecutedV1,
)
from shared.settings import CommonSettings
from shared.workdays import WorkCalendar
from tests.support.units import units_of

pytestmark = pytest.mark.integration


def disclosure(tmp_path: Path) -> list:
    settings = DisclosureSettings(common=CommonSettings(environment="test", data_dir=tmp_path))
    return subscriptions(settings, WorkCalendar())


def issued(decision_id: str, decided_on: date) -> DecisionIssuedV1:
    return DecisionIssuedV1(
        decision_id=decision_id,
        kind=DecisionKind.PENALTY,
        document_number="津西青环罚〔2021〕12号",
        decided_on=decided_on,
        party=PartySnapshot(party_id="p", party_type=PartyType.ORGANISATION, name="天津某化工有限公司"),
        facts="超标排放水污染物。",
        legal_basis="《水污染防治法》第八十三条",
        penalty=PenaltyTerms(fine_fen=10_000_000, summary="罚款人民币拾万元"),
    )


async def test_an_issued_penalty_opens_one_publication_due_in_seven_working_days(tmp_path: Path) -> None:
    decisions, *_ = disclosure(tmp_path)
    async with units_of("disclosure", tmp_path) as units:
        # 2021-09-28: the National Day holiday and the working Saturday 10-09 fall inside the 7 working days.
        event = await units.deliver(decisions, issued("d-1", date(2021, 9, 28)), subject="d-1")
        await units.redeliver(decisions, event)
        await units.deliver(decisions, issued("d-2", date(2021, 6, 1)), subject="d-2")
        async with units() as uow:
            rows = (await uow.session.execute(select(Publication).order_by(Publication.decision_id))).scalars()
            found = [(row.decision_id, row.due_on, row.document_number) for row in rows]
    assert found == [
        ("d-1", date(2021, 10, 13), "津西青环罚〔2021〕12号"),
        ("d-2", date(2021, 6, 10), "津西青环罚〔2021〕12号"),
    ]


async def test_a_bulletin_delivered_twice_is_stored_once(tmp_path: Path) -> None:
    _, bulletins, *_ = disclosure(tmp_path)
    payload = BulletinPublishedV1(
        bulletin_id="b-1",
        kind="water_monthly",
        period_start=date(2021, 5, 1),
        period_end=date(2021, 5, 31),
        title="2021年5月地表水环境质量简报",
        summary="96个断面",
        html="<p>96个断面</p>",
    )
    async with units_of("disclosure", tmp_path) as units:
        event = await units.deliver(bulletins, payload, subject="b-1")
        await units.redeliver(bulletins, event)
        async with units() as uow:
            stored = (await uow.session.execute(select(Bulletin))).scalars().all()
    assert [(b.id, b.title, b.period_end) for b in stored] == [
        ("b-1", "2021年5月地表水环境质量简报", date(2021, 5, 31))
    ]


def committed(draw_id: str, redraw_of: str | None = None) -> InspectionDrawCommittedV1:
    return InspectionDrawCommittedV1(
        draw_id=draw_id, category="ordinary", period_kind="quarter", year=2021, period_number=2,
        starts_on=date(2021, 4, 1), ends_on=date(2021, 6, 30), count=1, basis="比例", commitment="c" * 64,
        eligible=2, redraw_of=redraw_of, reason="被抽中企业已注销" if redraw_of else None,
    )  # fmt: skip


def executed(draw_id: str, planned: str, superseded: str | None = None) -> InspectionDrawExecutedV1:
    drawn = DrawnInspection(
        entity_id="e-1", party_id="p-1", name="天津某化工有限公司", officer_credential_numbers=["12001", "12002"],
        planned_inspection_id=planned,
    )  # fmt: skip
    return InspectionDrawExecutedV1(
        draw_id=draw_id, commitment="c" * 64, seed="ab" * 32, inputs={}, entity_names={"e-1": "天津某化工有限公司"},
        officer_credential_numbers={}, results=[drawn], superseded_draw_id=superseded,
        entity_party_types={"e-1": "organisation"},
    )  # fmt: skip


async def test_a_redraw_received_before_the_draw_it_replaces_leaves_that_draw_superseded(tmp_path: Path) -> None:
    """The two draws' events have different keys, so the redraw's may come first: the replaced draw, executed
    later, stays superseded and its drawn entity cancelled, not planned for ever."""
    draws = disclosure(tmp_path)[-1]
    async with units_of("disclosure", tmp_path) as units:
        await units.deliver(draws, committed("d-1"), subject="d-1")
        await units.deliver(draws, committed("d-2", redraw_of="d-1"), subject="d-2")
        await units.deliver(draws, executed("d-2", "pi-2", superseded="d-1"), subject="d-2")
        event = await units.deliver(draws, executed("d-1", "pi-1"), subject="d-1")
        await units.redeliver(draws, event)
        async with units() as uow:
            found = {
                d.id: (d.status, d.superseded_by) for d in (await uow.session.execute(select(PublicDraw))).scalars()
            }
            rows = (await uow.session.execute(select(PublicDrawnInspection))).scalars()
            outcomes = {r.id: r.outcome for r in rows}
    assert found == {"d-1": ("superseded", "d-2"), "d-2": ("executed", None)}
    assert outcomes == {"pi-1": "cancelled", "pi-2": "planned"}
