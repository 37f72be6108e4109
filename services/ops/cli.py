"""The ``greenlaw`` command: run the embedded mode or one service, migrate, manage accounts and topics."""

from __future__ import annotations

import asyncio
import importlib
import os
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn
from typer.core import TyperGroup

from services import catalogue
from services.ops.docs import docs_command
from services.ops.openapi import openapi_command

if TYPE_CHECKING:
    from fastapi import FastAPI
    from typer import _click  # the Click that Typer bundles, whose types TyperGroup's methods take

# Command groups imported only when named (or when the help lists them): each pulls in a whole service (the
# gateway's accounts, monitoring's stations, the demo's loader, the backup's tables), and ``greenlaw serve cases``
# should not import the gateway's code to start. Name → (module, its Typer).
LAZY_GROUPS: dict[str, tuple[str, str]] = {
    "users": ("services.gateway.cli", "users_app"),
    "clients": ("services.gateway.cli", "clients_app"),
    "demo": ("services.demo.cli", "demo_app"),
    "stations": ("services.ops.stations", "stations_app"),
    "backup": ("services.ops.backup", "backup_app"),
}


class LazyGroup(TyperGroup):
    """The ``greenlaw`` command: its own commands, then the groups of ``LAZY_GROUPS``, each built on first use."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        # The same order whether or not a group has been loaded yet.
        return [*(name for name in super().list_commands(ctx) if name not in LAZY_GROUPS), *LAZY_GROUPS]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name in LAZY_GROUPS and cmd_name not in self.commands:
            module, attribute = LAZY_GROUPS[cmd_name]
            group = typer.main.get_group(getattr(importlib.import_module(module), attribute))
            group.name = cmd_name
            self.commands[cmd_name] = group
        return super().get_command(ctx, cmd_name)


app = typer.Typer(cls=LazyGroup, help="greenlaw — 生态环境局执法平台 back end.", no_args_is_help=True)


# A service named on the command line, one of the catalogue's (mypy cannot see members made from a list).
ServiceName = StrEnum("ServiceName", {name.upper(): name for name in catalogue.SERVICES})  # type: ignore[misc]


def _default_port() -> int:
    return int(os.environ.get("PORT", "8000"))


# uvicorn would otherwise take the client's address and scheme from the X-Forwarded-* headers of any caller on
# loopback (its FORWARDED_ALLOW_IPS); the gateway believes them only from GREENLAW_GATEWAY_TRUSTED_PROXIES.
PROXY_HEADERS = False


@app.command()
def run(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (default $PORT or 8000)")] = None,
) -> None:
    """Embedded mode: the gateway and all four services in one process, SQLite, in-process bus."""
    from shared.settings import CommonSettings

    port = port or _default_port()
    # The Atom feed's links name this server unless the site's address is configured (production must configure it).
    if CommonSettings().environment != "production":
        os.environ.setdefault("GREENLAW_DISCLOSURE_PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
    uvicorn.run(
        "services.ops.embedded:app_factory",
        factory=True,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=PROXY_HEADERS,
    )


def service_app(name: ServiceName) -> FastAPI:
    """The app of one service, configured from the environment (distributed mode)."""
    from shared.logging import configure_logging
    from shared.settings import CommonSettings

    common = CommonSettings()
    configure_logging(level=common.log_level, json=common.log_json)
    entry = catalogue.service(name.value)
    return entry.app_factory()(entry.settings_class()(common=common))


@app.command()
def serve(
    service: Annotated[ServiceName, typer.Argument(help="Which service this process runs")],
    host: Annotated[str, typer.Option()] = "0.0.0.0",  # noqa: S104 - a container listens on all interfaces
    port: Annotated[int | None, typer.Option(help="Port (default $PORT or 8000)")] = None,
) -> None:
    """Distributed mode: one service per process, configured by environment variables."""
    app = service_app(service)  # a refused setting stops here, before the port opens
    uvicorn.run(app, host=host, port=port or _default_port(), log_config=None, proxy_headers=PROXY_HEADERS)


@app.command()
def migrate(
    service: Annotated[ServiceName | None, typer.Argument(help="One service, or all")] = None,
) -> None:
    """Apply database migrations (also done at start-up)."""
    from services.ops.migrate import migrate_services

    names = [service.value] if service else list(catalogue.SERVICES)
    for line in asyncio.run(migrate_services(names)):
        typer.echo(line)


@app.command("topics")
def topics(
    partitions: Annotated[int | None, typer.Option(help="Partitions per topic")] = None,
) -> None:
    """Create the Kafka topics of the event catalogue and the dead-letter topics (idempotent)."""
    from services.ops.migrate import all_topics
    from shared.messaging.kafka import ensure_topics
    from shared.settings import CommonSettings

    common = CommonSettings()
    names = [common.kafka_namespace + t for t in all_topics()]
    asyncio.run(
        ensure_topics(
            common.kafka_bootstrap_servers,
            names,
            partitions=partitions or common.kafka_topic_partitions,
            replication_factor=common.kafka_replication_factor,
        )
    )
    typer.echo("\n".join(names))


audit_app = typer.Typer(help="The hash-chained audit logs.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify() -> None:
    """Re-hash every service's audit log; exit 1 if any row was altered, removed or reordered."""
    from services.ops.audit import configured_targets, verify_services

    reports = asyncio.run(verify_services(configured_targets()))
    for name, report in reports.items():
        state = "ok" if report.ok else f"BROKEN at seq {report.first_broken_seq}: {report.reason}"
        typer.echo(f"{name}: {report.checked} rows checked, {state}")
    if not all(report.ok for report in reports.values()):
        raise typer.Exit(code=1)


disclosure_app = typer.Typer(help="The disclosure service's data.", no_args_is_help=True)
app.add_typer(disclosure_app, name="disclosure")


@disclosure_app.command("recheck")
def disclosure_recheck() -> None:
    """复核: run the current redaction detectors over every published decision; a decision in which they find
    personal data now is withdrawn and republished with the reason "redaction corrected" (audited)."""
    from services.disclosure.background import recheck_redactions
    from services.disclosure.settings import DisclosureSettings
    from shared.db import create_engine, session_factory
    from shared.messaging import UnitOfWork
    from shared.workdays import WorkCalendar

    settings = DisclosureSettings()

    async def run() -> list[str]:
        engine = create_engine(settings.resolved_database_url())
        try:
            sessions = session_factory(engine)
            calendar = WorkCalendar.from_file(settings.common.holidays_file)
            return await recheck_redactions(lambda: UnitOfWork(sessions), settings, calendar)
        finally:
            await engine.dispose()

    corrected = asyncio.run(run())
    typer.echo(f"{len(corrected)} publications corrected" + "".join(f"\n{i}" for i in corrected))


@app.command()
def asyncapi() -> None:
    """Write docs/asyncapi.yaml from the event contracts."""
    from shared.contracts.asyncapi import write

    typer.echo(str(write()))


app.command("openapi")(openapi_command)
app.command("docs")(docs_command)


if __name__ == "__main__":
    app()
