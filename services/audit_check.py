"""``greenlaw audit verify``: check the hash chain of every service's audit log."""

from __future__ import annotations

from shared.audit import ChainReport, verify_chain
from shared.db import create_engine, session_factory
from shared.settings import ServiceSettings


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
