"""Referrals (移送案件): creation from cases' request, loading with the ownership check, the steps, the change log.

A step loads the referral, applies the step machine, stages state, change log, audit and the event back to cases.
Handlers never commit: the entry point (or the consumer framework) commits the unit of work.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from services.referral.access import REFERRAL
from services.referral.domain.deadlines import SHANGHAI, shanghai_date
from services.referral.domain.steps import Decision, IllegalStep, Status, Step, StepContext, next_status
from services.referral.handlers.changes import record_change
from services.referral.handlers.deliveries import stage_copy
from services.referral.tables import Referral, ReferralDocument
from shared.audit import append_audit
from shared.auth import Principal, Role
from shared.contracts import CloudEvent
from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    EvidenceReference,
    ReferralAcceptedV1,
    ReferralDeclinedV1,
    ReferralReceivedV1,
    ReferralRequestedV1,
    ReferralReturnedV1,
)
from shared.errors import Conflict, Invalid
from shared.messaging import UnitOfWork

# A reported moment may run a little ahead of our clock (another agency's server), but not into the future.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Actor:
    """Who acts and the request that started it (for the audit log and the events' correlation id)."""

    name: str
    correlation_id: str | None = None


@dataclass
class StepInput:
    """A step as an entry point hands it over: when it happened and what to set on the referral."""

    at: datetime
    fields: dict[str, Any] = field(default_factory=dict)
    note: dict[str, Any] = field(default_factory=dict)
    decision: Decision | None = None


async def create_from_request(uow: UnitOfWork, request: ReferralRequestedV1, *, event: CloudEvent) -> Referral | None:
    """The referral record from cases' request; a repeated request (same ``request_id``) changes nothing."""
    found = await uow.session.execute(select(Referral.id).where(col(Referral.request_id) == request.request_id))
    if found.first() is not None:
        return None
    referral = Referral(
        id=str(uuid.uuid4()),
        request_id=request.request_id,
        case_id=request.case_id,
        case_number=request.case_number,
        police_unit=request.police_unit,
        team=request.team,
        status=Status.APPROVED.value,
        party=request.party.model_dump(mode="json"),
        party_name=request.party.name,
        credit_code=request.party.credit_code,
        offence=request.offence,
        medium=request.medium.value,
        summary=request.summary,
        threshold_hints=list(request.threshold_hints),
        package_items=list(request.package_items),
        reported_on=request.reported_on,
        approved_on=request.approved_on,
        approved_at=_approval_moment(request, event),
    )
    uow.session.add(referral)
    for evidence in request.evidence:
        uow.session.add(_referenced_document(referral.id, evidence, added_by=event.actor or "cases"))
    actor = Actor(event.actor or "cases", event.correlationid)
    await log_change(
        uow, referral, "created", at=referral.approved_at, actor=actor, data={"request_id": request.request_id}
    )
    return referral


def _approval_moment(request: ReferralRequestedV1, event: CloudEvent) -> datetime:
    """When the 24-hour transfer limit starts: the approval time if cases sent it; else the request's own time
    when it was sent on the approval day; else the start of the approval day (the strictest reading)."""
    if request.approved_at is not None:
        return request.approved_at
    if shanghai_date(event.time) == request.approved_on:
        return event.time
    return datetime.combine(request.approved_on, time(), tzinfo=SHANGHAI)


def _referenced_document(referral_id: str, evidence: EvidenceReference, *, added_by: str) -> ReferralDocument:
    """Evidence cases holds: listed in the package by its hash; its content is uploaded (and checked) later."""
    return ReferralDocument(
        id=str(uuid.uuid4()),
        referral_id=referral_id,
        name=evidence.name,
        checklist_item=evidence.checklist_item,
        sha256=evidence.sha256,
        size=evidence.size,
        stored=False,
        evidence_id=evidence.evidence_id,
        added_by=added_by,
    )


async def get_referral(uow: UnitOfWork, referral_id: str, caller: Principal, *, for_update: bool = False) -> Referral:
    """The referral if ``caller`` reaches it (``access.REFERRAL``); else 404, as if it did not exist. To the police
    a referral not yet sent does not exist either.

    ``for_update`` serialises writers of one referral, so two concurrent steps never both start from the same
    status: PostgreSQL locks the row; SQLite takes its write lock before reading (a no-op update), so the read
    sees the last committed state instead of failing later on a stale snapshot.
    """
    if for_update and uow.session.get_bind().dialect.name == "sqlite":
        await uow.session.execute(
            update(Referral).where(col(Referral.id) == referral_id).values(version=Referral.version)
        )
    found = await uow.session.get(Referral, referral_id, with_for_update=for_update)
    if found is not None and Role.POLICE in caller.roles and found.status == Status.APPROVED:
        found = None
    return REFERRAL.check(caller, found, referral_id)


async def list_referrals(
    uow: UnitOfWork,
    caller: Principal,
    *,
    status: str | None,
    case_id: str | None,
    police_unit: str | None,
    after: str | None,
    limit: int,
) -> list[Referral]:
    query = REFERRAL.where(select(Referral).order_by(col(Referral.id)).limit(limit), caller, Referral)
    for column, value in ((Referral.status, status), (Referral.case_id, case_id), (Referral.police_unit, police_unit)):
        if value:
            query = query.where(col(column) == value)
    if after:
        query = query.where(col(Referral.id) > after)
    return list((await uow.session.execute(query)).scalars())


async def advance(uow: UnitOfWork, referral: Referral, step: Step, command: StepInput, *, actor: Actor) -> Referral:
    """Apply one step of the procedure: status, fields, change log, audit, and the event back to cases."""
    _check_moment(referral, command.at)
    try:
        status = next_status(Status(referral.status), step, decision=command.decision, context=context_of(referral))
    except IllegalStep as exc:
        raise Conflict(
            f"当前状态不允许此操作，需要先完成：{exc.missing} — {step.value} is not allowed while {referral.status}",
            slug="referral-step-not-allowed",
            current_status=referral.status,
            missing_step=exc.missing,
        ) from exc
    for name, value in command.fields.items():
        setattr(referral, name, value)
    if step is Step.DECISION:
        _apply_decision(referral, command)
    referral.status = status.value
    referral.version += 1
    referral.updated_at = datetime.now(UTC)
    uow.session.add(referral)
    await log_change(uow, referral, step.value, at=command.at, actor=actor, data=command.note)
    _emit_outcome(uow, referral, step, command, actor)
    if step in (Step.TRANSFER, Step.SUPERVISION):
        await stage_copy(uow, referral, kind=step.value, at=command.at, note=command.note)
    return referral


def _check_moment(referral: Referral, at: datetime) -> None:
    if at > datetime.now(UTC) + CLOCK_SKEW:
        raise Invalid("时间不能晚于当前时间 The time is in the future", slug="time-in-future", at=at.isoformat())
    if at < referral.approved_at - CLOCK_SKEW:
        raise Invalid("时间早于批准移送时间 The time is before the approval", slug="time-before-approval")
    if referral.sent_at is not None and at < referral.sent_at - CLOCK_SKEW:
        raise Invalid("时间早于移送时间 The time is before the transfer", slug="time-before-transfer")


def _apply_decision(referral: Referral, command: StepInput) -> None:
    assert command.decision is not None
    if referral.status == Status.RECONSIDERATION:  # a supervision answer is only the decision
        referral.reconsideration_answered_at = command.at
        referral.reconsideration_answer = command.decision.value
    if referral.first_decision is None:
        referral.first_decision, referral.first_decided_at = command.decision.value, command.at
    referral.decision, referral.decided_at = command.decision.value, command.at


def context_of(referral: Referral) -> StepContext:
    return StepContext(
        reconsidered=referral.reconsideration_answered_at is not None,
        supervised=referral.supervision_requested_at is not None,
        exhibits_handed_over=referral.exhibits_handed_over_at is not None,
    )


async def set_decision_track(uow: UnitOfWork, referral: Referral, track: str, *, actor: Actor) -> Referral:
    """The police notified a longer limit (7 days needing checks, 30 days complex with approval)."""
    if referral.first_decided_at is not None:
        raise Conflict("公安已作出决定 The police have already decided", slug="referral-already-decided")
    referral.decision_track = track
    referral.version += 1
    referral.updated_at = datetime.now(UTC)
    uow.session.add(referral)
    await log_change(uow, referral, "decision_track", at=referral.updated_at, actor=actor, data={"track": track})
    return referral


async def log_change(
    uow: UnitOfWork, referral: Referral, step: str, *, at: datetime, actor: Actor, data: dict[str, Any]
) -> None:
    await append_audit(
        uow.session,
        actor=actor.name,
        entity_type="referral",
        entity_id=referral.id,
        action=step,
        data={"at": at.isoformat(), "status": referral.status, **data},
    )
    await record_change(uow.session, referral, step=step, at=at, actor=actor.name, data=data)


def _emit_outcome(uow: UnitOfWork, referral: Referral, step: Step, command: StepInput, actor: Actor) -> None:
    common: dict[str, Any] = {
        "referral_id": referral.id,
        "case_id": referral.case_id,
        "police_unit": referral.police_unit,
        "at": command.at,
    }
    payload: EventPayload | None = None
    if step is Step.RECEIPT:
        payload = ReferralReceivedV1(**common, receiver=referral.receiver or "")
    elif command.decision is Decision.ACCEPTED:
        payload = ReferralAcceptedV1(**common, police_case_number=referral.police_case_number or "")
    elif command.decision is Decision.DECLINED:
        payload = ReferralDeclinedV1(**common, reason=referral.decision_reason or "")
    elif command.decision is Decision.RETURNED:
        payload = ReferralReturnedV1(**common, reason=referral.decision_reason or "")
    if payload is not None:
        uow.emit(CloudEvent.wrap(payload, subject=referral.id, correlation_id=actor.correlation_id, actor=actor.name))
