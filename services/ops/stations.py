"""``greenlaw stations``: station sign-ins, on the monitoring database (``GREENLAW_MONITORING_DATABASE_URL``)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from services.monitoring.app import MIGRATIONS_DIR
from services.monitoring.handlers.credentials import unlock_station
from services.monitoring.settings import MonitoringSettings
from shared.db import create_engine, migrate, session_factory

stations_app = typer.Typer(help="Monitoring stations (监测站点).", no_args_is_help=True)


@stations_app.callback()
def stations() -> None:
    """Monitoring stations: their sign-ins."""


async def _unlock(code: str) -> bool:
    engine = create_engine(MonitoringSettings().resolved_database_url())
    try:
        await migrate(engine, MIGRATIONS_DIR)
        async with session_factory(engine)() as session:
            cleared = await unlock_station(session, code)
            await session.commit()
            return cleared
    finally:
        await engine.dispose()


@stations_app.command("unlock")
def unlock_command(code: Annotated[str, typer.Argument(help="The station's MN")]) -> None:
    """Clear an MN's failed sign-ins and lift its lockout before it ends by itself (address counts stay)."""
    if asyncio.run(_unlock(code)):
        typer.echo(f"已解锁 Unlocked {code}: its failed sign-ins are cleared")
    else:
        typer.echo(f"{code} 没有失败登录记录 No failed sign-ins recorded for {code}")
