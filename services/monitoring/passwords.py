"""Station passwords (HJ 212 PW): argon2 hashes stored; a verified (MN, password, hash) is remembered.

Hashing is deliberately slow, so a station's password is checked once and then recognised from the cache until
its stored hash changes (a new password, or a restart).
"""

from __future__ import annotations

import asyncio
import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


class PasswordCache:
    def __init__(self, max_entries: int = 100_000) -> None:
        self._verified: dict[str, str] = {}
        self._max_entries = max_entries

    @staticmethod
    def _key(code: str, password: str, stored_hash: str) -> str:
        return hashlib.sha256("\x1f".join((code, password, stored_hash)).encode()).hexdigest()

    async def verify(self, code: str, password: str, stored_hash: str | None) -> bool:
        if not stored_hash:
            return False
        key = self._key(code, password, stored_hash)
        if self._verified.get(code) == key:
            return True
        try:
            await asyncio.to_thread(_HASHER.verify, stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if len(self._verified) >= self._max_entries:
            self._verified.clear()
        self._verified[code] = key
        return True
