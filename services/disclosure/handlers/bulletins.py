"""Monitoring bulletins (监测简报) kept for the public pages, as monitoring published them."""

from __future__ import annotations

from services.disclosure.tables import Bulletin
from shared.contracts.events import BulletinPublishedV1
from shared.messaging import UnitOfWork


async def store_bulletin(uow: UnitOfWork, published: BulletinPublishedV1) -> None:
    """Kept once: a bulletin is published once, and a redelivered event changes nothing."""
    if await uow.session.get(Bulletin, published.bulletin_id) is None:
        uow.session.add(
            Bulletin(
                id=published.bulletin_id,
                kind=published.kind,
                period_start=published.period_start,
                period_end=published.period_end,
                title=published.title,
                summary=published.summary,
                html=published.html,
            )
        )
