"""Moving a case through its stages: record what the step needs, let the pure stage machine judge, audit it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from services.cases.domain import deadlines
from services.cases.domain.history import CaseAction
from services.cases.domain.legal_review import may_review
from services.cases.domain.stages import HEAD_ONLY, CaseFacts, IllegalTransition, Stage, check_transition
from services.cases.handlers.cases import (
    audit_case,
    end_stops,
    meeting_discussed,
    refresh_decision_due,
    start_stop,
    touch,
)
from services.cases.handlers.decision_terms import fine_fen_of
from services.cases.handlers.procedure import record_hearing_notice
from services.cases.handlers.rows import load
from services.cases.handlers.rule_tables import hearing_threshold_on
from services.cases.schemas import ExecutionRecord, Transition
from services.cases.settings import CasesSettings
from services.cases.tables import Case, Decision, Officer
from shared.auth import Principal, Role
from shared.contracts import CloudEvent
from shared.contracts.common import PartyType
from shared.contracts.events import CaseClosedV1
from shared.errors import Conflict, Forbidden, Invalid
from shared.messaging import UnitOfWork

# Stages entered through their own documents, not through a bare transition.
VIA_DOCUMENT = {
    Stage.DECIDED: "POST /api/v1/cases/decisions",
    Stage.SERVED: "POST /api/v1/cases/decisions/{id}/service",
}


def facts_of(case: Case, *, legal_reviewer_qualified: bool = False) -> CaseFacts:
    proposed = case.proposed
    return CaseFacts(
        stage=Stage(case.stage),
        party_is_individual=case.party_type == PartyType.INDIVIDUAL.value,
        investigators=tuple(case.investigators),
        reviewer=case.reviewer_id,
        proposed_fine_fen=int(str(proposed.get("fine_fen", 0))),
        proposed_confiscation_fen=int(str(proposed.get("confiscation_fen", 0))),
        licence_revocation=bool(proposed.get("licence_revocation", False)),
        production_halt=bool(proposed.get("production_halt", False)),
        complex_case=case.flags.get("complex_case", False),
        major_public_interest=case.flags.get("major_public_interest", False),
        multi_law=case.flags.get("multi_law", False),
        head_referred=case.flags.get("head_referred", False),
        notice_on=case.notice_on,
        notice_received_on=case.notice_received_on,
        answer_due_on=case.answer_due_on,
        party_answered=case.party_answered_on is not None,
        hearing_requested_on=case.hearing_requested_on,
        hearing_request_due_on=case.answer_due_on,
        hearing_held=case.hearing_held_on is not None,
        legal_opinion=case.legal_opinion,
        legal_reviewer_qualified=legal_reviewer_qualified,
        meeting_id=case.meeting_id,
        referral_requested=case.referral_requested,
        money_due=case.money_due_fen > 0,
        paid=case.paid_on is not None,
    )


def judge(facts: CaseFacts, target: Stage, *, on: Any, settings: CasesSettings) -> None:
    facts = with_rule_data(facts, settings)
    try:
        check_transition(facts, target, today=on, thresholds=settings.thresholds)
    except IllegalTransition as refused:
        rule = settings.citations.get(refused.missing_step)
        cited: dict[str, Any] = {"rule": rule} if rule else {}
        raise Conflict(
            refused.detail,
            slug="illegal-transition",
            missing_step=refused.missing_step,
            stage=facts.stage.value,
            **cited,
        ) from refused


def with_rule_data(facts: CaseFacts, settings: CasesSettings) -> CaseFacts:
    """What the settings add: the hearing amounts in force on the notice's date (告知书 date, else its receipt) and
    the bureau's review-meeting practice."""
    notice_day = facts.notice_on or facts.notice_received_on
    hearing = hearing_threshold_on(settings, notice_day) if notice_day is not None else None
    return replace(facts, hearing_threshold=hearing, every_penalty_to_meeting=settings.review_meeting_for_every_penalty)


async def transition(
    uow: UnitOfWork,
    case: Case,
    body: Transition,
    *,
    settings: CasesSettings,
    calendar: deadlines.Calendar,
    caller: Principal,
    correlation_id: str,
) -> Case:
    target = body.to
    if target in VIA_DOCUMENT:
        raise Conflict(f"请通过 {VIA_DOCUMENT[target]} 办理", slug="illegal-transition", missing_step=target.value)
    if target in HEAD_ONLY and not caller.has_any({Role.HEAD, Role.ADMIN}):
        raise Forbidden("此步骤须由负责人决定 Only the head may take this step", slug="forbidden")
    before = Stage(case.stage)
    record_hearing_notice(case, body, settings=settings, cal=calendar)
    qualified = await _record_step(uow, case, body, settings=settings, calendar=calendar)
    judge(facts_of(case, legal_reviewer_qualified=qualified), target, on=body.on, settings=settings)
    await _clock_effects(uow, case, before, target, body)
    case.stage = target.value
    if target in {Stage.CLOSED, Stage.NO_PENALTY, Stage.TRANSFERRED}:
        case.outcome = case.outcome or target.value
    if target == Stage.CLOSED:
        case.closed_on = body.on
    await refresh_decision_due(uow, case, settings=settings, calendar=calendar)
    touch(case)
    uow.session.add(case)
    data = body.model_dump(mode="json", exclude_none=True, exclude={"to"})
    await audit_case(
        uow,
        case,
        actor=caller.subject,
        action=CaseAction.STAGE_CHANGED,
        data=data,
        from_stage=before,
        to_stage=target,
    )
    if target == Stage.CLOSED:
        closed = CaseClosedV1(
            case_id=case.id, case_number=case.case_number, closed_on=body.on, outcome=case.outcome or "closed"
        )
        uow.emit(CloudEvent.wrap(closed, subject=case.id, correlation_id=correlation_id, actor=caller.subject))
    return case


async def _record_step(
    uow: UnitOfWork, case: Case, body: Transition, *, settings: CasesSettings, calendar: deadlines.Calendar
) -> bool:
    """Copy what the step brings onto the case; returns whether the named legal reviewer is qualified."""
    if body.reviewer_id is not None:
        await _active_officer(uow, body.reviewer_id)
        case.reviewer_id = body.reviewer_id
    if body.proposed is not None:
        case.proposed = body.proposed.model_dump()
    if body.to == Stage.NOTICE:
        case.notice_on = body.on
    if body.notice_received_on is not None:
        case.notice_received_on = body.notice_received_on
        case.answer_due_on = deadlines.answer_due(calendar, body.notice_received_on, limits=settings.limits).due_on
    for name in ("party_answered_on", "hearing_requested_on", "hearing_held_on", "paid_on"):
        if getattr(body, name) is not None:
            setattr(case, name, getattr(body, name))
    if body.meeting_id is not None:
        await meeting_discussed(uow, body.meeting_id, case.id)
        case.meeting_id = body.meeting_id
    if body.legal_opinion is not None:
        case.legal_opinion = body.legal_opinion
    if body.legal_reviewer_id is not None:
        case.legal_reviewer_id = body.legal_reviewer_id
    if case.legal_reviewer_id is None:
        return False
    reviewer = await _active_officer(uow, case.legal_reviewer_id)
    allowed = may_review(
        reviewer.legal_qualification,
        reviewer.legal_review_started_on,
        required_from=settings.legal_qualification_required_from,
    )
    return allowed and reviewer.id not in case.investigators


async def _active_officer(uow: UnitOfWork, officer_id: str) -> Officer:
    officer = await load(uow.session, Officer, officer_id, "执法人员")
    if not officer.active:
        raise Invalid(f"执法人员已停用 Officer {officer.name} is deactivated", slug="officer-inactive")
    return officer


async def _clock_effects(uow: UnitOfWork, case: Case, before: Stage, target: Stage, body: Transition) -> None:
    """Suspension and hearing stop the 90-day clock (办法 §§ on 期限计算)."""
    if target == Stage.SUSPENDED:
        await start_stop(uow, case, reason="suspension", on=body.on)
    if before == Stage.SUSPENDED:
        await end_stops(uow, case, reason="suspension", on=body.on)
    if target == Stage.HEARING:
        await start_stop(uow, case, reason="hearing", on=case.hearing_requested_on or body.on)
    if before == Stage.HEARING:
        await end_stops(uow, case, reason="hearing", on=case.hearing_held_on or body.on)


async def record_execution(
    uow: UnitOfWork,
    case: Case,
    body: ExecutionRecord,
    *,
    settings: CasesSettings,
    calendar: deadlines.Calendar,
    actor: str,
) -> int:
    """Record payment or the formal demand (催告); returns the late surcharge (加处罚款) owed at payment."""
    if case.stage not in {Stage.SERVED.value, Stage.EXECUTING.value} or case.served_on is None:
        raise Conflict(
            "决定书尚未送达 The decision has not been served", slug="illegal-transition", missing_step="served"
        )
    if body.paid_on is None and body.demand_on is None:
        raise Invalid("需填写缴款日期或催告日期 paid_on or demand_on is required", slug="validation")
    surcharge = 0
    if body.paid_on is not None:
        due = deadlines.payment_due(calendar, case.served_on, limits=settings.limits).due_on
        decision = await uow.session.get(Decision, case.decision_id) if case.decision_id else None
        fine = fine_fen_of(decision) if decision is not None else 0
        surcharge = deadlines.late_surcharge_fen(fine, due_on=due, paid_on=body.paid_on, limits=settings.limits)
        case.paid_on = body.paid_on
    if body.demand_on is not None:
        case.demand_on = body.demand_on
    touch(case)
    uow.session.add(case)
    data = {**body.model_dump(mode="json", exclude_none=True), "late_surcharge_fen": surcharge}
    await audit_case(uow, case, actor=actor, action=CaseAction.EXECUTION_RECORDED, data=data)
    return surcharge
