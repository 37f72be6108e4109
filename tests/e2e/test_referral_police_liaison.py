"""A separate process plays the police liaison system against the embedded system over a real socket.

The referral comes from cases' request (through cases' outbox and relay); staff attach a document and transfer it;
the police process obtains a token with client credentials, pulls with cursors, checks documents, signs and decides
(retrying with the same Idempotency-Key); the accepted event reaches cases; another unit sees nothing.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from services.cases.consumers import REFERRAL_CONSUMER
from services.cases.settings import CasesSettings
from services.gateway.handlers.accounts import add_client
from services.gateway.settings import GatewaySettings
from services.referral.settings import ReferralSettings
from services.referral.tables import Referral
from shared.contracts import CloudEvent
from shared.db import create_engine, session_factory
from shared.messaging import UnitOfWork
from shared.messaging.tables import InboxRecord, OutboxRecord
from shared.settings import CommonSettings
from tests.embedded import EmbeddedServer
from tests.stack import eventually
from tests.support.referral import emit_in, request_payload

pytestmark = pytest.mark.e2e

CLIENT = Path(__file__).with_name("police_liaison_client.py")


async def add_police_client(common: CommonSettings, unit: str) -> tuple[str, str]:
    client_id, secret = f"police-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    engine = create_engine(GatewaySettings(common=common).resolved_database_url())
    try:
        async with session_factory(engine)() as session:
            await add_client(session, client_id=client_id, secret=secret, role="police", unit=unit)
            await session.commit()
    finally:
        await engine.dispose()
    return client_id, secret


async def rows(url: str, query: Any) -> list[Any]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return list((await session.execute(query)).scalars())
    finally:
        await engine.dispose()


async def request_through_cases(common: CommonSettings, unit: str) -> str:
    """Emit cases.referral.requested.v1 through cases' own outbox; the embedded relay delivers it."""
    payload = request_payload(police_unit=unit)
    engine = create_engine(CasesSettings(common=common).resolved_database_url())
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            await emit_in(uow, payload)
    finally:
        await engine.dispose()
    referral_db = ReferralSettings(common=common).resolved_database_url()
    query = select(Referral.id).where(col(Referral.request_id) == payload.request_id)
    [referral_id] = await eventually(lambda: rows(referral_db, query))
    return str(referral_id)


async def run_police_process(server: EmbeddedServer, client_id: str, secret: str, *args: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(CLIENT),
        server.base_url,
        client_id,
        secret,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode()
    report: dict[str, Any] = json.loads(stdout)
    return report


async def test_police_process_pulls_checks_and_decides_through_the_gateway(embedded: EmbeddedServer) -> None:
    common = embedded.common
    xiqing, beichen = "西青公安分局", "北辰公安分局"
    ours = [await request_through_cases(common, xiqing) for _ in range(2)]
    theirs = await request_through_cases(common, beichen)
    content = "调查报告：暗管排放含镍废水。\n".encode() * 2000
    async with embedded.client(embedded.staff_token("head")) as staff:
        for referral_id in [*ours, theirs]:
            base = f"/api/v1/referral/referrals/{referral_id}"
            files = {"file": ("调查报告.txt", content + referral_id.encode(), "text/plain")}
            assert (await staff.post(f"{base}/documents", files=files)).status_code == 201
            etag = (await staff.get(base)).headers["etag"]
            assert (await staff.post(f"{base}/transfer", json={}, headers={"If-Match": etag})).status_code == 200

    client_id, secret = await add_police_client(common, xiqing)
    report = await run_police_process(embedded, client_id, secret, "--decide", "--probe", theirs)
    assert report["pulled"] == ours
    assert report["pages"] == 3  # limit=1: two items, then the empty page
    assert report["documents_checked"] == 2
    assert report["decided"] == dict.fromkeys(ours, "accepted")
    assert report["changed_after_cursor"] == dict.fromkeys(ours, "accepted")
    assert report["history"][ours[0]] == ["document_added", "transfer", "receipt", "decision"]
    assert report["nothing_new"] is True
    assert report["probes"] == {theirs: 404}

    other_id, other_secret = await add_police_client(common, beichen)
    other = await run_police_process(embedded, other_id, other_secret, "--probe", ours[0], "--probe", ours[1])
    assert other["pulled"] == [theirs]
    assert other["probes"] == dict.fromkeys(ours, 404)

    referral_db = ReferralSettings(common=common).resolved_database_url()
    outbox = await rows(referral_db, select(OutboxRecord).where(col(OutboxRecord.key).in_(ours)))
    accepted = [CloudEvent.from_bytes(r.payload) for r in outbox if r.event_type == "referral.referral.accepted.v1"]
    assert len(accepted) == 2  # one per referral, although every POST was sent twice
    cases_db = CasesSettings(common=common).resolved_database_url()
    seen = select(InboxRecord.event_id).where(col(InboxRecord.consumer) == REFERRAL_CONSUMER)

    async def cases_applied() -> bool:
        return {e.id for e in accepted} <= set(await rows(cases_db, seen))

    await eventually(cases_applied)
