"""Use cases of publications (行政执法公示): create from a decision, publish, edit, mark overdue.

Withdrawal is ``handlers.withdrawal``; the editor's redaction review, ``handlers.redactions``.

Handlers never commit: the entry point (request or consumer) commits the unit of work.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from services.disclosure.domain.deadlines import check_published_on, publication_due_date
from services.disclosure.domain.redaction import Finding, party_facts, redact_decision, redact_text
from services.disclosure.handlers import credit_china
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import Publication
from shared.audit import append_audit, audit_batch
from shared.contracts import CloudEvent
from shared.contracts.common import PartySnapshot
from shared.contracts.events import DecisionIssuedV1, PublicationOverdueV1, PublicationPublishedV1
from shared.decision_kinds import kind_rule
from shared.errors import Conflict, Invalid, NotFound
from shared.messaging import UnitOfWork
from shared.workdays import Calendar


async def audit(uow: UnitOfWork, publication: Publication, *, actor: str, action: str, data: dict[str, Any]) -> None:
    """A publication's audit row (who did what to it, and the facts of the act)."""
    await append_audit(
        uow.session, actor=actor, entity_type="publication", entity_id=publication.id, action=action, data=data
    )


def local_today(timezone: str) -> date:
    """Legal deadlines are dates in Asia/Shanghai, whatever the server's clock zone."""
    return datetime.now(ZoneInfo(timezone)).date()


def findings_report(findings: tuple[Finding, ...]) -> list[dict[str, object]]:
    """The redaction report: per field and category, how many items were removed and the lowest confidence among
    them (never what they were)."""
    counts = Counter((f.field, f.category.value) for f in findings)
    lowest: dict[tuple[str, str], float] = {}
    for f in findings:
        key = (f.field, f.category.value)
        lowest[key] = min(lowest.get(key, 1.0), f.confidence)
    return [
        {"field": field, "category": category, "count": n, "min_confidence": lowest[(field, category)]}
        for (field, category), n in sorted(counts.items())
    ]


def doubtful_redactions(publication: Publication, settings: DisclosureSettings) -> list[dict[str, object]]:
    """Report rows with a redaction less sure than the setting: automatic publication waits for the editor."""
    below = settings.redaction_review_below
    return [row for row in publication.redaction_report if float(row.get("min_confidence", 1.0)) < below]


async def publish_or_hold(
    uow: UnitOfWork, publication: Publication, *, today: date, settings: DisclosureSettings, correlation_id: str | None
) -> None:
    """Automatic publication (自动发布), unless a redaction is doubtful: then the editor decides (审核发布)."""
    doubtful = doubtful_redactions(publication, settings)
    if doubtful:
        await audit(
            uow,
            publication,
            actor="system:auto-publish",
            action="held_for_review",
            data={"below": settings.redaction_review_below, "redactions": doubtful},
        )
        return
    await publish(
        uow, publication, actor="system:auto-publish", today=today, settings=settings, correlation_id=correlation_id
    )


def apply_decision(publication: Publication, decision: DecisionIssuedV1, settings: DisclosureSettings) -> None:
    """Fill the publication from the decision: the raw record for staff, the redacted text for the public."""
    content = redact_decision(decision, name_style=settings.individual_name_style)
    publication.kind = decision.kind.value
    publication.document_number = decision.document_number
    publication.party_name = decision.party.name
    publication.decided_on = decision.decided_on
    publication.party_type = content.party_type
    publication.public_party_name = content.party_name
    publication.credit_code = content.credit_code
    publication.legal_representative = content.legal_representative
    publication.town = content.town
    publication.authority = decision.authority or settings.authority
    publication.public_facts = content.facts
    publication.public_legal_basis = content.legal_basis
    publication.public_violation_type = content.violation_type
    publication.public_penalty = content.penalty
    publication.redaction_report = findings_report(content.findings)
    publication.decision = decision.model_dump(mode="json")


async def create_publication(
    uow: UnitOfWork,
    decision: DecisionIssuedV1,
    *,
    calendar: Calendar,
    settings: DisclosureSettings,
    event: CloudEvent,
    today: date,
) -> Publication:
    """On an issued decision: a pending publication due by the kind's deadline, published at once if auto."""
    rule = kind_rule(settings, decision.kind, decision.decided_on)
    due = publication_due_date(calendar, decided_on=decision.decided_on, working_days=rule.publication_working_days)
    publication = Publication(
        id=str(uuid.uuid4()),
        decision_id=decision.decision_id,
        kind=decision.kind.value,
        document_number=decision.document_number,
        party_name=decision.party.name,
        decided_on=decision.decided_on,
        due_on=due.due_on,
        due_provisional=due.provisional,
        publish_mode=settings.publish_modes.get(decision.kind, "approval"),
    )
    apply_decision(publication, decision, settings)
    # The two acts (created, published or held) go to the audit log in one statement.
    async with audit_batch(uow.session):
        await audit(
            uow,
            publication,
            actor=event.actor or "system",
            action="created",
            data={
                "decision_id": decision.decision_id,
                "due_on": due.due_on.isoformat(),
                "event_id": event.id,
                "redacted": publication.redaction_report,
            },
        )
        if publication.publish_mode == "auto":
            await publish_or_hold(uow, publication, today=today, settings=settings, correlation_id=event.correlationid)
    # Added last, so it is inserted once, as published (the audit rows before it flush what the session holds).
    uow.session.add(publication)
    return publication


async def publish(
    uow: UnitOfWork,
    publication: Publication,
    *,
    actor: str,
    today: date,
    settings: DisclosureSettings,
    correlation_id: str | None,
) -> Publication:
    """发布: make the redacted text public; on time if published on or before the due date."""
    if publication.status != "pending":
        raise Conflict(
            f"公示状态为 {publication.status}，只有待发布的公示可以发布 Only a pending publication can be "
            f"published (it is {publication.status})",
            slug="publication-not-pending",
        )
    publication.status = "published"
    publication.published_on = today
    publication.published_at = datetime.now(UTC)
    publication.published_by = actor
    publication.on_time = today <= publication.due_on
    publication.version += 1
    await audit(
        uow,
        publication,
        actor=actor,
        action="published",
        data={"published_on": today.isoformat(), "on_time": publication.on_time},
    )
    payload = PublicationPublishedV1(
        publication_id=publication.id,
        decision_id=publication.decision_id,
        document_number=publication.document_number,
        published_on=today,
        due_on=publication.due_on,
        on_time=publication.on_time,
    )
    uow.emit(CloudEvent.wrap(payload, subject=publication.decision_id, correlation_id=correlation_id, actor=actor))
    await credit_china.stage_upsert(uow, publication, settings)
    return publication


async def approve(
    uow: UnitOfWork,
    publication: Publication,
    *,
    published_on: date | None,
    actor: str,
    settings: DisclosureSettings,
    correlation_id: str | None,
) -> Publication:
    """审核发布: the editor approves the redacted text; an earlier ``published_on`` (补录) records when it went out."""
    today = local_today(settings.timezone)
    day = published_on or today
    check_published_on(day, decided_on=publication.decided_on, today=today)
    return await publish(uow, publication, actor=actor, today=day, settings=settings, correlation_id=correlation_id)


EDITABLE = {
    "party_name": "public_party_name",
    "facts": "public_facts",
    "legal_basis": "public_legal_basis",
    "violation_type": "public_violation_type",
}


async def edit_publication(
    uow: UnitOfWork,
    publication: Publication,
    changes: dict[str, str],
    *,
    unredact_reason: str | None,
    actor: str,
    settings: DisclosureSettings,
) -> Publication:
    """编辑公示内容: an editor may change the redacted text, but never silently put back what redaction removes."""
    if publication.status == "withdrawn":
        raise Conflict("已撤回的公示不能编辑 A withdrawn publication cannot be edited", slug="publication-withdrawn")
    reintroduced = _detected_items(publication, changes)
    if reintroduced and not unredact_reason:
        raise Invalid(
            "新文本包含应隐去的个人信息，恢复须说明理由 The new text contains items redaction removes; "
            "give unredact_reason to publish them",
            slug="unredaction-needs-reason",
            fields=reintroduced,
        )
    for field, text in changes.items():
        if field == "penalty_summary":
            publication.public_penalty = {**publication.public_penalty, "summary": text}
        else:
            setattr(publication, EDITABLE[field], text)
    publication.version += 1
    await audit(
        uow,
        publication,
        actor=actor,
        action="edited",
        data={"fields": sorted(changes), "unredacted": reintroduced, "reason": unredact_reason},
    )
    if publication.status == "published":
        await credit_china.stage_upsert(uow, publication, settings)  # the platform gets the corrected text
    return publication


def _detected_items(publication: Publication, changes: dict[str, str]) -> dict[str, list[str]]:
    """Per changed field, the kinds of item automatic redaction would remove from the new text."""
    party = party_facts(PartySnapshot.model_validate(publication.decision["party"]))
    found = {field: redact_text(text, party=party).findings for field, text in changes.items()}
    return {field: sorted({f.category.value for f in items}) for field, items in found.items() if items}


async def mark_overdue(uow: UnitOfWork, *, today: date) -> list[Publication]:
    """公示逾期: emit once, on the first day past the due date (or the first check after it) for each pending one."""
    query = select(Publication).where(
        Publication.status == "pending",
        col(Publication.due_on) < today,
        col(Publication.overdue_notified_on).is_(None),
    )
    overdue = list((await uow.session.execute(query.with_for_update(skip_locked=True))).scalars())
    for publication in overdue:
        publication.overdue_notified_on = today
        await audit(
            uow,
            publication,
            actor="system:deadline-watch",
            action="overdue",
            data={"due_on": publication.due_on.isoformat()},
        )
        payload = PublicationOverdueV1(
            publication_id=publication.id,
            decision_id=publication.decision_id,
            document_number=publication.document_number,
            due_on=publication.due_on,
        )
        uow.emit(CloudEvent.wrap(payload, subject=publication.decision_id, actor="system:deadline-watch"))
    return overdue


async def has_publication(uow: UnitOfWork, decision_id: str) -> bool:
    """Whether the decision has its publication already (one column read, no object)."""
    found = await uow.session.execute(select(Publication.id).where(Publication.decision_id == decision_id))
    return found.first() is not None


async def find_by_decision(uow: UnitOfWork, decision_id: str) -> Publication | None:
    found = await uow.session.execute(select(Publication).where(Publication.decision_id == decision_id))
    return found.scalars().first()


async def get_publication(uow: UnitOfWork, publication_id: str) -> Publication:
    found = await uow.session.get(Publication, publication_id)
    if found is None:
        raise NotFound(f"公示不存在 Publication {publication_id} not found")
    return found
