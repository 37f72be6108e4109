"""The embedded system (gateway + four services) served by uvicorn on a free loopback port, inside the test loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import uvicorn

from services.ops.cli import PROXY_HEADERS
from services.ops.embedded import create_embedded_app
from shared.auth import issue_token
from shared.outbound import tls_context
from shared.settings import CommonSettings
from tests.infra import free_port


class EmbeddedServer:
    def __init__(self, common: CommonSettings, port: int) -> None:
        self.common = common
        self.base_url = f"http://127.0.0.1:{port}"

    def staff_token(self, *roles: str, subject: str = "tester", team: str | None = None) -> str:
        return issue_token(self.common, subject=subject, roles=roles, zone="staff", team=team)

    def police_token(self, unit: str = "西青公安分局", subject: str = "xiqing-police") -> str:
        return issue_token(self.common, subject=subject, roles=["police"], zone="police", unit=unit)

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=30, verify=tls_context())


@contextlib.asynccontextmanager
async def embedded_server(data_dir: Path, **common: object) -> AsyncIterator[EmbeddedServer]:
    """Serve the embedded mode over a real socket; tokens are minted with the same secret."""
    settings = CommonSettings(environment="test", data_dir=data_dir, **common)  # type: ignore[arg-type]
    port = free_port()
    app = create_embedded_app(settings)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, lifespan="on", proxy_headers=PROXY_HEADERS
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        yield EmbeddedServer(settings, port)
    finally:
        server.should_exit = True
        await task
