"""The change log behind the police cursor: one row per change, in the change's own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.referral.domain.steps import Status
from services.referral.tables import Referral, ReferralChange

# Fixed key for pg_advisory_xact_lock: the ASCII bytes of "glrefchg" as a signed bigint.
_PG_LOCK_KEY = int.from_bytes(b"glrefchg", "big")

# Steps the police do not see in a referral's history (the record's creation is internal to the bureau).
_INTERNAL_STEPS = frozenset({"created"})


async def record_change(
    session: AsyncSession, referral: Referral, *, step: str, at: datetime, actor: str, data: dict[str, Any]
) -> ReferralChange:
    """Append one change. On PostgreSQL writers are serialised until commit, so ``seq`` order is commit order
    and a reader that has seen ``seq`` n never later finds a committed change below n (the cursor skips nothing).
    SQLite has a single writer already."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    change = ReferralChange(
        referral_id=referral.id, police_unit=referral.police_unit, step=step, at=at, actor=actor, data=data
    )
    session.add(change)
    await session.flush()
    return change


async def police_feed(session: AsyncSession, *, unit: str, after_seq: int, limit: int) -> list[tuple[Referral, int]]:
    """Referrals of ``unit`` sent to the police and changed after ``after_seq``, by their latest change, oldest
    first. Each referral appears once, in its current state, at the position of its latest change."""
    latest = (
        select(ReferralChange.referral_id, func.max(ReferralChange.seq).label("last_seq"))
        .where(col(ReferralChange.police_unit) == unit, col(ReferralChange.seq) > after_seq)
        .group_by(col(ReferralChange.referral_id))
        .subquery()
    )
    query = (
        select(Referral, latest.c.last_seq)
        .join(latest, col(Referral.id) == latest.c.referral_id)
        .where(col(Referral.police_unit) == unit, col(Referral.status) != Status.APPROVED.value)
        .order_by(latest.c.last_seq)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return [(row[0], int(row[1])) for row in rows]


async def histories(session: AsyncSession, referral_ids: Sequence[str]) -> dict[str, list[ReferralChange]]:
    """The police-visible history of each referral, oldest first."""
    found: dict[str, list[ReferralChange]] = {rid: [] for rid in referral_ids}
    if not referral_ids:
        return found
    query = (
        select(ReferralChange)
        .where(col(ReferralChange.referral_id).in_(referral_ids), col(ReferralChange.step).not_in(_INTERNAL_STEPS))
        .order_by(col(ReferralChange.seq))
    )
    for change in (await session.execute(query)).scalars():
        found[change.referral_id].append(change)
    return found
