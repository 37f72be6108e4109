"""Use cases of the cases service: load, apply the rule, stage state and events in the caller's unit of work.

Handlers never commit: the entry point commits the unit of work (with the idempotency record, if any)."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from services.cases.domain.numbering import format_document_number
from services.cases.schemas import DecisionCreate
from services.cases.settings import CasesSettings
from services.cases.tables import Decision, DocumentSequence
from shared.audit import append_audit
from shared.contracts import CloudEvent
from shared.contracts.common import PartySnapshot
from shared.contracts.events import DecisionIssuedV1
from shared.messaging import UnitOfWork
from shared.problems import Problem


async def next_document_seq(uow: UnitOfWork, *, kind: str, year: int) -> int:
    """Bump the (kind, year) counter atomically; the row stays locked until commit, so numbers are gapless."""
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(DocumentSequence)
        .values(kind=kind, year=year, last_seq=1)
        .on_conflict_do_update(index_elements=["kind", "year"], set_={"last_seq": DocumentSequence.last_seq + 1})
        .returning(col(DocumentSequence.last_seq))
    )
    result = await uow.session.execute(statement)
    return int(result.scalar_one())


async def issue_decision(
    uow: UnitOfWork, command: DecisionCreate, *, settings: CasesSettings, actor: str, correlation_id: str
) -> Decision:
    year = command.decided_on.year
    seq = await next_document_seq(uow, kind=command.kind.value, year=year)
    number = format_document_number(settings.document_prefixes[command.kind], year, seq)
    party = PartySnapshot(
        party_id=command.party.party_id or str(uuid.uuid4()), **command.party.model_dump(exclude={"party_id"})
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
    )
    uow.session.add(decision)
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="decision",
        entity_id=decision.id,
        action="issued",
        data={"document_number": number, "kind": decision.kind, "case_id": decision.case_id},
    )
    payload = DecisionIssuedV1(
        decision_id=decision.id,
        case_id=command.case_id,
        kind=command.kind,
        document_number=number,
        decided_on=command.decided_on,
        party=party,
        facts=command.facts,
        legal_basis=command.legal_basis,
        penalty=command.penalty,
        violation_type=command.violation_type,
        authority=settings.authority,
        authority_credit_code=settings.authority_credit_code,
    )
    uow.emit(CloudEvent.wrap(payload, subject=decision.id, correlation_id=correlation_id, actor=actor))
    return decision


async def get_decision(uow: UnitOfWork, decision_id: str) -> Decision:
    found = await uow.session.get(Decision, decision_id)
    if found is None:
        raise Problem(404, f"决定书不存在 Decision {decision_id} not found")
    return found
