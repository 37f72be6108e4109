"""Copies to the procuratorate (抄送检察院): the ledger row staged with its step, the ledger read, a retry.

The row is staged in the step's own transaction, so a copy is never lost to a crash between the step and the send;
``services.referral.procuratorate`` sends it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from services.referral.access import OWNERSHIP
from services.referral.tables import ProcuratorateDelivery, Referral
from shared.auth import Principal
from shared.errors import Conflict
from shared.http import MAX_LIMIT
from shared.messaging import UnitOfWork

DELIVERY = OWNERSHIP["procuratorate_delivery"]


async def stage_copy(uow: UnitOfWork, referral: Referral, *, kind: str, at: datetime, note: dict[str, Any]) -> None:
    payload = {
        "kind": kind,
        "referral_id": referral.id,
        "case_number": referral.case_number,
        "party_name": referral.party_name,
        "credit_code": referral.credit_code,
        "offence": referral.offence,
        "medium": referral.medium,
        "police_unit": referral.police_unit,
        "summary": referral.summary,
        "at": at.isoformat(),
        **note,
    }
    uow.session.add(ProcuratorateDelivery(id=str(uuid.uuid4()), referral_id=referral.id, kind=kind, payload=payload))


async def list_deliveries(
    uow: UnitOfWork, caller: Principal, *, referral_id: str | None, status: str | None
) -> list[ProcuratorateDelivery]:
    """The ledger, oldest first; a scoped caller sees the copies of the referrals it reaches."""
    query = select(ProcuratorateDelivery).order_by(col(ProcuratorateDelivery.created_at)).limit(MAX_LIMIT)
    if not DELIVERY.reaches_all(caller):
        reached = DELIVERY.where(select(Referral.id), caller, Referral)
        query = query.where(col(ProcuratorateDelivery.referral_id).in_(reached))
    if referral_id:
        query = query.where(col(ProcuratorateDelivery.referral_id) == referral_id)
    if status:
        query = query.where(col(ProcuratorateDelivery.status) == status)
    return list((await uow.session.execute(query)).scalars())


async def retry_delivery(uow: UnitOfWork, caller: Principal, delivery_id: str) -> ProcuratorateDelivery:
    """Put a failed copy back in the queue (staff action after the receiver was fixed); 404 unless the caller
    reaches the copy's referral, 409 unless the copy failed."""
    session = uow.session
    row = await session.get(ProcuratorateDelivery, delivery_id)
    referral = await session.get(Referral, row.referral_id) if row is not None else None
    row = DELIVERY.check(caller, row, delivery_id, parent=referral)
    if row.status == "failed":
        row.status = "pending"
        session.add(row)
    if row.status != "pending":
        raise Conflict(f"只能重试失败的抄送 Only a failed delivery can be retried (it is {row.status})")
    return row
