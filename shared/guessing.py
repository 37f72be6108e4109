"""Guessing credentials: failures counted per name and per address in a service's database, throttling then locking.

The rule is the gateway's sign-in rule (docs/security.md "Guessing passwords"): after ``throttle_after`` failures
of one key each further try must wait (the first delay, doubling, up to the maximum); after ``lockout_after`` the
key is locked for ``lockout_seconds``, which is also how long a failure counts. Address keys (``ip:…``) have their
own, higher thresholds. The counts live in the database so that every replica of the service enforces the same.
A service keeps them in its own table built on :class:`FailureCount`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

KEY_MAX_LENGTH = 300


def address_key(address: str) -> str:
    return f"ip:{address}"[:KEY_MAX_LENGTH]


def name_key(kind: str, name: str) -> str:
    """Names that do not exist are counted alike, so the answers never tell whether one exists."""
    return f"{kind}:{name}"[:KEY_MAX_LENGTH]


class FailureCount(SQLModel):
    """Failures counted against one key. Times are Unix seconds, so SQLite and PostgreSQL compare them alike."""

    key: str = Field(max_length=KEY_MAX_LENGTH, primary_key=True)
    failures: int = 0
    first_failed_at: float = 0.0
    last_failed_at: float = 0.0
    locked_until: float | None = None


@dataclass(frozen=True)
class GuessPolicy:
    """When failures slow a name (or an address) down, and when they lock it."""

    throttle_after: int = 5
    lockout_after: int = 10
    lockout_seconds: int = 900
    first_delay_seconds: float = 1.0
    max_delay_seconds: int = 60
    source_throttle_after: int = 20
    source_lockout_after: int = 50

    def limits(self, key: str) -> tuple[int, int]:
        if key.startswith("ip:"):
            return self.source_throttle_after, self.source_lockout_after
        return self.throttle_after, self.lockout_after

    def delay(self, key: str, failures: int) -> float:
        """Seconds to wait after the last failure: 0 below the threshold, then doubling up to the maximum."""
        throttle_after, _ = self.limits(key)
        if failures < throttle_after:
            return 0.0
        return float(min(self.first_delay_seconds * 2 ** (failures - throttle_after), self.max_delay_seconds))


@dataclass(frozen=True)
class Barrier:
    """Why a try may not be made now, and for how many seconds."""

    locked: bool
    retry_after: int


@dataclass(frozen=True)
class Standing:
    """What the counts say before a try: a barrier, if any, and which keys have failures on record."""

    barrier: Barrier | None
    counted: frozenset[str]


class GuessGuard:
    """Counts failures in ``table`` (a :class:`FailureCount` table of the service's database)."""

    def __init__(self, policy: GuessPolicy, table: type[FailureCount], clock: Callable[[], float] = time.time) -> None:
        self.policy, self.table, self.clock = policy, table, clock

    def _current(self, row: FailureCount, now: float) -> bool:
        """Whether the row still counts: locked, or its first failure within the lockout period."""
        if row.locked_until is not None:
            return row.locked_until > now
        return now - row.first_failed_at < self.policy.lockout_seconds

    async def standing(self, session: AsyncSession, keys: Sequence[str]) -> Standing:
        """Checked before any password is: whether any of ``keys`` is locked or must still wait."""
        now = self.clock()
        rows = (await session.scalars(select(self.table).where(col(self.table.key).in_(keys)))).all()
        locked, wait = False, 0.0
        for row in rows:
            if not self._current(row, now):
                continue
            if row.locked_until is not None:
                locked, wait = True, max(wait, row.locked_until - now)
            else:
                wait = max(wait, row.last_failed_at + self.policy.delay(row.key, row.failures) - now)
        barrier = Barrier(locked=locked, retry_after=max(1, math.ceil(wait))) if wait > 0 else None
        return Standing(barrier, frozenset(row.key for row in rows))

    async def failed(self, session: AsyncSession, keys: Sequence[str]) -> None:
        """Count one failure against each key, in one commit; a key that reaches its lockout threshold is locked."""
        now = self.clock()
        try:
            await self._count(session, keys, now)
        except IntegrityError:  # another replica counted the first failure of a key at the same moment
            await session.rollback()
            await self._count(session, keys, now)

    async def _count(self, session: AsyncSession, keys: Sequence[str], now: float) -> None:
        for key in keys:
            row = await session.get(self.table, key, with_for_update=True)
            if row is None:
                row = self.table(key=key, failures=0, first_failed_at=now)
            elif not self._current(row, now):
                row.failures, row.first_failed_at, row.locked_until = 0, now, None
            row.failures += 1
            row.last_failed_at = now
            if row.failures >= self.policy.limits(key)[1]:
                row.locked_until = now + self.policy.lockout_seconds
            session.add(row)
        await session.commit()

    async def succeeded(self, session: AsyncSession, key: str) -> None:
        """A success clears its name's count (not its address's: one's own name must not wipe out the guesses
        made at others'). Committed."""
        await session.execute(delete(self.table).where(col(self.table.key) == key))
        await session.commit()


async def clear_counts(session: AsyncSession, table: type[FailureCount], keys: Sequence[str]) -> int:
    """Lift the counts and any lockout of ``keys`` before they end by themselves (an operator's decision); how many
    were cleared. Not committed."""
    result = await session.execute(delete(table).where(col(table.key).in_(keys)))
    return int(getattr(result, "rowcount", 0) or 0)
