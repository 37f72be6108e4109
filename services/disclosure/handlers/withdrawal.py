"""Withdrawal (撤回) of a published decision that was revoked or amended, and republication of an amended one.

行政处罚法 §48 ¶2: a decision changed, revoked, found unlawful or void is withdrawn within 3 working days and the
reason published. Here the content leaves the public responses as soon as the event arrives; the notice records
the legal due date next to the actual one.
"""

from __future__ import annotations

import uuid
from datetime import date

from services.disclosure.domain.deadlines import publication_due_date, withdrawal_due_date
from services.disclosure.handlers import credit_china
from services.disclosure.handlers.publications import (
    apply_decision,
    audit,
    create_publication,
    find_by_decision,
    publish_or_hold,
)
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import Publication, WithdrawalNotice
from shared.contracts import CloudEvent
from shared.contracts.events import DecisionAmendedV1, PublicationWithdrawnV1
from shared.decision_kinds import kind_rule
from shared.messaging import UnitOfWork
from shared.workdays import Calendar


async def withdraw(
    uow: UnitOfWork,
    publication: Publication,
    *,
    cause: str,
    reason: str,
    changed_on: date,
    today: date,
    actor: str,
    calendar: Calendar,
    settings: DisclosureSettings,
    correlation_id: str | None,
) -> WithdrawalNotice | None:
    """撤回: the content leaves every public response at once; a notice with the reason stays public."""
    was_published = publication.status == "published"
    publication.withdrawn_on, publication.withdrawal_reason = today, reason
    publication.version += 1
    await audit(
        uow,
        publication,
        actor=actor,
        action=f"withdrawn:{cause}",
        data={"reason": reason, "was_published": was_published},
    )
    if not was_published:
        return None  # nothing was public: no notice, nothing to send
    due = withdrawal_due_date(calendar, changed_on=changed_on, working_days=settings.withdrawal_working_days)
    notice = WithdrawalNotice(
        id=str(uuid.uuid4()),
        publication_id=publication.id,
        decision_id=publication.decision_id,
        kind=publication.kind,
        document_number=publication.document_number,
        cause=cause,
        reason=reason,
        changed_on=changed_on,
        due_on=due,
        withdrawn_on=today,
    )
    uow.session.add(notice)
    payload = PublicationWithdrawnV1(
        publication_id=publication.id, decision_id=publication.decision_id, withdrawn_on=today, reason=reason
    )
    uow.emit(CloudEvent.wrap(payload, subject=publication.decision_id, correlation_id=correlation_id, actor=actor))
    if cause == "revoked":
        await credit_china.stage_delete(uow, publication)
    return notice


async def revoke(
    uow: UnitOfWork,
    decision_id: str,
    *,
    reason: str,
    revoked_on: date,
    today: date,
    event: CloudEvent,
    calendar: Calendar,
    settings: DisclosureSettings,
) -> Publication | None:
    publication = await find_by_decision(uow, decision_id)
    if publication is None or publication.status == "withdrawn":
        return publication
    await withdraw(
        uow,
        publication,
        cause="revoked",
        reason=reason,
        changed_on=revoked_on,
        today=today,
        actor=event.actor or "system",
        calendar=calendar,
        settings=settings,
        correlation_id=event.correlationid,
    )
    publication.status = "withdrawn"
    return publication


async def amend(
    uow: UnitOfWork,
    amended: DecisionAmendedV1,
    *,
    today: date,
    event: CloudEvent,
    calendar: Calendar,
    settings: DisclosureSettings,
) -> Publication | None:
    """An amended decision: the old text is withdrawn with the reason, the new one republished."""
    publication = await find_by_decision(uow, amended.decision_id)
    if publication is None:
        return await create_publication(
            uow, amended.decision, calendar=calendar, settings=settings, event=event, today=today
        )
    if publication.status == "withdrawn":
        return publication  # a revoked decision is not brought back by a later amendment
    await withdraw(
        uow,
        publication,
        cause="amended",
        reason=amended.reason,
        changed_on=amended.amended_on,
        today=today,
        actor=event.actor or "system",
        calendar=calendar,
        settings=settings,
        correlation_id=event.correlationid,
    )
    apply_decision(publication, amended.decision, settings)
    # The kind's period as classified on the decision date, counted from the amendment.
    rule = kind_rule(settings, amended.decision.kind, amended.decision.decided_on)
    due = publication_due_date(calendar, decided_on=amended.amended_on, working_days=rule.publication_working_days)
    publication.due_on, publication.due_provisional = due.due_on, due.provisional
    publication.status, publication.published_on, publication.on_time = "pending", None, None
    publication.withdrawn_on = publication.withdrawal_reason = publication.overdue_notified_on = None
    if publication.publish_mode == "auto":
        await publish_or_hold(uow, publication, today=today, settings=settings, correlation_id=event.correlationid)
    return publication
