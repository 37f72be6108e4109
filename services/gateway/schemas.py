"""Request and answer models of the gateway's own routes: the token issuer and the admin API of its accounts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.fields import Text

# --- tokens (/auth/token) -----------------------------------------------------------------------------------


class TokenCreate(BaseModel):
    """An OAuth2 token request (``application/x-www-form-urlencoded``)."""

    grant_type: Text | None = Field(
        default=None, description="`password` (staff) or `client_credentials` (police clients)"
    )
    username: Text | None = Field(default=None, description="Staff user name (password grant)")
    password: Text | None = Field(default=None, description="Staff password (password grant)")
    client_id: Text | None = Field(default=None, description="Client id, unless sent with HTTP Basic")
    client_secret: Text | None = Field(default=None, description="Client secret, unless sent with HTTP Basic")
    scope: Text | None = Field(default=None, description="Ignored: access follows the account's roles")


class TokenPublic(BaseModel):
    """An access token (访问令牌), RFC 6749 §5.1."""

    access_token: str = Field(description="A JWT to send as `Authorization: Bearer <token>`")
    token_type: str = Field(default="bearer", examples=["bearer"], description="Always `bearer`")
    expires_in: int = Field(description="Seconds until the token expires")


# --- staff users (/api/v1/admin/users) ----------------------------------------------------------------------


class UserPublic(BaseModel):
    """A staff account (工作人员账户), without its password hash."""

    username: str = Field(description="Login name")
    roles: list[str] = Field(description="Roles (officer, head, legal_reviewer, …)")
    team: str | None = Field(description="执法队 of an officer; null for others")
    active: bool = Field(description="false: deactivated (停用), cannot sign in, its tokens are refused")
    created_at: datetime = Field(description="When the account was added")
    tokens_revoked_at: datetime | None = Field(description="When its tokens were last ended")


class UserList(BaseModel):
    """A page of staff accounts, in creation order."""

    items: list[UserPublic] = Field(description="The accounts of this page")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


class PasswordReset(BaseModel):
    """The new password; without it one is generated (重置密码)."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=8, max_length=200, description="The new password")


class NewPasswordPublic(BaseModel):
    """A reset password, shown once (``Cache-Control: no-store``)."""

    username: str = Field(description="Login name")
    password: str = Field(description="The new password, shown only in this answer")


# --- machine clients (/api/v1/admin/clients) ----------------------------------------------------------------


class ClientPublic(BaseModel):
    """A machine client (e.g. a police unit's liaison system, 公安联络系统), without its secret."""

    client_id: str = Field(description="Client id")
    role: str = Field(description="Its one role (police for a police unit's system)")
    unit: str | None = Field(description="公安单位 a police client speaks for")
    active: bool = Field(description="false: deactivated (停用), cannot get tokens, its tokens are refused")
    created_at: datetime = Field(description="When the client was added")
    tokens_revoked_at: datetime | None = Field(description="When its tokens were last ended")


class ClientList(BaseModel):
    """A page of machine clients, in creation order."""

    items: list[ClientPublic] = Field(description="The clients of this page")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


class NewSecretPublic(BaseModel):
    """A rotated client secret, shown once (``Cache-Control: no-store``)."""

    client_id: str = Field(description="Client id")
    client_secret: str = Field(description="The new secret, shown only in this answer; the old one no longer works")
