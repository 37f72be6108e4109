"""What the gateway's ``/readyz`` checks (``/healthz``, ``/readyz`` and ``/metrics`` are served by ``shared.web``):
its database answers and every service says it is ready."""

from __future__ import annotations

import asyncio

from services.gateway.runtime import GatewayRuntime
from shared.db import check_database
from shared.web import ReadyCheck


def ready_checks(runtime: GatewayRuntime) -> list[tuple[str, ReadyCheck]]:
    settings = runtime.settings

    async def database() -> None:
        if runtime.engine is None:
            raise RuntimeError("the gateway is not started")
        await check_database(runtime.engine)

    def upstream(name: str) -> ReadyCheck:
        async def check() -> None:
            # asyncio's timeout also bounds in-process (ASGI) services, which httpx's timeouts do not.
            async with asyncio.timeout(settings.readiness_timeout):
                response = await runtime.clients[name].http.get("/readyz")
            if response.status_code != 200:
                raise RuntimeError(f"{name} /readyz answered {response.status_code}")

        return check

    return [("database", database), *((name, upstream(name)) for name in settings.upstream_urls())]
