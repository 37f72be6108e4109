"""The one argon2id configuration for stored secrets: staff passwords, police client secrets, station passwords.

OWASP's password storage configuration for argon2id (19 MiB of memory, 2 iterations, 1 lane): about 30 ms of one
core a hash here. Hashes keep their own parameters, so hashes made with other ones still verify.
"""

from __future__ import annotations

from argon2 import PasswordHasher

HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
