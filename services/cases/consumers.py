"""Event entry points of this service: each Subscription names a consumer (its inbox and Kafka consumer group)."""

from __future__ import annotations

from services.cases.domain.deadlines import Calendar
from services.cases.domain.local_time import local_date
from services.cases.handlers import leads, publicity, referrals
from services.cases.settings import CasesSettings
from shared.contracts import CloudEvent
from shared.contracts.events import (
    ExceedanceDetectedV1,
    PublicationOverdueV1,
    PublicationPublishedV1,
    PublicationWithdrawnV1,
    ReferralAcceptedV1,
    ReferralDeclinedV1,
    ReferralReceivedV1,
    ReferralReturnedV1,
)
from shared.messaging import Subscription, UnitOfWork

Outcome = ReferralReceivedV1 | ReferralAcceptedV1 | ReferralDeclinedV1 | ReferralReturnedV1

EXCEEDANCE_CONSUMER = "cases.exceedances"
REFERRAL_CONSUMER = "cases.referral-outcomes"
PUBLICITY_CONSUMER = "cases.publicity"

# Every consumer name of this service, for its dead-letter topic (<consumer>.dlq).
CONSUMERS: tuple[str, ...] = (EXCEEDANCE_CONSUMER, REFERRAL_CONSUMER, PUBLICITY_CONSUMER)


def _actor(event: CloudEvent) -> str:
    return event.actor or event.source


def subscriptions(settings: CasesSettings, calendar: Calendar) -> list[Subscription]:
    exceedances = Subscription(EXCEEDANCE_CONSUMER)

    async def on_exceedance(uow: UnitOfWork, event: CloudEvent, payload: ExceedanceDetectedV1) -> None:
        # The lead arrives with the event (its time, on the bureau's calendar), not at the end of the measured
        # period: a reading reported late is still a lead received the day it came in.
        arrived = local_date(event.time)
        await leads.lead_from_exceedance(
            uow, payload, received_on=arrived, settings=settings, calendar=calendar, actor=_actor(event)
        )

    exceedances.on(ExceedanceDetectedV1, on_exceedance)
    return [exceedances, _referral_outcomes(settings, calendar), _publicity()]


def _referral_outcomes(settings: CasesSettings, calendar: Calendar) -> Subscription:
    sub = Subscription(REFERRAL_CONSUMER)

    async def outcome(uow: UnitOfWork, event: CloudEvent, payload: Outcome, kind: str, note: str) -> None:
        await referrals.referral_outcome(
            uow,
            payload.case_id,
            payload.referral_id,
            outcome=kind,
            on=local_date(payload.at),
            note=note,
            actor=_actor(event),
            settings=settings,
            calendar=calendar,
        )

    async def received(uow: UnitOfWork, event: CloudEvent, payload: ReferralReceivedV1) -> None:
        await outcome(uow, event, payload, "received", f"{payload.police_unit} 签收（{payload.receiver}）")

    async def accepted(uow: UnitOfWork, event: CloudEvent, payload: ReferralAcceptedV1) -> None:
        await outcome(uow, event, payload, "accepted", f"{payload.police_unit} 立案 {payload.police_case_number}")

    async def declined(uow: UnitOfWork, event: CloudEvent, payload: ReferralDeclinedV1) -> None:
        await outcome(uow, event, payload, "declined", f"{payload.police_unit} 不予立案：{payload.reason}")

    async def returned(uow: UnitOfWork, event: CloudEvent, payload: ReferralReturnedV1) -> None:
        await outcome(uow, event, payload, "returned", f"{payload.police_unit} 退回：{payload.reason}")

    sub.on(ReferralReceivedV1, received)
    sub.on(ReferralAcceptedV1, accepted)
    sub.on(ReferralDeclinedV1, declined)
    sub.on(ReferralReturnedV1, returned)
    return sub


def _publicity() -> Subscription:
    sub = Subscription(PUBLICITY_CONSUMER)

    async def published(uow: UnitOfWork, event: CloudEvent, payload: PublicationPublishedV1) -> None:
        entry = {"event": "published", "publication_id": payload.publication_id, "on": payload.published_on.isoformat()}
        await publicity.note_publicity(
            uow, payload.decision_id, {**entry, "on_time": payload.on_time}, actor=_actor(event)
        )

    async def withdrawn(uow: UnitOfWork, event: CloudEvent, payload: PublicationWithdrawnV1) -> None:
        entry = {"event": "withdrawn", "publication_id": payload.publication_id, "on": payload.withdrawn_on.isoformat()}
        await publicity.note_publicity(
            uow, payload.decision_id, {**entry, "reason": payload.reason}, actor=_actor(event)
        )

    async def overdue(uow: UnitOfWork, event: CloudEvent, payload: PublicationOverdueV1) -> None:
        entry = {"event": "overdue", "publication_id": payload.publication_id, "due_on": payload.due_on.isoformat()}
        await publicity.note_publicity(uow, payload.decision_id, entry, actor=_actor(event))

    sub.on(PublicationPublishedV1, published)
    sub.on(PublicationWithdrawnV1, withdrawn)
    sub.on(PublicationOverdueV1, overdue)
    return sub
