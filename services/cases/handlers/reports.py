"""Read models: enforcement statistics (执法统计) and the deadline watch list (期限预警)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from services.cases.access import CASE
from services.cases.domain import deadlines
from services.cases.domain.history import STAGE_CHANGE_PREFIX, read_action
from services.cases.domain.stages import OPEN_BEFORE_DECISION, Stage, legal_review_required
from services.cases.domain.statistics import (
    UNRECORDED,
    UNREGISTERED,
    empty_report,
    period_of,
    reviewed_before_decision,
)
from services.cases.handlers.cases import refresh_decision_due
from services.cases.handlers.preservations import preservation_deadlines
from services.cases.handlers.transitions import facts_of
from services.cases.schemas import DeadlineItem
from services.cases.settings import CasesSettings
from services.cases.tables import Case, Decision, Inspection, Lead, ReferralRequest, ReviewMeeting, SupervisedEntity
from shared.audit import AuditEntry
from shared.auth import Principal
from shared.messaging import UnitOfWork


async def _count(uow: UnitOfWork, model: Any, column: Any, start: date, end: date) -> int:
    statement = select(func.count()).select_from(model).where(column >= start, column < end)
    return int((await uow.session.exec(statement)).one())


async def statistics(uow: UnitOfWork, *, year: int, quarter: int | None) -> dict[str, Any]:
    start, end = period_of(year, quarter)
    report = empty_report(year, quarter)
    report["inspections"] = await _count(uow, Inspection, col(Inspection.inspected_on), start, end)
    report["leads"] = await _count(uow, Lead, col(Lead.received_on), start, end)
    report["cases_filed"] = await _count(uow, Case, col(Case.filed_on), start, end)
    report["cases_closed"] = await _count(uow, Case, col(Case.closed_on), start, end)
    report["review_meetings"] = await _count(uow, ReviewMeeting, col(ReviewMeeting.held_on), start, end)
    in_period = col(Decision.decided_on) >= start, col(Decision.decided_on) < end, col(Decision.status) != "revoked"
    decisions = (await uow.session.exec(select(Decision).where(*in_period))).all()
    for decision in decisions:
        report["decisions_by_kind"][decision.kind] = report["decisions_by_kind"].get(decision.kind, 0) + 1
        report["fines_total_fen"] += int(str(decision.penalty.get("fine_fen", 0)))
        report["confiscation_total_fen"] += int(str(decision.penalty.get("confiscation_fen", 0)))
    await _legal_reviews(uow, report, decisions)
    meetings = (await uow.session.exec(select(ReviewMeeting).where(*_between(ReviewMeeting.held_on, start, end)))).all()
    report["cases_reviewed"] = sum(len(m.items) for m in meetings)
    referrals = (
        await uow.session.exec(select(ReferralRequest).where(*_between(ReferralRequest.requested_on, start, end)))
    ).all()
    for referral in referrals:
        report["referrals_by_medium"][referral.medium] += 1
    await _random_inspections(uow, report, start, end)
    return report


async def _legal_reviews(uow: UnitOfWork, report: dict[str, Any], decisions: Sequence[Decision]) -> None:
    """重大执法决定法制审核: the period's decisions whose case required a legal review (major public interest, hearing
    held, complex or multi-law), and those whose case entered the legal review before the decision, read from the
    case's history (the stage is entered only with the reviewer's opinion recorded)."""
    case_ids = {d.case_id for d in decisions if d.case_id}
    if not case_ids:
        return
    cases = (await uow.session.exec(select(Case).where(col(Case.id).in_(case_ids)))).all()
    required = {c.id for c in cases if legal_review_required(facts_of(c))}
    if not required:
        return
    rows = await uow.session.exec(
        select(AuditEntry.seq, AuditEntry.entity_id, AuditEntry.action).where(
            col(AuditEntry.entity_type) == "case",
            col(AuditEntry.entity_id).in_(required),
            col(AuditEntry.action).startswith(STAGE_CHANGE_PREFIX),
        )
    )
    entered: dict[str, list[tuple[int, Stage]]] = {case_id: [] for case_id in required}
    for seq, case_id, action in rows.all():
        _action, _left, to_stage = read_action(action)
        if to_stage is not None and seq is not None:
            entered[case_id].append((seq, to_stage))
    for decision in decisions:
        if decision.case_id in required:
            report["legal_reviews_required"] += 1
            report["legal_reviews_before_decision"] += reviewed_before_decision(entered[decision.case_id])


async def _random_inspections(uow: UnitOfWork, report: dict[str, Any], start: date, end: date) -> None:
    """Inspections by the entity's (current) category and result; the registry's coverage over the period."""
    entities = (await uow.session.exec(select(SupervisedEntity))).all()
    category_of = {e.party_id: e.category for e in entities}
    statement = select(Inspection.party_id, Inspection.result).where(*_between(Inspection.inspected_on, start, end))
    inspected: set[str] = set()
    for party_id, result in (await uow.session.exec(statement)).all():
        category = category_of.get(party_id or "", UNREGISTERED)
        counts = report["inspections_by_category"][category]
        counts[result or UNRECORDED] = counts.get(result or UNRECORDED, 0) + 1
        inspected.add(party_id or "")
    for entity in entities:
        if entity.active:
            coverage = report["registry_coverage"][entity.category]
            coverage["entities"] += 1
            coverage["inspected"] += entity.party_id in inspected


def _between(column: Any, start: date, end: date) -> tuple[Any, Any]:
    return col(column) >= start, col(column) < end


async def deadline_watch(
    uow: UnitOfWork,
    caller: Principal,
    *,
    as_of: date,
    within: int,
    settings: CasesSettings,
    calendar: deadlines.Calendar,
) -> list[DeadlineItem]:
    """Everything due by ``as_of + within`` days, overdue first: per case and step (evidence preserved awaiting its
    disposal included), and open leads."""
    horizon = as_of + timedelta(days=within)
    items: list[DeadlineItem] = []
    open_cases = CASE.where(select(Case).where(Case.stage != Stage.CLOSED.value), caller, Case)
    for case in (await uow.session.exec(open_cases)).all():
        for step, due in await _case_steps(uow, case, settings, calendar):
            if due.due_on <= horizon:
                items.append(_item(case, step, due, as_of))
    items += await preservation_deadlines(uow, caller, as_of=as_of, horizon=horizon)
    leads = (await uow.session.exec(select(Lead).where(Lead.status == "open"))).all()
    for lead in leads:
        if lead.due_on <= horizon:
            items.append(
                DeadlineItem(
                    case_id=None,
                    lead_id=lead.id,
                    case_number=None,
                    step="lead_filing_decision",
                    due_on=lead.due_on,
                    overdue=lead.due_on < as_of,
                    provisional=False,
                )
            )
    return sorted(items, key=lambda i: (i.due_on, i.step))


def _item(case: Case, step: str, due: deadlines.Due, as_of: date) -> DeadlineItem:
    return DeadlineItem(
        case_id=case.id,
        case_number=case.case_number,
        step=step,
        due_on=due.due_on,
        opens_on=due.opens_on,
        overdue=due.due_on < as_of,
        provisional=due.provisional,
    )


async def _case_steps(
    uow: UnitOfWork, case: Case, settings: CasesSettings, calendar: deadlines.Calendar
) -> list[tuple[str, deadlines.Due]]:
    stage, limits = Stage(case.stage), settings.limits
    steps: list[tuple[str, deadlines.Due]] = []
    if stage in OPEN_BEFORE_DECISION:
        steps.append(("decision", await refresh_decision_due(uow, case, settings=settings, calendar=calendar)))
    if stage == Stage.NOTICE and case.answer_due_on and case.party_answered_on is None:
        steps.append(("party_answer", deadlines.Due(case.answer_due_on, provisional=False)))
    if stage == Stage.DECIDED and case.decided_on:
        steps.append(("service", deadlines.service_due(calendar, case.decided_on, limits=limits)))
    if stage in {Stage.SERVED, Stage.EXECUTING} and case.money_due_fen and case.paid_on is None and case.served_on:
        steps.append(("payment", deadlines.payment_due(calendar, case.served_on, limits=limits)))
    if stage in {Stage.SERVED, Stage.EXECUTING} and case.money_due_fen and case.paid_on is None and case.served_on:
        court = deadlines.court_enforcement_window(calendar, case.served_on, case.demand_on, limits=limits)
        steps.append(("court_enforcement", court))
    return steps
