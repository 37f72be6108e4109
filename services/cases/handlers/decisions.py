"""Use cases of decisions (决定书): issue, serve, revoke, amend.

Handlers never commit: the entry point commits the unit of work (with the idempotency record, if any)."""

from __future__ import annotations

import uuid
from typing import Any

from services.cases.access import DECISION
from services.cases.domain.history import CaseAction
from services.cases.domain.numbering import format_document_number
from services.cases.domain.stages import Stage
from services.cases.handlers.cases import audit_case, touch
from services.cases.handlers.decision_terms import check_amended_penalty, check_terms, decision_payload, money_due_fen
from services.cases.handlers.documents import store_decision_document
from services.cases.handlers.sequences import next_document_seq
from services.cases.handlers.transitions import facts_of, judge
from services.cases.schemas import Amendment, DecisionCreate, Revocation, ServiceRecord
from services.cases.settings import CasesSettings
from services.cases.tables import Case, Decision
from shared.audit import append_audit
from shared.auth import Principal
from shared.contracts import CloudEvent
from shared.contracts.common import PartySnapshot
from shared.contracts.events import DecisionAmendedV1, DecisionRevokedV1
from shared.errors import Conflict, Invalid
from shared.messaging import UnitOfWork


async def _case_ready_for_decision(uow: UnitOfWork, command: DecisionCreate, settings: CasesSettings) -> Case | None:
    """A decision in a case file only from the decision stage: every required step (notice, legal review,
    collective discussion) done, judged on the decided amounts."""
    if command.case_id is None:
        return None
    case = await uow.session.get(Case, command.case_id)
    if case is None:
        raise Invalid(f"案件不存在 Case {command.case_id} not found", slug="unknown-case")
    if command.party.party_id is not None and command.party.party_id != case.party_id:
        raise Invalid("决定书当事人与案件当事人不一致 The party is not the case's party", slug="party-mismatch")
    proposed_total = int(str(case.proposed.get("fine_fen", 0))) + int(str(case.proposed.get("confiscation_fen", 0)))
    decided_total = command.penalty.fine_fen + command.penalty.confiscation_fen
    if case.stage != Stage.DECIDED and decided_total > proposed_total and case.notice_received_on is not None:
        raise Conflict(
            "决定处罚重于告知内容，须重新告知 The decided penalty exceeds the notified one: notify the party again",
            slug="illegal-transition",
            missing_step="notice",
        )
    facts = facts_of(case)
    facts = type(facts)(
        **{
            **facts.__dict__,
            "proposed_fine_fen": max(facts.proposed_fine_fen, command.penalty.fine_fen),
            "proposed_confiscation_fen": max(facts.proposed_confiscation_fen, command.penalty.confiscation_fen),
        }
    )
    judge(facts, Stage.DECIDED, on=command.decided_on, settings=settings)
    return case


async def issue_decision(
    uow: UnitOfWork, command: DecisionCreate, *, settings: CasesSettings, actor: str, correlation_id: str
) -> Decision:
    check_terms(command, settings)
    case = await _case_ready_for_decision(uow, command, settings)
    year = command.decided_on.year
    seq = await next_document_seq(uow, kind=command.kind.value, year=year)
    number = format_document_number(settings.document_prefixes[command.kind], year, seq)
    party = PartySnapshot(
        party_id=command.party.party_id or (case.party_id if case else str(uuid.uuid4())),
        **command.party.model_dump(exclude={"party_id"}),
    )
    decision = Decision(
        id=str(uuid.uuid4()),
        case_id=command.case_id,
        kind=command.kind.value,
        year=year,
        seq=seq,
        document_number=number,
        decided_on=command.decided_on,
        party=party.model_dump(mode="json"),
        facts=command.facts,
        legal_basis=command.legal_basis,
        violation_type=command.violation_type,
        penalty=command.penalty.model_dump(mode="json"),
        issued_by=actor,
        terms=command.model_dump(
            mode="json",
            exclude={"kind", "case_id", "decided_on", "party", "facts", "penalty", "legal_basis", "violation_type"},
        ),
    )
    document_sha256 = await store_decision_document(decision, settings)
    uow.session.add(decision)
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="decision",
        entity_id=decision.id,
        action="issued",
        data={
            "document_number": number,
            "kind": decision.kind,
            "case_id": decision.case_id,
            "document_sha256": document_sha256,
        },
    )
    if case is not None:
        await _mark_decided(uow, case, decision, command, actor=actor)
    payload = decision_payload(decision, settings, case_number=case.case_number if case else None)
    uow.emit(CloudEvent.wrap(payload, subject=decision.id, correlation_id=correlation_id, actor=actor))
    return decision


async def _mark_decided(
    uow: UnitOfWork, case: Case, decision: Decision, command: DecisionCreate, *, actor: str
) -> None:
    before = case.stage
    case.stage, case.decision_id, case.decided_on = Stage.DECIDED.value, decision.id, decision.decided_on
    case.outcome = "penalty"
    case.money_due_fen = money_due_fen(command)
    touch(case)
    uow.session.add(case)
    await audit_case(
        uow,
        case,
        actor=actor,
        action=CaseAction.STAGE_CHANGED,
        from_stage=Stage(before),
        to_stage=Stage.DECIDED,
        data={
            "decision_id": decision.id,
            "document_number": decision.document_number,
            "document_sha256": decision.document_sha256,
        },
    )


async def reach_decision(uow: UnitOfWork, decision_id: str, caller: Principal) -> Decision:
    """The decision if ``caller`` reaches its case (``access.DECISION``); one outside a case file has no team."""
    found = await uow.session.get(Decision, decision_id)
    case = await uow.session.get(Case, found.case_id) if found is not None and found.case_id else None
    return DECISION.check(caller, found, decision_id, parent=case)


async def serve_decision(
    uow: UnitOfWork, decision: Decision, body: ServiceRecord, *, settings: CasesSettings, actor: str
) -> Decision:
    """送达; electronic service only with the party's signed consent. Moves a decided case to served."""
    if decision.served_on is not None:
        raise Conflict("决定书已送达 Already served", slug="already-served")
    if body.method == "electronic" and not body.electronic_consent:
        raise Invalid(
            "电子送达须经当事人同意 Electronic service needs consent",
            rule=settings.citations["electronic_service"],
        )
    if body.served_on < decision.decided_on:
        raise Invalid("送达日期早于决定日期 served_on is before the decision date", slug="validation")
    decision.served_on, decision.service_method = body.served_on, body.method
    decision.version += 1
    uow.session.add(decision)
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="decision",
        entity_id=decision.id,
        action="served",
        data=body.model_dump(mode="json"),
    )
    case = await uow.session.get(Case, decision.case_id) if decision.case_id else None
    if case is not None and case.stage == Stage.DECIDED.value:
        case.stage, case.served_on = Stage.SERVED.value, body.served_on
        touch(case)
        uow.session.add(case)
        await audit_case(
            uow,
            case,
            actor=actor,
            action=CaseAction.STAGE_CHANGED,
            data=body.model_dump(mode="json"),
            from_stage=Stage.DECIDED,
            to_stage=Stage.SERVED,
        )
    return decision


async def revoke_decision(
    uow: UnitOfWork, decision: Decision, body: Revocation, *, actor: str, correlation_id: str
) -> Decision:
    if decision.status == "revoked":
        raise Conflict("决定书已撤销 Already revoked", slug="already-revoked")
    decision.status, decision.revoked_on, decision.change_reason = "revoked", body.revoked_on, body.reason
    decision.version += 1
    uow.session.add(decision)
    await _audit_change(uow, decision, "revoked", {"reason": body.reason}, actor)
    payload = DecisionRevokedV1(
        decision_id=decision.id,
        document_number=decision.document_number,
        revoked_on=body.revoked_on,
        reason=body.reason,
    )
    uow.emit(CloudEvent.wrap(payload, subject=decision.id, correlation_id=correlation_id, actor=actor))
    return decision


async def amend_decision(
    uow: UnitOfWork, decision: Decision, body: Amendment, *, settings: CasesSettings, actor: str, correlation_id: str
) -> Decision:
    if decision.status == "revoked":
        raise Conflict("已撤销的决定书不能变更 A revoked decision cannot be amended", slug="already-revoked")
    if body.penalty is not None:
        check_amended_penalty(decision, body.penalty, settings)
    changes: dict[str, Any] = body.model_dump(mode="json", exclude_none=True, exclude={"amended_on", "reason"})
    for name, value in changes.items():
        setattr(decision, name, value)
    decision.status, decision.change_reason = "amended", body.reason
    decision.version += 1
    # The amended decision is a new document (变更决定): rendered and stored again, the new SHA-256 audited.
    document_sha256 = await store_decision_document(decision, settings)
    uow.session.add(decision)
    audited = {"reason": body.reason, **changes, "document_sha256": document_sha256}
    await _audit_change(uow, decision, "amended", audited, actor)
    case = await uow.session.get(Case, decision.case_id) if decision.case_id else None
    payload = DecisionAmendedV1(
        decision_id=decision.id,
        amended_on=body.amended_on,
        reason=body.reason,
        decision=decision_payload(decision, settings, case_number=case.case_number if case else None),
    )
    uow.emit(CloudEvent.wrap(payload, subject=decision.id, correlation_id=correlation_id, actor=actor))
    return decision


async def _audit_change(uow: UnitOfWork, decision: Decision, action: str, data: dict[str, Any], actor: str) -> None:
    await append_audit(
        uow.session, actor=actor, entity_type="decision", entity_id=decision.id, action=action, data=data
    )
    case = await uow.session.get(Case, decision.case_id) if decision.case_id else None
    if case is not None:
        await audit_case(
            uow, case, actor=actor, action=CaseAction(f"decision_{action}"), data={"decision_id": decision.id, **data}
        )
