"""What the police and staff read of a referral: the referral with its documents, limits and history."""

from __future__ import annotations

from datetime import datetime

from services.referral.handlers.changes import histories
from services.referral.handlers.deadlines import Deadlines, deadline_view
from services.referral.handlers.documents import documents_of
from services.referral.schemas import (
    DocumentPolice,
    DocumentStaff,
    HistoryEntryPolice,
    ReferralPolice,
    ReferralStaff,
)
from services.referral.tables import Referral
from shared.messaging import UnitOfWork


async def police_views(
    uow: UnitOfWork, deadlines: Deadlines, referrals: list[Referral], *, now: datetime | None = None
) -> list[ReferralPolice]:
    ids = [r.id for r in referrals]
    documents = await documents_of(uow, ids, stored_only=True)
    history = await histories(uow.session, ids)
    return [
        ReferralPolice(
            id=r.id,
            status=r.status,
            case_number=r.case_number,
            party_name=r.party_name,
            credit_code=r.credit_code,
            offence=r.offence,
            medium=r.medium,
            summary=r.summary,
            sent_at=r.sent_at,
            deadlines=[deadline_view(d, s) for d, s in deadlines.of(r, now=now)],
            documents=[DocumentPolice(id=d.id, name=d.name, sha256=d.sha256, size=d.size) for d in documents[r.id]],
            history=[
                HistoryEntryPolice(seq=c.seq or 0, step=c.step, at=c.at, data=dict(c.data)) for c in history[r.id]
            ],
        )
        for r in referrals
    ]


async def staff_views(uow: UnitOfWork, deadlines: Deadlines, referrals: list[Referral]) -> list[ReferralStaff]:
    documents = await documents_of(uow, [r.id for r in referrals], stored_only=False)
    return [
        ReferralStaff.model_validate(r, from_attributes=True).model_copy(
            update={
                "documents": [DocumentStaff.model_validate(d, from_attributes=True) for d in documents[r.id]],
                "deadlines": [deadline_view(d, s) for d, s in deadlines.of(r)],
            }
        )
        for r in referrals
    ]
