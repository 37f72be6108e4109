"""Event entry points of the disclosure service."""

from __future__ import annotations

from services.disclosure import handlers
from services.disclosure.settings import DisclosureSettings
from shared.contracts import CloudEvent
from shared.contracts.events import DecisionIssuedV1
from shared.messaging import Subscription, UnitOfWork
from shared.workdays import WorkCalendar

DECISIONS_CONSUMER = "disclosure.decisions"

# Every consumer name of this service, for its dead-letter topic (<consumer>.dlq).
CONSUMERS: tuple[str, ...] = (DECISIONS_CONSUMER,)


def subscriptions(settings: DisclosureSettings, calendar: WorkCalendar) -> list[Subscription]:
    decisions = Subscription(DECISIONS_CONSUMER)

    async def on_issued(uow: UnitOfWork, event: CloudEvent, payload: DecisionIssuedV1) -> None:
        await handlers.create_publication(
            uow, payload, calendar=calendar, working_days=settings.publication_working_days, event=event
        )

    decisions.on(DecisionIssuedV1, on_issued)
    return [decisions]
