"""Demo accounts for the embedded mode (listed in the README). Created only in development, only once."""

from __future__ import annotations

from sqlmodel import func, select

from services.gateway.app import MIGRATIONS_DIR
from services.gateway.handlers.accounts import add_client, add_user
from services.gateway.settings import GatewaySettings
from services.gateway.tables import GatewayUser
from shared.db import create_engine, migrate, session_factory

DEMO_PASSWORD = "greenlaw-demo"  # noqa: S105 - documented demo credential, development mode only

DEMO_USERS: tuple[tuple[str, str, str | None], ...] = (
    ("admin", "admin", None),
    ("officer1", "officer", "执法一队"),
    ("officer2", "officer", "执法一队"),
    ("head", "head", None),
    ("legal", "legal_reviewer", None),
    ("editor", "disclosure_editor", None),
    ("monitor", "monitoring_reviewer", None),
    ("auditor", "auditor", None),
)
DEMO_POLICE = (("xiqing-police", "西青公安分局"), ("beichen-police", "北辰公安分局"))


async def ensure_demo_accounts(settings: GatewaySettings) -> bool:
    """Create the demo users and police clients if the gateway has no users yet; True when created."""
    engine = create_engine(settings.resolved_database_url())
    try:
        await migrate(engine, MIGRATIONS_DIR)
        async with session_factory(engine)() as session:
            existing = (await session.execute(select(func.count()).select_from(GatewayUser))).scalar_one()
            if existing:
                return False
            for username, role, team in DEMO_USERS:
                await add_user(session, username=username, password=DEMO_PASSWORD, roles=role, team=team)
            for client_id, unit in DEMO_POLICE:
                await add_client(session, client_id=client_id, secret=DEMO_PASSWORD, role="police", unit=unit)
            await session.commit()
            return True
    finally:
        await engine.dispose()
