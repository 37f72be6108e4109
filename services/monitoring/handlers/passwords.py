"""Station passwords (HJ 212 PW): argon2 hashes stored; a verified (MN, password, hash) is remembered.

Hashing is deliberately slow, so a station's password is checked once and then recognised from the cache until
its stored hash changes (a new password, or a restart). A wrong password, an unknown MN and a station without a
password all cost one argon2 verification of the same parameters, so the time of an answer does not tell which
MNs exist. Verifications run in their own few threads: a storm of guesses queues there, while the event loop (and
the default thread pool) go on serving the stations that are already recognised.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# Each verification holds ~19 MiB and one core for ~30 ms; two at a time keep a 2-core host answering.
VERIFY_THREADS = 2


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when there is no station hash, with the same parameters as a real one."""
    return _HASHER.hash("greenlaw-no-such-station")


def _verify(stored_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


class PasswordCache:
    def __init__(self, max_entries: int = 100_000) -> None:
        self._verified: dict[str, str] = {}
        self._max_entries = max_entries
        self._threads = ThreadPoolExecutor(VERIFY_THREADS, thread_name_prefix="station-password")

    @staticmethod
    def _key(code: str, password: str, stored_hash: str) -> str:
        return hashlib.sha256("\x1f".join((code, password, stored_hash)).encode()).hexdigest()

    async def verify(self, code: str, password: str, stored_hash: str | None) -> bool:
        """Whether ``password`` matches; without a stored hash (unknown MN, no password) a dummy one is checked."""
        loop = asyncio.get_running_loop()
        if not stored_hash:
            await loop.run_in_executor(self._threads, _verify, None, password)
            return False
        key = self._key(code, password, stored_hash)
        if self._verified.get(code) == key:
            return True
        if not await loop.run_in_executor(self._threads, _verify, stored_hash, password):
            return False
        if len(self._verified) >= self._max_entries:
            self._verified.clear()
        self._verified[code] = key
        return True

    async def warm_up(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._threads, _dummy_hash)

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
