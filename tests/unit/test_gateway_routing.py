"""The gateway's routing table, the merge of OpenAPI documents and role parsing: pure functions, no I/O."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from services.gateway.domain.routes import match_route, route_for
from services.gateway.forwarding import upstream_target
from services.gateway.handlers.accounts import AccountError, parse_roles
from services.gateway.openapi import merge_documents
from shared.auth import Role
from shared.errors import NotFound

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("path", "upstream", "zone"),
    [
        ("/api/v1/cases", "cases", "staff"),
        ("/api/v1/cases/123/decisions", "cases", "staff"),
        ("/api/v1/disclosure/publications", "disclosure", "staff"),
        ("/api/v1/referral/referrals", "referral", "staff"),
        ("/api/v1/monitoring/readings:batch", "monitoring", "staff"),
        ("/public/v1/decisions", "disclosure", "public"),
        ("/public/v1/monitoring", "monitoring", "public"),
        ("/public/v1/monitoring/stations/A1/readings", "monitoring", "public"),
        ("/public/v1/monitoringx", "disclosure", "public"),
        ("/portal", "disclosure", "public"),
        ("/portal/decisions/1", "disclosure", "public"),
        ("/portal/monitoring", "monitoring", "public"),
        ("/portal/monitoring/enterprises/XQ-E001", "monitoring", "public"),
        ("/portal/monitoringx", "disclosure", "public"),
        ("/police/v1/referrals", "referral", "police"),
    ],
)
def test_prefixes_route_to_their_service_and_zone(path: str, upstream: str, zone: str) -> None:
    route = match_route(path)
    assert route is not None
    assert (route.upstream, route.zone) == (upstream, zone)


@pytest.mark.parametrize("path", ["/", "/portals", "/api/v1/casesx", "/api/v2/cases", "/healthz", "/police"])
def test_other_paths_have_no_route(path: str) -> None:
    assert match_route(path) is None
    with pytest.raises(NotFound) as raised:
        route_for(path)
    assert raised.value.status == 404


def test_target_keeps_the_percent_encoding_and_query() -> None:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/public/v1/a/b",
        "raw_path": b"/public/v1/a%2Fb",
        "query_string": b"q=%E6%B0%B4",
        "headers": [],
    }
    assert upstream_target(Request(scope)) == "/public/v1/a%2Fb?q=%E6%B0%B4"


def _doc(paths: list[str], schemas: dict[str, Any]) -> dict[str, Any]:
    refs = {name: {"$ref": f"#/components/schemas/{name}"} for name in schemas}
    return {
        "openapi": "3.1.0",
        "paths": {path: {"get": {"responses": {"200": {"content": refs}}}} for path in paths},
        "components": {"schemas": schemas},
    }


def test_merge_keeps_routed_paths_and_renames_clashing_schemas() -> None:
    own = _doc(["/auth/token", "/healthz"], {"Party": {"type": "object", "title": "gateway"}})
    cases = _doc(["/api/v1/cases", "/healthz", "/metrics"], {"Party": {"type": "string"}, "Case": {}})
    merged = merge_documents(own, {"cases": cases})
    assert set(merged["paths"]) == {"/auth/token", "/healthz", "/api/v1/cases"}
    schemas = merged["components"]["schemas"]
    assert schemas["Party"] == {"type": "object", "title": "gateway"}
    assert schemas["cases_Party"] == {"type": "string"}
    content = merged["paths"]["/api/v1/cases"]["get"]["responses"]["200"]["content"]
    assert content["Party"] == {"$ref": "#/components/schemas/cases_Party"}
    assert content["Case"] == {"$ref": "#/components/schemas/Case"}
    assert "gateway_oauth2" in merged["components"]["securitySchemes"]
    assert "/api/v1/cases" not in own["paths"]  # the gateway's cached own document is not changed


def test_roles_are_parsed_and_checked() -> None:
    assert parse_roles("officer, head") == [Role.HEAD, Role.OFFICER]
    assert parse_roles(["police"]) == [Role.POLICE]
    with pytest.raises(AccountError, match="boss"):
        parse_roles("officer,boss")
    with pytest.raises(AccountError):
        parse_roles(" , ")
