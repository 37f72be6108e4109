"""The reference OpenAPI document (docs/openapi.json) is current and is what the running gateway serves."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.catalogue import upstream_services
from services.gateway.api.users import PREFIX as ADMIN_PREFIX
from services.gateway.app import create_gateway_app
from services.gateway.domain.routes import match_route
from services.gateway.settings import GatewaySettings
from services.ops.openapi import DEFAULT_PATH, build_document, render
from tests.stack import Stack, StackConfig

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


@pytest.mark.unit
def test_openapi_document_is_up_to_date(document: dict[str, Any]) -> None:
    expected = render(document)
    assert DEFAULT_PATH.read_text(encoding="utf-8") == expected, "run `make openapi` and commit docs/openapi.json"


@pytest.mark.unit
def test_every_zone_is_documented_and_every_path_is_routed(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for prefix in ("/auth/token", *(f"{entry.prefix}/" for entry in upstream_services())):
        assert any(path.startswith(prefix) for path in paths), prefix
    for prefix in ("/public/v1/", "/police/v1/"):
        assert any(path.startswith(prefix) for path in paths), prefix
    operation_ids: list[str] = []
    for path, item in paths.items():
        # The gateway's own: the token issuer, its probes and the admin API of its accounts.
        if path not in {"/auth/token", "/healthz", "/readyz"} and not path.startswith(ADMIN_PREFIX + "/"):
            assert match_route(path) is not None, f"{path} is documented but the gateway routes it nowhere"
        operation_ids += [operation["operationId"] for method, operation in item.items() if method in METHODS]
    assert len(operation_ids) == len(set(operation_ids)), "operation ids are unique across the services"
    assert document["components"]["securitySchemes"]["gateway_oauth2"]["flows"]["password"]["tokenUrl"] == (
        "/auth/token"
    )
    # Every schema reference resolves inside the one document.
    text = json.dumps(document)
    schemas = document["components"]["schemas"]
    for ref in set(text.split('"$ref": "')[1:]):
        name = ref.split('"', 1)[0].removeprefix("#/components/schemas/")
        assert name in schemas, f"dangling $ref {name}"


@pytest.fixture
async def live_gateway(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with Stack(StackConfig(database="sqlite", transport="inprocess", data_dir=tmp_path)) as stack:
        gateway = create_gateway_app(GatewaySettings(common=stack.common), asgi_apps=dict(stack.apps))
        async with (
            gateway.router.lifespan_context(gateway),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://gateway") as client,
        ):
            yield client


@pytest.mark.integration
async def test_the_file_matches_what_the_running_gateway_serves(
    document: dict[str, Any], live_gateway: httpx.AsyncClient
) -> None:
    served = (await live_gateway.get("/openapi.json")).json()
    assert set(served["paths"]) == set(document["paths"])
    for path, item in document["paths"].items():
        assert {m: op["operationId"] for m, op in item.items() if m in METHODS} == {
            m: op["operationId"] for m, op in served["paths"][path].items() if m in METHODS
        }, path
    assert set(served["components"]["schemas"]) == set(document["components"]["schemas"])
