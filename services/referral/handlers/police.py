"""The police liaison side (公安联络): the caller's unit, and the page of referrals changed after a cursor."""

from __future__ import annotations

from services.referral.handlers.changes import police_feed
from services.referral.handlers.deadlines import Deadlines
from services.referral.handlers.read_models import police_views
from services.referral.schemas import ReferralPolice
from shared.auth import Principal
from shared.errors import Forbidden
from shared.messaging import UnitOfWork


def unit_of(caller: Principal) -> str:
    """The caller's unit; a token naming none is refused before any lookup (403, not 404)."""
    if not caller.unit:
        raise Forbidden("令牌未指明公安单位 The token names no police unit", slug="police-unit-missing")
    return caller.unit


async def changed_referrals(
    uow: UnitOfWork, deadlines: Deadlines, caller: Principal, *, after_seq: int, limit: int
) -> tuple[list[ReferralPolice], int]:
    """The unit's referrals changed after ``after_seq`` in their current state, and the position of the page's
    last change (``after_seq`` itself when nothing changed)."""
    rows = await police_feed(uow.session, unit=unit_of(caller), after_seq=after_seq, limit=limit)
    items = await police_views(uow, deadlines, [referral for referral, _ in rows])
    return items, rows[-1][1] if rows else after_seq
