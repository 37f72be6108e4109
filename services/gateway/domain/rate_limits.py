"""Rate-limit arithmetic (限流): per client and kind of request, ``N/period`` as the settings write it.

Counters live in this gateway process's memory: with several gateway replicas each enforces its own share, so the
effective limit is the configured one times the replica count. A shared store (the ``limits`` library also speaks
Redis) would make it exact if that ever matters.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Literal

from limits import RateLimitItem, parse

from shared.errors import TooMany

LimitKind = Literal["public", "authenticated", "token"]


class RateLimiter:
    """A limit per client and kind of request, ``N/period`` as the settings write it (``600/minute``).

    The generic cell rate algorithm (GCRA): each key keeps one number, the time its allowance is used up to
    (the "theoretical arrival time"). A request is let through while that time lies less than one period ahead,
    and moves it on by period / N. A client may use its N requests at once, and afterwards one every period / N;
    in any window of one period it never gets more than N plus what trickled back meanwhile. Checking costs the
    same whatever N is (a moving window keeps one timestamp per request), and nothing awaits between the read and
    the write, so the event loop needs no lock.
    """

    # Past this many keys, those whose allowance has fully come back are dropped (they would be let through anyway).
    SWEEP_ABOVE = 10_000

    def __init__(
        self, *, public: str, authenticated: str, token: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._items: dict[LimitKind, RateLimitItem] = {
            "public": parse(public),
            "authenticated": parse(authenticated),
            "token": parse(token),
        }
        # Per kind: the period and the interval one request uses up (period / N), worked out once.
        self._rates = {
            kind: (float(item.get_expiry()), item.get_expiry() / item.amount) for kind, item in self._items.items()
        }
        self._clock = clock
        self._used_until: dict[tuple[LimitKind, str], float] = {}
        self._sweep_at = self.SWEEP_ABOVE

    async def check(self, kind: LimitKind, key: str) -> None:
        """Count one request; past the limit raise :class:`TooMany` saying when to come back."""
        period, interval = self._rates[kind]
        now = self._clock()
        used_until = max(self._used_until.get((kind, key), now), now)
        if used_until + interval - now <= period:
            self._used_until[(kind, key)] = used_until + interval
            if len(self._used_until) > self._sweep_at:
                self._sweep(now)
            return
        retry_after = max(1, math.ceil(used_until + interval - period - now))
        raise TooMany(
            f"请求过于频繁 Rate limit of {self._items[kind]} exceeded; retry after {retry_after} s",
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
        )

    def _sweep(self, now: float) -> None:
        self._used_until = {key: until for key, until in self._used_until.items() if until > now}
        # Sweep again once the table has doubled, so a crowd of live keys is not swept on every request.
        self._sweep_at = max(self.SWEEP_ABOVE, 2 * len(self._used_until))
