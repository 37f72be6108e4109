"""Token rules (令牌): which zone an account's tokens act in, and when an account refuses a token it was issued."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Zone = Literal["staff", "police"]

# OAuth2 answers that mean a password or secret was checked and was wrong (or the account is unknown or inactive):
# only these count as a failed sign-in.
CREDENTIAL_ERRORS = frozenset({"invalid_grant", "invalid_client"})


def client_zone(role: str) -> Zone:
    """Police systems get the police zone; any other machine client acts in the staff zone with its one role."""
    return "police" if role == "police" else "staff"


@dataclass(frozen=True)
class AccountState:
    """What an account says about the tokens it was issued: refused all while inactive, and refused each one
    issued before its current generation (raised by a sign-out, a reset, a deactivation)."""

    active: bool
    generation: int

    def refuses(self, token_generation: int) -> bool:
        return not self.active or token_generation < self.generation
