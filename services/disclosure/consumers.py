"""Event entry points of the disclosure service."""

from __future__ import annotations

from datetime import date

from services.disclosure.handlers import bulletins as bulletins_handler
from services.disclosure.handlers import officers_public, publications, withdrawal
from services.disclosure.settings import DisclosureSettings
from shared.contracts import CloudEvent
from shared.contracts.events import (
    BulletinPublishedV1,
    DecisionAmendedV1,
    DecisionIssuedV1,
    DecisionRevokedV1,
    OfficerChangedV1,
    OfficerDeactivatedV1,
    OfficerRegisteredV1,
)
from shared.messaging import Subscription, UnitOfWork
from shared.workdays import WorkCalendar

DECISIONS_CONSUMER = "disclosure.decisions"
BULLETINS_CONSUMER = "disclosure.bulletins"
OFFICERS_CONSUMER = "disclosure.officers"

# Every consumer name of this service, for its dead-letter topic (<consumer>.dlq).
CONSUMERS: tuple[str, ...] = (DECISIONS_CONSUMER, BULLETINS_CONSUMER, OFFICERS_CONSUMER)


def subscriptions(settings: DisclosureSettings, calendar: WorkCalendar) -> list[Subscription]:
    decisions = Subscription(DECISIONS_CONSUMER)

    def today() -> date:
        return publications.local_today(settings.timezone)

    async def on_issued(uow: UnitOfWork, event: CloudEvent, payload: DecisionIssuedV1) -> None:
        if await publications.find_by_decision(uow, payload.decision_id) is None:
            await publications.create_publication(
                uow, payload, calendar=calendar, settings=settings, event=event, today=today()
            )

    async def on_revoked(uow: UnitOfWork, event: CloudEvent, payload: DecisionRevokedV1) -> None:
        await withdrawal.revoke(
            uow,
            payload.decision_id,
            reason=payload.reason,
            revoked_on=payload.revoked_on,
            today=today(),
            event=event,
            calendar=calendar,
            settings=settings,
        )

    async def on_amended(uow: UnitOfWork, event: CloudEvent, payload: DecisionAmendedV1) -> None:
        await withdrawal.amend(uow, payload, today=today(), event=event, calendar=calendar, settings=settings)

    decisions.on(DecisionIssuedV1, on_issued)
    decisions.on(DecisionRevokedV1, on_revoked)
    decisions.on(DecisionAmendedV1, on_amended)

    bulletins = Subscription(BULLETINS_CONSUMER)

    async def on_bulletin(uow: UnitOfWork, event: CloudEvent, payload: BulletinPublishedV1) -> None:
        await bulletins_handler.store_bulletin(uow, payload)

    bulletins.on(BulletinPublishedV1, on_bulletin)

    officers = Subscription(OFFICERS_CONSUMER)

    async def on_officer(
        uow: UnitOfWork, event: CloudEvent, payload: OfficerRegisteredV1 | OfficerChangedV1 | OfficerDeactivatedV1
    ) -> None:
        await officers_public.record_officer(uow, event, payload)

    officers.on(OfficerRegisteredV1, on_officer)
    officers.on(OfficerChangedV1, on_officer)
    officers.on(OfficerDeactivatedV1, on_officer)
    return [decisions, bulletins, officers]
