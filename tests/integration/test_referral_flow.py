"""cases' referral request becomes a referral; the police's receipt and decision go back as events.

Runs on both databases and both transports (the ``stack`` fixture).
"""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select

from services.cases.consumers import REFERRAL_CONSUMER
from services.referral.tables import Referral
from shared.audit import verify_chain
from shared.contracts import CloudEvent
from shared.messaging.tables import InboxRecord, OutboxRecord
from tests.stack import Stack, eventually
from tests.support.referral import (
    emit_request,
    ensure_referral,
    now_iso,
    referral_of,
    request_payload,
    transfer,
)

pytestmark = pytest.mark.integration


async def published_events(stack: Stack, referral_id: str) -> list[CloudEvent]:
    async with stack.runtime("referral").sessions() as session:
        query = select(OutboxRecord).where(col(OutboxRecord.key) == referral_id).order_by(col(OutboxRecord.id))
        rows = list((await session.execute(query)).scalars())
    if any(row.published_at is None for row in rows):
        return []
    return [CloudEvent.from_bytes(row.payload) for row in rows]


async def test_request_to_referral_and_outcome_events_back(stack: Stack) -> None:
    await ensure_referral(stack)
    payload = request_payload(police_unit="西青公安分局")
    await emit_request(stack, payload)
    await emit_request(stack, payload)  # the same request again, as a new event: still one referral
    referral = await referral_of(stack, payload.request_id)
    assert referral.status == "approved"
    assert referral.party_name == payload.party.name

    async with stack.client("referral", "head") as staff:
        assert (await transfer(staff, referral.id)).status_code == 200
    police = stack.client("referral", token=stack.police_token("西青公安分局"))
    async with police:
        receipt = await police.post(
            f"/police/v1/referrals/{referral.id}/receipt", json={"received_at": now_iso(), "receiver": "李警官"}
        )
        assert receipt.status_code == 200, receipt.text
        decision = await police.post(
            f"/police/v1/referrals/{referral.id}/decision",
            json={"decision": "accepted", "police_case_number": "西公(环)立字〔2024〕7号", "decided_at": now_iso()},
        )
        assert decision.status_code == 200, decision.text
        assert decision.json()["status"] == "accepted"

    events = await eventually(lambda: published_events(stack, referral.id))
    assert [e.type for e in events] == ["referral.referral.received.v1", "referral.referral.accepted.v1"]
    assert events[1].data["case_id"] == payload.case_id
    assert events[1].data["police_case_number"] == "西公(环)立字〔2024〕7号"

    async def seen_by_cases() -> bool:
        async with stack.runtime("cases").sessions() as session:
            query = select(InboxRecord.event_id).where(col(InboxRecord.consumer) == REFERRAL_CONSUMER)
            handled = set((await session.execute(query)).scalars())
        return {e.id for e in events} <= handled

    await eventually(seen_by_cases)  # the case side applied both outcomes through its inbox
    async with stack.runtime("referral").sessions() as session:
        count = await session.execute(
            select(func.count()).select_from(Referral).where(col(Referral.request_id) == payload.request_id)
        )
        assert count.scalar_one() == 1
        assert (await verify_chain(session)).ok
