"""Event entry points of the disclosure service."""

from __future__ import annotations

from datetime import date

from services.disclosure.handlers import bulletins as bulletins_handler
from services.disclosure.handlers import draws as draws_handler
from services.disclosure.handlers import officers_public, publications, withdrawal
from services.disclosure.settings import DisclosureSettings
from shared.contracts import CloudEvent
from shared.contracts.events import (
    BulletinPublishedV1,
    CaseFiledV1,
    DecisionAmendedV1,
    DecisionIssuedV1,
    DecisionRevokedV1,
    InspectionDrawCommittedV1,
    InspectionDrawExecutedV1,
    InspectionRatesChangedV1,
    OfficerChangedV1,
    OfficerDeactivatedV1,
    OfficerRegisteredV1,
    PlannedInspectionCarriedOutV1,
)
from shared.messaging import Subscription, UnitOfWork
from shared.workdays import WorkCalendar

DECISIONS_CONSUMER = "disclosure.decisions"
BULLETINS_CONSUMER = "disclosure.bulletins"
DRAWS_CONSUMER = "disclosure.draws"
OFFICERS_CONSUMER = "disclosure.officers"

# Every consumer name of this service, for its dead-letter topic (<consumer>.dlq).
CONSUMERS: tuple[str, ...] = (DECISIONS_CONSUMER, BULLETINS_CONSUMER, DRAWS_CONSUMER, OFFICERS_CONSUMER)


def subscriptions(settings: DisclosureSettings, calendar: WorkCalendar) -> list[Subscription]:
    decisions = Subscription(DECISIONS_CONSUMER)

    def today() -> date:
        return publications.local_today(settings.timezone)

    async def on_issued(uow: UnitOfWork, event: CloudEvent, payload: DecisionIssuedV1) -> None:
        if not await publications.has_publication(uow, payload.decision_id):
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
    return [decisions, bulletins, officers, draw_subscription()]


def draw_subscription() -> Subscription:
    """双随机、一公开: each draw event published on receipt."""
    draws = Subscription(DRAWS_CONSUMER)

    async def on_committed(uow: UnitOfWork, event: CloudEvent, payload: InspectionDrawCommittedV1) -> None:
        await draws_handler.draw_committed(uow, payload)

    async def on_executed(uow: UnitOfWork, event: CloudEvent, payload: InspectionDrawExecutedV1) -> None:
        await draws_handler.draw_executed(uow, payload)

    async def on_carried_out(uow: UnitOfWork, event: CloudEvent, payload: PlannedInspectionCarriedOutV1) -> None:
        await draws_handler.inspection_carried_out(uow, payload)

    async def on_filed(uow: UnitOfWork, event: CloudEvent, payload: CaseFiledV1) -> None:
        await draws_handler.case_filed(uow, payload)

    draws.on(InspectionDrawCommittedV1, on_committed)
    draws.on(InspectionDrawExecutedV1, on_executed)
    draws.on(PlannedInspectionCarriedOutV1, on_carried_out)

    async def on_rates(uow: UnitOfWork, event: CloudEvent, payload: InspectionRatesChangedV1) -> None:
        await draws_handler.rates_changed(uow, payload)

    draws.on(CaseFiledV1, on_filed)
    draws.on(InspectionRatesChangedV1, on_rates)
    return draws
