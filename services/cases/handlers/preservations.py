"""Use cases of evidence registered and preserved (先行登记保存, 行政处罚法 §56): record it, dispose of it within
7 working days or see it lapse, and its deadline on the watch list."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from services.cases.access import CASE
from services.cases.domain import deadlines
from services.cases.domain.history import CaseAction
from services.cases.domain.stages import OPEN_BEFORE_DECISION, Stage
from services.cases.handlers.cases import audit_case, touch
from services.cases.handlers.rows import new_id
from services.cases.schemas import DeadlineItem, PreservationCreate, PreservationDisposal
from services.cases.settings import CasesSettings
from services.cases.tables import Case, EvidencePreservation
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.messaging import UnitOfWork


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
        raise Conflict("案件已作出决定，不能先行登记保存 The case is already decided", slug="illegal-transition")
    if not body.head_approval:
        raise Invalid(
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
    await audit_case(uow, case, actor=actor, action=CaseAction.EVIDENCE_PRESERVED, data=data)
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
    row = await get_preservation(uow, case, preservation_id)
    if row.disposed_on is not None:
        raise Conflict("已作出处理决定 Already disposed of", slug="already-disposed")
    if body.disposed_on < row.preserved_on:
        raise Invalid("处理日期早于保存日期 disposed_on is before preserved_on", slug="validation")
    if body.disposed_on > row.dispose_by:
        raise Conflict(
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
    await audit_case(uow, case, actor=actor, action=CaseAction.EVIDENCE_DISPOSED, data=data)
    touch(case)  # the disposal is a change of the case: a new version (ETag)
    uow.session.add(case)
    return row


async def get_preservation(uow: UnitOfWork, case: Case, preservation_id: str) -> EvidencePreservation:
    """A preservation of ``case`` (whose ownership the caller has already passed)."""
    row = await uow.session.get(EvidencePreservation, preservation_id)
    if row is None or row.case_id != case.id:
        raise NotFound(f"先行登记保存不存在 Preservation {preservation_id} not found")
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
