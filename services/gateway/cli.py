"""``greenlaw users …`` and ``greenlaw clients …``: accounts of the gateway's built-in token issuer (add, list,
deactivate, reactivate, reset a password or rotate a secret, sign out everywhere, unlock).

They open the gateway database named by ``GatewaySettings()`` (the SQLite file in ``GREENLAW_DATA_DIR`` in the
embedded mode, or ``GREENLAW_GATEWAY_DATABASE_URL``) and bring its schema up to date first. Changes are audited
with the operator's login name; running gateways refuse the ended tokens within ``account_refresh_seconds``.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from typing import Annotated

import typer
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.app import MIGRATIONS_DIR
from services.gateway.handlers import lifecycle
from services.gateway.handlers.accounts import add_client, add_user, configure_hashing, unlock
from services.gateway.handlers.lifecycle import Account, Actor, Step
from services.gateway.settings import GatewaySettings
from services.gateway.tables import GatewayClient, GatewayUser
from shared.auth import AccountKind
from shared.db import create_engine, migrate, session_factory
from shared.errors import DomainError

users_app = typer.Typer(help="Staff accounts (password grant).", no_args_is_help=True)
clients_app = typer.Typer(help="Machine clients such as police units (client credentials grant).", no_args_is_help=True)


# A callback makes each a command group even with one command, so ``add`` stays a subcommand when run alone.
@users_app.callback()
def users() -> None:
    """Staff accounts of the gateway's token issuer."""


@clients_app.callback()
def clients() -> None:
    """Machine clients of the gateway's token issuer."""


async def _in_transaction(action: Callable[[AsyncSession], Awaitable[str]]) -> str:
    settings = GatewaySettings()
    configure_hashing(settings)
    engine = create_engine(settings.resolved_database_url())
    try:
        await migrate(engine, MIGRATIONS_DIR)
        async with session_factory(engine)() as session:
            message = await action(session)
            await session.commit()
            return message
    finally:
        await engine.dispose()


def _run(action: Callable[[AsyncSession], Awaitable[str]]) -> None:
    try:
        typer.echo(asyncio.run(_in_transaction(action)))
    except DomainError as exc:
        typer.echo(f"错误 Error: {exc}", err=True)
        raise typer.Exit(code=1) from exc


@users_app.command("add")
def add_user_command(
    username: Annotated[str, typer.Option(help="Login name")],
    roles: Annotated[str, typer.Option(help="Comma-separated roles, e.g. officer,head")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    team: Annotated[str | None, typer.Option(help="Enforcement team (执法队伍) the user belongs to")] = None,
) -> None:
    """Add a staff user."""

    async def action(session: AsyncSession) -> str:
        user = await add_user(session, username=username, password=password, roles=roles, team=team)
        return f"已添加用户 Added user {user.username} with roles {user.roles}"

    _run(action)


@clients_app.command("add")
def add_client_command(
    client_id: Annotated[str, typer.Option(help="Client id")],
    secret: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    role: Annotated[str, typer.Option(help="The client's role")] = "police",
    unit: Annotated[str | None, typer.Option(help="Police unit, e.g. 西青公安分局")] = None,
) -> None:
    """Add a machine client, e.g. a police unit's liaison system."""

    async def action(session: AsyncSession) -> str:
        client = await add_client(session, client_id=client_id, secret=secret, role=role, unit=unit)
        return f"已添加客户端 Added client {client.client_id} ({client.role}, {client.unit or '-'})"

    _run(action)


def _unlock(name: str) -> None:
    async def action(session: AsyncSession) -> str:
        cleared = await unlock(session, name)
        if not cleared:
            return f"{name} 没有失败登录记录 No failed sign-ins recorded for {name}"
        return f"已解锁 Unlocked {name}: its failed sign-ins are cleared"

    _run(action)


@users_app.command("unlock")
def unlock_user_command(username: Annotated[str, typer.Argument(help="Login name")]) -> None:
    """Clear a user's failed sign-ins and lift its lockout before it ends by itself."""
    _unlock(username)


@clients_app.command("unlock")
def unlock_client_command(client_id: Annotated[str, typer.Argument(help="Client id")]) -> None:
    """Clear a client's failed sign-ins and lift its lockout."""
    _unlock(client_id)


def cli_actor() -> Actor:
    """The operator at the ``greenlaw`` command, as the audit log names them."""
    try:
        return Actor(name=f"cli:{getpass.getuser()}")
    except (OSError, KeyError):  # no login name in a bare container
        return Actor(name="cli")


def _describe(account: Account) -> str:
    state = "active 启用" if account.active else "deactivated 停用"
    if isinstance(account, GatewayUser):
        return f"{account.username}\t{account.roles}\t{account.team or '-'}\t{state}"
    return f"{account.client_id}\t{account.role}\t{account.unit or '-'}\t{state}"


def _change(step: Step, kind: AccountKind, name: str, done: str) -> None:
    async def action(session: AsyncSession) -> str:
        account = await step(session, kind, name, actor=cli_actor())
        return f"{done} {name}: {_describe(account)}"

    _run(action)


def _list(kind: AccountKind) -> None:
    async def action(session: AsyncSession) -> str:
        accounts: list[GatewayUser] | list[GatewayClient]
        lines, cursor = [], None
        while True:
            page = lifecycle.list_users if kind == "user" else lifecycle.list_clients
            accounts, cursor = await page(session, active=None, cursor=cursor, limit=100)
            lines += [_describe(account) for account in accounts]
            if cursor is None:
                return "\n".join(lines) or "(none 无)"

    _run(action)


@users_app.command("list")
def list_users_command() -> None:
    """List staff users: name, roles, team, state (never a password hash)."""
    _list("user")


@users_app.command("deactivate")
def deactivate_user_command(username: Annotated[str, typer.Argument(help="Login name")]) -> None:
    """Deactivate a user (停用): no more sign-ins, its tokens refused."""
    _change(lifecycle.deactivate, "user", username, "已停用 Deactivated")


@users_app.command("reactivate")
def reactivate_user_command(username: Annotated[str, typer.Argument(help="Login name")]) -> None:
    """Reactivate a user (启用); tokens from before stay refused."""
    _change(lifecycle.reactivate, "user", username, "已启用 Reactivated")


@users_app.command("revoke-tokens")
def revoke_user_tokens_command(username: Annotated[str, typer.Argument(help="Login name")]) -> None:
    """Sign a user out everywhere (全部下线): every token issued so far is refused."""
    _change(lifecycle.revoke_tokens, "user", username, "已全部下线 Signed out everywhere")


@users_app.command("reset-password")
def reset_password_command(
    username: Annotated[str, typer.Argument(help="Login name")],
    password: Annotated[
        str | None, typer.Option(help="The new password; without it one is generated and printed once")
    ] = None,
) -> None:
    """Reset a user's password (重置密码): its tokens end and a sign-in lockout is lifted."""

    async def action(session: AsyncSession) -> str:
        user, new_password = await lifecycle.reset_password(session, username, password, actor=cli_actor())
        shown = f": {new_password}" if password is None else ""
        return f"已重置密码 Password reset for {user.username}{shown}"

    _run(action)


@clients_app.command("list")
def list_clients_command() -> None:
    """List machine clients: id, role, unit, state (never a secret)."""
    _list("client")


@clients_app.command("deactivate")
def deactivate_client_command(client_id: Annotated[str, typer.Argument(help="Client id")]) -> None:
    """Deactivate a client (停用): no more tokens, its tokens refused."""
    _change(lifecycle.deactivate, "client", client_id, "已停用 Deactivated")


@clients_app.command("reactivate")
def reactivate_client_command(client_id: Annotated[str, typer.Argument(help="Client id")]) -> None:
    """Reactivate a client (启用); tokens from before stay refused."""
    _change(lifecycle.reactivate, "client", client_id, "已启用 Reactivated")


@clients_app.command("revoke-tokens")
def revoke_client_tokens_command(client_id: Annotated[str, typer.Argument(help="Client id")]) -> None:
    """End every token of a client issued so far; its secret stays valid."""
    _change(lifecycle.revoke_tokens, "client", client_id, "已全部下线 Signed out everywhere")


@clients_app.command("rotate-secret")
def rotate_secret_command(client_id: Annotated[str, typer.Argument(help="Client id")]) -> None:
    """Give a client a new generated secret, printed once (更换密钥); the old one and its tokens end at once."""

    async def action(session: AsyncSession) -> str:
        client, secret = await lifecycle.rotate_secret(session, client_id, actor=cli_actor())
        return f"新密钥 New secret for {client.client_id}: {secret}"

    _run(action)
