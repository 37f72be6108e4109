"""Disclosure's event handlers called directly on a unit of work (tests/support/units.py): no service runs, the
database is a real, migrated SQLite copy. Each delivery is repeated, as at-least-once delivery may."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from services.disclosure.consumers import subscriptions
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import Bulletin, Publication
from shared.contracts.common import DecisionKind, PartySnapshot, PartyType, PenaltyTerms
from shared.contracts.events import BulletinPublishedV1, DecisionIssuedV1
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
