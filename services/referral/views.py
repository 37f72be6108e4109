"""Turning stored referrals into what the police and staff read."""

from __future__ import annotations

from datetime import datetime

from fastapi.responses import FileResponse

from services.referral.changes import histories
from services.referral.documents import documents_of
from services.referral.domain.deadlines import Deadline, DeadlineState
from services.referral.schemas import (
    PoliceDeadline,
    PoliceDocument,
    PoliceHistoryEntry,
    PoliceReferral,
    StaffDocument,
    StaffReferral,
)
from services.referral.tables import Referral
from services.referral.tools import Tools
from shared.messaging import UnitOfWork
from shared.problems import Problem


def deadline_view(deadline: Deadline, state: DeadlineState) -> PoliceDeadline:
    return PoliceDeadline(
        name=deadline.name,
        obligor=deadline.obligor,
        due_on=deadline.due_on,
        due_at=deadline.due_at,
        provisional=deadline.provisional,
        met_at=deadline.met_at,
        state=state.value,
    )


async def police_views(
    uow: UnitOfWork, tools: Tools, referrals: list[Referral], *, now: datetime | None = None
) -> list[PoliceReferral]:
    ids = [r.id for r in referrals]
    documents = await documents_of(uow, ids, stored_only=True)
    history = await histories(uow.session, ids)
    return [
        PoliceReferral(
            id=r.id,
            status=r.status,
            case_number=r.case_number,
            party_name=r.party_name,
            credit_code=r.credit_code,
            offence=r.offence,
            medium=r.medium,
            summary=r.summary,
            sent_at=r.sent_at,
            deadlines=[deadline_view(d, s) for d, s in tools.deadlines(r, now=now)],
            documents=[PoliceDocument(id=d.id, name=d.name, sha256=d.sha256, size=d.size) for d in documents[r.id]],
            history=[
                PoliceHistoryEntry(seq=c.seq or 0, step=c.step, at=c.at, data=dict(c.data)) for c in history[r.id]
            ],
        )
        for r in referrals
    ]


async def staff_views(uow: UnitOfWork, tools: Tools, referrals: list[Referral]) -> list[StaffReferral]:
    documents = await documents_of(uow, [r.id for r in referrals], stored_only=False)
    return [
        StaffReferral.model_validate(r, from_attributes=True).model_copy(
            update={
                "documents": [StaffDocument.model_validate(d, from_attributes=True) for d in documents[r.id]],
                "deadlines": [deadline_view(d, s) for d, s in tools.deadlines(r)],
            }
        )
        for r in referrals
    ]


def file_response(tools: Tools, sha256: str, *, name: str, media_type: str) -> FileResponse:
    path = tools.store.path_of(sha256)
    if not path.is_file():
        raise Problem(404, "文件内容缺失 The file content is missing from the store", slug="document-content-missing")
    headers = {"ETag": f'"{sha256}"', "X-Content-SHA256": sha256, "Cache-Control": "private, max-age=0"}
    return FileResponse(path, media_type=media_type, filename=name, headers=headers)
