"""Event entry points of the referral service: each Subscription names a consumer (its inbox and consumer group)."""

from __future__ import annotations

from services.referral.handlers import referrals as handlers
from services.referral.settings import ReferralSettings
from shared.contracts import CloudEvent
from shared.contracts.events import ReferralRequestedV1
from shared.messaging import Subscription, UnitOfWork

REQUESTS_CONSUMER = "referral.requests"

# Every consumer name of this service, for its dead-letter topic (<consumer>.dlq).
CONSUMERS: tuple[str, ...] = (REQUESTS_CONSUMER,)


def subscriptions(_settings: ReferralSettings) -> list[Subscription]:
    requests = Subscription(REQUESTS_CONSUMER)

    async def on_requested(uow: UnitOfWork, event: CloudEvent, payload: ReferralRequestedV1) -> None:
        await handlers.create_from_request(uow, payload, event=event)

    requests.on(ReferralRequestedV1, on_requested)
    return [requests]
