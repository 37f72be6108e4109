"""Events into the cases service (both databases, both transports): exceedance → lead, referral outcomes stop and
resume the case clock, publicity recorded on the case; and the referral request going out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from services.cases.tables import ClockStop
from shared.contracts import CloudEvent
from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    ExceedanceDetectedV1,
    PublicationPublishedV1,
    ReferralDeclinedV1,
    ReferralReceivedV1,
)
from shared.messaging.tables import OutboxRecord
from tests.stack import Stack, eventually
from tests.support.cases import API, decision_for, file_case, make_team, meeting_for, ok, settle, step

pytestmark = pytest.mark.integration


async def inject(stack: Stack, payload: EventPayload, subject: str, *, at: datetime | None = None) -> None:
    """Stage an event from another service in the cases outbox: its relay delivers it like the producer's would;
    ``at`` is the event's time (when it reached the bureau's platform)."""
    event = CloudEvent.wrap(payload, subject=subject, actor="test")
    async with stack.runtime("cases").uow() as uow:
        uow.emit(event.model_copy(update={"time": at}) if at else event)
        await uow.commit()


def exceedance(exceedance_id: str) -> ExceedanceDetectedV1:
    """A daily value: the Beijing day 2025-01-01 runs from 2024-12-31 16:00 to 2025-01-01 16:00 UTC."""
    return ExceedanceDetectedV1(
        exceedance_id=exceedance_id,
        station_code="12011100000001",
        station_name="某化工厂废水总排口",
        station_kind="pollution_source",
        town="中北镇",
        parameter="COD",
        value=126.0,
        limit=50.0,
        unit="mg/L",
        period_start=datetime(2024, 12, 31, 16, tzinfo=UTC),
        period_end=datetime(2025, 1, 1, 16, tzinfo=UTC),
    )


async def test_exceedance_becomes_one_lead_as_staff_read_it(stack: Stack) -> None:
    exceedance_id = f"exc-{uuid.uuid4().hex[:8]}"
    # Reported on 2025-01-03 at 01:30 Beijing time, still 2025-01-02 in UTC.
    arrived = datetime(2025, 1, 2, 17, 30, tzinfo=UTC)
    await inject(stack, exceedance(exceedance_id), exceedance_id, at=arrived)
    await inject(stack, exceedance(exceedance_id), exceedance_id, at=arrived)  # another event id, same exceedance

    async with stack.client("cases", "officer") as officer:

        async def leads() -> list[dict[str, object]]:
            page = await ok(await officer.get(f"{API}/leads", params={"source": "monitoring", "limit": 100}))
            return [lead for lead in page["items"] if lead["exceedance_id"] == exceedance_id]

        await eventually(leads)
        await settle(stack)  # the second event is delivered too
        [lead] = await leads()
        shown = await ok(await officer.get(f"{API}/leads/{lead['id']}"))
    assert shown["source"] == "monitoring"
    assert shown["received_on"] == "2025-01-03"  # the day it arrived in Beijing, not the period's end
    assert shown["due_on"] == "2025-01-20"  # 15 days from the arrival (a Saturday: the next working day)
    assert "（2025-01-01 00:00–2025-01-02 00:00）" in shown["summary"]
    assert "16:00" not in shown["summary"]


async def test_referral_and_publicity_flow(stack: Stack) -> None:
    async with stack.client("cases", "head") as head:
        team = await make_team(head)
        case = await file_case(head, team, filed_on="2021-06-01")
        request = {
            "offence": "污染环境罪",
            "medium": "soil",
            "summary": "非法处置危险废物约4.2吨",
            "police_unit": "西青公安分局",
            "package_items": ["移送书", "调查报告", "现场检查笔录"],
            "facts": {"hazardous_waste_tonnes": 4.2},
            "approved_on": "2021-06-10",
        }
        referral = await ok(await head.post(f"{API}/{case['id']}/referrals", json=request), 201)
        assert len(referral["threshold_hints"]) == 1
        assert "三吨" in referral["threshold_hints"][0]
        async with stack.runtime("cases").sessions() as session:
            out = await session.exec(
                select(OutboxRecord).where(OutboxRecord.event_type == "cases.referral.requested.v1")
            )
            assert case["id"] in [row.key for row in out.all()]

        at = datetime(2021, 6, 11, 2, tzinfo=UTC)
        received = ReferralReceivedV1(
            referral_id="r-1", case_id=case["id"], police_unit="西青公安分局", at=at, receiver="李警官"
        )
        await inject(stack, received, case["id"])

        async def stops() -> list[ClockStop]:
            async with stack.runtime("cases").sessions() as session:
                return list((await session.exec(select(ClockStop).where(ClockStop.case_id == case["id"]))).all())

        [stop] = await eventually(stops)
        assert stop.reason == "referral"
        assert stop.ended_on is None
        declined = ReferralDeclinedV1(
            referral_id="r-1",
            case_id=case["id"],
            police_unit="西青公安分局",
            at=datetime(2021, 6, 21, 2, tzinfo=UTC),
            reason="证据不足",
        )
        await inject(stack, declined, case["id"])

        async def resumed() -> dict[str, object] | None:
            body = (await head.get(f"{API}/{case['id']}")).json()
            return body if body["police_decision"] else None

        after = await eventually(resumed)
        assert "不予立案" in str(after["police_decision"])
        assert after["decision_due_on"] == "2021-09-09"  # 90 days + 10 days with the police
        [stop] = await stops()
        assert stop.ended_on is not None

        case = await step(head, after, to="investigating", on="2021-06-22")
        case = await step(head, case, to="review", on="2021-06-23", reviewer_id=team.reviewer)
        case = await step(
            head,
            case,
            to="notice",
            on="2021-06-24",
            proposed={"fine_fen": 5_000_000},
            notice_received_on="2021-06-24",
            party_answered_on="2021-06-25",
        )
        meeting = await ok(await head.post(f"{API}/review-meetings", json=meeting_for(case, "2021-06-26")), 201)
        case = await step(head, case, to="collective_discussion", on="2021-06-26", meeting_id=meeting["id"])
        decision = await ok(
            await head.post(
                "/api/v1/cases/decisions", json=decision_for(case, fine_fen=5_000_000, decided_on="2021-06-28")
            ),
            201,
        )
        published = PublicationPublishedV1(
            publication_id="p-1",
            decision_id=decision["id"],
            document_number=decision["document_number"],
            published_on=datetime(2021, 7, 1).date(),
            due_on=datetime(2021, 7, 7).date(),
            on_time=True,
        )
        await inject(stack, published, decision["id"])

        async def publicity() -> list[dict[str, object]]:
            return list((await head.get(f"{API}/{case['id']}")).json()["publicity"])

        [entry] = await eventually(publicity)
        assert entry["event"] == "published"
        assert entry["on_time"] is True
        stats = await ok(await head.get(f"{API}/statistics", params={"year": 2021}))
        assert stats["referrals_by_medium"]["soil"] == 1
