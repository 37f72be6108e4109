"""The whole system in this process for the security tests: the four services on SQLite and the in-process bus,
behind the gateway, called through httpx's ASGI transport (no sockets, so the matrix of routes × roles is fast)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from tests.stack import Stack, StackConfig
from tests.support.system import System


@pytest.fixture(scope="package")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    data_dir: Path = tmp_path_factory.mktemp("security")
    with pytest.MonkeyPatch.context() as patch:
        # Penalty decisions publish themselves, so the public responses have something to show.
        patch.setenv("GREENLAW_DISCLOSURE_PUBLISH_MODES", json.dumps({"penalty": "auto"}))
        stack = Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=data_dir))
        await stack.__aenter__()
    try:
        settings = GatewaySettings(
            common=stack.common, rate_limit_public="100000/minute", rate_limit_authenticated="100000/minute"
        )
        gateway = create_gateway_app(settings, asgi_apps=dict(stack.apps))
        async with gateway.router.lifespan_context(gateway):
            yield System(stack, gateway)
    finally:
        await stack.__aexit__(None, None, None)
