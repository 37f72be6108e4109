"""Use cases of evidence registered and preserved (先行登记保存, 行政处罚法 §56): record it, dispose of it within
7 working days or see it lapse, and its deadline on the watch list."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from services.cases.access import CASE
from services.cases.case_tables import Case, EvidencePreservation
from services.cases.casework import audit_case
from services.cases.common import load, new_id
from services.cases.domain import deadlines
from services.cases.domain.stages import OPEN_BEFORE_DECISION, Stage
from services.cases.record_schemas import DeadlineItem, PreservationCreate, PreservationDisposal
from services.cases.settings import CasesSettings
from shared.auth import Principal
from shared.messaging import UnitOfWork
from shared.problems import Problem


async def preserve_evidence(
    uow: UnitOfWork,
    case: Case,
    body: PreservationCreate,
    *,
    settings: CasesSettings,
    calendar: deadlines.Calendar,
    actor: str,
) -> EvidencePreservation:
    """While the case is investigated; the head's approval is required (§56)."""
    if Stage(case.stage) not in OPEN_BEFORE_DECISION:
        raise Problem(409, "案件已作出决定，不能先行登记保存 The case is already decided", slug="illegal-transition")
    if not body.head_approval:
        raise Problem(
            422,
            "先行登记保存须经负责人批准 Evidence preservation needs the head's approval",
            slug="head-approval",
            rule=settings.citations.get("preservation", ""),
        )
    due = deadlines.preservation_due(calendar, body.preserved_on, limits=settings.limits)
    row = EvidencePreservation(
        id=new_id(),
        case_id=case.id,
        items=list(body.items),
        place=body.place,
        preserved_on=body.preserved_on,
        dispose_by=due.due_on,
        due_provisional=due.provisional,
        recorded_by=actor,
    )
    uow.session.add(row)
    data: dict[str, object] = {"preservation_id": row.id, "items": row.items, "dispose_by": str(row.dispose_by)}
    await audit_case(uow, case, actor=actor, action="evidence_preserved", data=data)
    return row


async def dispose_evidence(
    uow: UnitOfWork,
    case: Case,
    preservation_id: str,
    body: PreservationDisposal,
    *,
    settings: CasesSettings,
    actor: str,
) -> EvidencePreservation:
    """处理决定 within the 7 working days; after them the preservation has lapsed and no decision can be made on it."""
    row = await load(uow.session, EvidencePreservation, preservation_id, "先行登记保存")
    if row.case_id != case.id:
        raise Problem(404, f"先行登记保存不存在 Preservation {preservation_id} not found")
    if row.disposed_on is not None:
        raise Problem(409, "已作出处理决定 Already disposed of", slug="already-disposed")
    if body.disposed_on < row.preserved_on:
        raise Problem(422, "处理日期早于保存日期 disposed_on is before preserved_on", slug="validation")
    if body.disposed_on > row.dispose_by:
        raise Problem(
            409,
            f"先行登记保存已逾七个工作日（{row.dispose_by}届满），已经失效 "
            f"The preservation lapsed: its 7 working days ended on {row.dispose_by}",
            slug="preservation-lapsed",
            rule=settings.citations.get("preservation", ""),
            dispose_by=row.dispose_by.isoformat(),
        )
    row.disposed_on, row.disposal, row.disposal_note = body.disposed_on, body.disposal, body.note
    uow.session.add(row)
    data: dict[str, object] = {
        "preservation_id": row.id,
        "disposal": body.disposal,
        "disposed_on": str(body.disposed_on),
    }
    await audit_case(uow, case, actor=actor, action="evidence_disposed", data=data)
    return row


async def list_preservations(uow: UnitOfWork, case_id: str) -> list[EvidencePreservation]:
    statement = select(EvidencePreservation).where(EvidencePreservation.case_id == case_id)
    return list((await uow.session.exec(statement.order_by(col(EvidencePreservation.preserved_on)))).all())


async def preservation_deadlines(
    uow: UnitOfWork, caller: Principal, *, as_of: date, horizon: date
) -> list[DeadlineItem]:
    """Undisposed preservations of the open cases the caller reaches, due by ``horizon``; lapsed ones are overdue."""
    cases = CASE.where(select(Case).where(Case.stage != Stage.CLOSED.value), caller, Case)
    statement = (
        select(EvidencePreservation, Case.case_number)
        .join(Case, col(Case.id) == col(EvidencePreservation.case_id))
        .where(col(EvidencePreservation.disposed_on).is_(None), col(EvidencePreservation.dispose_by) <= horizon)
        .where(col(Case.id).in_(select(cases.subquery().c.id)))
    )
    return [
        DeadlineItem(
            case_id=row.case_id,
            case_number=case_number,
            step="evidence_disposal",
            due_on=row.dispose_by,
            overdue=row.dispose_by < as_of,
            provisional=row.due_provisional,
        )
        for row, case_number in (await uow.session.exec(statement)).all()
    ]
