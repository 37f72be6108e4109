"""The gateway's own tables: the accounts of its built-in token issuer, and (from ``shared.audit``) its audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from shared.audit import AuditEntry
from shared.guessing import FailureCount

__all__ = ["AuditEntry", "GatewayClient", "GatewayUser", "LoginFailure"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class GatewayUser(SQLModel, table=True):
    """A member of the bureau's staff who signs in with a password (OAuth2 password grant)."""

    __tablename__ = "gateway_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True)
    password_hash: str = Field(max_length=255)
    # Comma-separated ``shared.auth.Role`` values, e.g. "officer,head".
    roles: str = Field(max_length=255)
    team: str | None = Field(default=None, max_length=100)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    # Tokens carry the generation they were issued in; raising it ends every earlier token of the account.
    token_generation: int = 0
    tokens_revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))

    def role_names(self) -> list[str]:
        return [role for role in self.roles.split(",") if role]


class GatewayClient(SQLModel, table=True):
    """A machine client, above all a police unit's liaison system (OAuth2 client credentials grant)."""

    __tablename__ = "gateway_client"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=100, unique=True)
    secret_hash: str = Field(max_length=255)
    role: str = Field(max_length=50)
    # The police unit (公安机关) the client speaks for; referrals are scoped to it.
    unit: str | None = Field(default=None, max_length=200)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    # Tokens carry the generation they were issued in; raising it ends every earlier token of the account.
    token_generation: int = 0
    tokens_revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class LoginFailure(FailureCount, table=True):
    """Failed sign-ins counted against one key: an account name (``user:…``, ``client:…``) or an address (``ip:…``).

    Times are Unix seconds, so SQLite and PostgreSQL compare them alike. In the gateway's database, so every gateway
    replica sees the same counts.
    """

    __tablename__ = "gateway_login_failure"
