"""``greenlaw audit verify``: check the hash chain of every service's audit log."""

from __future__ import annotations

from services.catalogue import upstream_services
from shared.audit import ChainReport, verify_chain
from shared.db import create_engine, session_factory
from shared.settings import ServiceSettings


def configured_targets() -> dict[str, ServiceSettings]:
    """The settings (environment) of every service behind the gateway, each keeping a hash-chained audit log."""
    return {entry.name: entry.settings_class()() for entry in upstream_services()}


async def verify_services(targets: dict[str, ServiceSettings]) -> dict[str, ChainReport]:
    reports: dict[str, ChainReport] = {}
    for name, settings in targets.items():
        engine = create_engine(settings.resolved_database_url())
        try:
            async with session_factory(engine)() as session:
                reports[name] = await verify_chain(session)
        finally:
            await engine.dispose()
    return reports
