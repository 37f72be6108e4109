"""Helpers of the referral tests (no tests here): the referral service in a Stack, requests through cases' outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
from sqlmodel import col, select

from services.referral.app import create_app as create_referral
from services.referral.settings import ReferralSettings
from services.referral.tables import Referral
from shared.auth import issue_token
from shared.contracts import CloudEvent
from shared.contracts.common import Medium, PartySnapshot, PartyType
from shared.contracts.events import EvidenceReference, ReferralRequestedV1
from shared.messaging import UnitOfWork
from tests.factories import credit_code
from tests.stack import Stack, eventually

# The fields of a referral in the police API's list (no more: the police see what was transferred to them).
POLICE_ITEM_FIELDS = {
    "id",
    "status",
    "case_number",
    "party_name",
    "credit_code",
    "offence",
    "medium",
    "summary",
    "sent_at",
    "deadlines",
    "documents",
    "history",
}

FAST = {"relay_poll_interval": 0.2, "consumer_max_retries": 2}
TEAM = "执法一队"  # the case team that owns the test referrals


async def ensure_referral(stack: Stack, *, transport: httpx.AsyncBaseTransport | None = None, **overrides: Any) -> None:
    """Start the referral service inside ``stack`` unless the stack already runs it."""
    if "referral" in stack.apps:
        return
    settings = ReferralSettings(
        common=stack.common,
        database_url=await stack._database_url("referral"),
        **{**FAST, **stack.config.overrides.get("referral", {}), **overrides},
    )
    app = create_referral(settings, bus=stack.bus, procuratorate_transport=transport)
    await stack._exit.enter_async_context(app.router.lifespan_context(app))
    stack.apps["referral"] = app


def request_payload(
    *,
    police_unit: str = "西青公安分局",
    medium: Medium = Medium.WATER,
    approved_at: datetime | None = None,
    evidence: list[EvidenceReference] | None = None,
    request_id: str | None = None,
    team: str | None = TEAM,
) -> ReferralRequestedV1:
    approved_at = approved_at or datetime.now(UTC)
    suffix = uuid.uuid4().hex[:6]
    return ReferralRequestedV1(
        request_id=request_id or str(uuid.uuid4()),
        case_id=str(uuid.uuid4()),
        case_number=f"津西青环罚立〔2024〕{suffix}号",
        party=PartySnapshot(
            party_id=str(uuid.uuid4()),
            party_type=PartyType.ORGANISATION,
            name=f"天津某化工有限公司{suffix}",
            credit_code=credit_code(),
        ),
        offence="污染环境罪",
        medium=medium,
        summary="通过暗管向雨水管网排放含镍废水，镍超标 12 倍。",
        police_unit=police_unit,
        team=team,
        package_items=["移送函", "调查报告", "现场检查笔录", "涉案物品清单", "监测报告"],
        threshold_hints=["镍超过排放标准 10 倍以上"],
        approved_on=approved_at.date() if approved_at else date.today(),
        approved_at=approved_at,
        evidence=evidence or [],
    )


async def emit_request(stack: Stack, payload: ReferralRequestedV1) -> None:
    """Through cases' own outbox and relay: the real path on either transport."""
    async with stack.runtime("cases").uow() as uow:
        await emit_in(uow, payload)


async def emit_in(uow: UnitOfWork, payload: ReferralRequestedV1) -> None:
    uow.emit(CloudEvent.wrap(payload, subject=payload.case_id, actor="head-tester"))
    await uow.commit()


async def referral_of(stack: Stack, request_id: str) -> Referral:
    async def found() -> Referral | None:
        async with stack.runtime("referral").sessions() as session:
            query = select(Referral).where(col(Referral.request_id) == request_id)
            return (await session.execute(query)).scalars().first()

    referral: Referral = await eventually(found)
    return referral


async def requested(stack: Stack, **kwargs: Any) -> Referral:
    payload = request_payload(**kwargs)
    await emit_request(stack, payload)
    return await referral_of(stack, payload.request_id)


async def transfer(client: httpx.AsyncClient, referral_id: str, **body: Any) -> httpx.Response:
    current = await client.get(f"/api/v1/referral/referrals/{referral_id}")
    return await client.post(
        f"/api/v1/referral/referrals/{referral_id}/transfer", json=body, headers={"If-Match": current.headers["etag"]}
    )


async def staff_step(client: httpx.AsyncClient, referral_id: str, step: str, body: dict[str, Any]) -> httpx.Response:
    current = await client.get(f"/api/v1/referral/referrals/{referral_id}")
    return await client.post(
        f"/api/v1/referral/referrals/{referral_id}/{step}", json=body, headers={"If-Match": current.headers["etag"]}
    )


def officer_token(stack: Stack, team: str = TEAM, subject: str = "officer-tester") -> str:
    """An officer of ``team`` (the owner of the test referrals by default)."""
    return issue_token(stack.common, subject=subject, roles=["officer"], zone="staff", team=team)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


async def police_decides(stack: Stack, referral_id: str, body: dict) -> dict:
    async with stack.client("referral", token=stack.police_token()) as police:
        path = f"/police/v1/referrals/{referral_id}"
        if body.pop("receipt", True):
            receipt = {"received_at": now_iso(), "receiver": "赵警官"}
            assert (await police.post(f"{path}/receipt", json=receipt)).status_code == 200
        answer = await police.post(f"{path}/decision", json={**body, "decided_at": now_iso()})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())
