"""A service's event handlers without the service: its database (a copy of the migrated template, see tests/stack.py)
and units of work on it. Handlers are called as the consumer calls them, on a real SQLite database; nothing else of
the service starts (no HTTP app, no consumers, no relay), so a handler's test takes milliseconds."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts import CloudEvent
from shared.contracts.envelope import EventPayload
from shared.db import create_engine, session_factory
from shared.messaging import Subscription, UnitOfWork
from tests.stack import copy_sqlite_template


@dataclass
class Units:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    def __call__(self) -> UnitOfWork:
        """A unit of work as a handler gets it: one transaction, rolled back unless committed."""
        return UnitOfWork(self.sessions)

    async def deliver(self, subscription: Subscription, payload: EventPayload, *, subject: str) -> CloudEvent:
        """Run the subscription's handler of ``payload`` in a committed unit, as one delivery; returns the event
        (deliver it again with ``redeliver``). What the handler emitted is in the outbox table."""
        event = CloudEvent.wrap(payload, subject=subject, actor="tester")
        await self.redeliver(subscription, event)
        return event

    async def redeliver(self, subscription: Subscription, event: CloudEvent) -> None:
        payload_type, handler = subscription.handlers[event.type]
        async with self() as uow:
            await handler(uow, event, payload_type.model_validate(event.data))
            await uow.commit()


@contextlib.asynccontextmanager
async def units_of(service: str, data_dir: Path) -> AsyncIterator[Units]:
    """Units of work on a fresh, migrated database of ``service`` under ``data_dir``."""
    url = f"sqlite+aiosqlite:///{data_dir / f'{service}.db'}"
    await copy_sqlite_template(service, url)
    engine = create_engine(url)
    try:
        yield Units(engine, session_factory(engine))
    finally:
        await engine.dispose()
