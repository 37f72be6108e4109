"""Transactional outbox, relay, inbox, dead letters, and the kafka and inprocess transports."""

from shared.messaging.consumer import EventConsumer, Subscription
from shared.messaging.relay import OutboxRelay
from shared.messaging.runtime import Messaging
from shared.messaging.transport import InProcessBus
from shared.messaging.uow import UnitOfWork

__all__ = ["EventConsumer", "InProcessBus", "Messaging", "OutboxRelay", "Subscription", "UnitOfWork"]
