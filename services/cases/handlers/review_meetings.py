"""Use cases of case review meetings (案件审议会): the bureau's collective discussion, recorded per case."""

from __future__ import annotations

from sqlmodel import col, select

from services.cases.domain.history import CaseAction
from services.cases.handlers.cases import audit_case
from services.cases.handlers.rows import load, new_id
from services.cases.schemas import ReviewMeetingCreate
from services.cases.tables import Case, ReviewMeeting
from shared.audit import append_audit
from shared.errors import Invalid
from shared.messaging import UnitOfWork


async def record_meeting(uow: UnitOfWork, body: ReviewMeetingCreate, *, actor: str) -> ReviewMeeting:
    case_ids = [item.case_id for item in body.items]
    found = set((await uow.session.exec(select(Case.id).where(col(Case.id).in_(case_ids)))).all())
    missing = sorted(set(case_ids) - found)
    if missing:
        raise Invalid(f"审议的案件不存在 Unknown cases: {', '.join(missing)}", slug="unknown-case")
    if len(set(case_ids)) != len(case_ids):
        raise Invalid("同一案件重复列出 A case is listed twice", slug="validation")
    meeting = ReviewMeeting(
        id=new_id(),
        held_on=body.held_on,
        attendees=[a.model_dump() for a in body.attendees],
        items=[i.model_dump() for i in body.items],
        minutes=body.minutes,
        recorded_by=actor,
    )
    uow.session.add(meeting)
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="review_meeting",
        entity_id=meeting.id,
        action="recorded",
        data={"cases": case_ids},
    )
    for item in body.items:
        case = await uow.session.get(Case, item.case_id)
        assert case is not None
        await audit_case(
            uow,
            case,
            actor=actor,
            action=CaseAction.DISCUSSED,
            data={"meeting_id": meeting.id, "outcome": item.outcome},
        )
    return meeting


async def get_meeting(uow: UnitOfWork, meeting_id: str) -> ReviewMeeting:
    return await load(uow.session, ReviewMeeting, meeting_id, "案件审议会")
