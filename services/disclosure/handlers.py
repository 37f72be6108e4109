"""Use cases of the disclosure service."""

from __future__ import annotations

import uuid

from sqlmodel import col, select

from services.disclosure.domain.deadlines import WorkingDayCalendar, publication_due_date
from services.disclosure.tables import Publication
from shared.audit import append_audit
from shared.contracts import CloudEvent
from shared.contracts.common import DecisionKind
from shared.contracts.events import DecisionIssuedV1
from shared.messaging import UnitOfWork
from shared.problems import Problem


async def create_publication(
    uow: UnitOfWork,
    decision: DecisionIssuedV1,
    *,
    calendar: WorkingDayCalendar,
    working_days: dict[DecisionKind, int],
    event: CloudEvent,
) -> Publication:
    """On an issued decision: a pending publication due by the kind's deadline. The consumer commits."""
    due = publication_due_date(calendar, kind=decision.kind, decided_on=decision.decided_on, working_days=working_days)
    publication = Publication(
        id=str(uuid.uuid4()),
        decision_id=decision.decision_id,
        kind=decision.kind.value,
        document_number=decision.document_number,
        party_name=decision.party.name,
        decided_on=decision.decided_on,
        due_on=due.due_on,
        due_provisional=due.provisional,
    )
    uow.session.add(publication)
    await append_audit(
        uow.session,
        actor=event.actor or "system",
        entity_type="publication",
        entity_id=publication.id,
        action="created",
        data={"decision_id": decision.decision_id, "due_on": due.due_on.isoformat(), "event_id": event.id},
    )
    return publication


async def list_publications(
    uow: UnitOfWork, *, decision_id: str | None, status: str | None, after: str | None, limit: int
) -> list[Publication]:
    query = select(Publication).order_by(col(Publication.id)).limit(limit)
    if decision_id:
        query = query.where(Publication.decision_id == decision_id)
    if status:
        query = query.where(Publication.status == status)
    if after:
        query = query.where(col(Publication.id) > after)
    return list((await uow.session.execute(query)).scalars())


async def get_publication(uow: UnitOfWork, publication_id: str) -> Publication:
    found = await uow.session.get(Publication, publication_id)
    if found is None:
        raise Problem(404, f"公示不存在 Publication {publication_id} not found")
    return found
