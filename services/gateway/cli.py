"""``greenlaw users add`` and ``greenlaw clients add``: accounts of the gateway's built-in token issuer.

They open the gateway database named by ``GatewaySettings()`` (the SQLite file in ``GREENLAW_DATA_DIR`` in the
embedded mode, or ``GREENLAW_GATEWAY_DATABASE_URL``) and bring its schema up to date first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

import typer
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.accounts import AccountError, add_client, add_user, unlock
from services.gateway.app import MIGRATIONS_DIR
from services.gateway.settings import GatewaySettings
from shared.db import create_engine, migrate, session_factory

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
    engine = create_engine(GatewaySettings().resolved_database_url())
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
    except AccountError as exc:
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
