"""API9:2023 Improper Inventory Management.

The inventory is the gateway's merged OpenAPI document: every operation it forwards is in it (and every route each
service serves is in the service's own document: tests/integration/test_routes_documented.py), every path is
versioned (``/api/v1``, ``/public/v1``, ``/police/v1``) but for the few listed below, every operation has a unique
id, a summary and a documented refusal; the gateway serves only its listed own routes, and nothing that is not in
the routing table (no other version, no service's own docs or metrics) is reachable through it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from fastapi import routing
from starlette.routing import Route

from tests.support.system import System, assert_problem

pytestmark = pytest.mark.integration

VERSIONED = re.compile(r"^/(api|public|police)/v1(/|$)")
# Unversioned on purpose: the OAuth2 token endpoint, probes, and the portal's human-readable pages.
UNVERSIONED = {"/auth/token", "/healthz", "/readyz"}
PORTAL = re.compile(r"^/portal(/|$)")
# The gateway's own routes, all of them: anything added must be added here, after a look at what it exposes.
GATEWAY_OWN = {
    ("POST", "/auth/token"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    # The documentation pages' own scripts and styles (a fixed list of file names; no path).
    ("GET", "/redoc"),
    ("GET", "/docs/assets/{name}"),
    # The admin API of the token issuer's accounts: lists without hashes or secrets, lifecycle changes (admin only).
    ("GET", "/api/v1/admin/users"),
    ("POST", "/api/v1/admin/users/{username}/deactivation"),
    ("POST", "/api/v1/admin/users/{username}/reactivation"),
    ("POST", "/api/v1/admin/users/{username}/token-revocation"),
    ("POST", "/api/v1/admin/users/{username}/password-reset"),
    ("GET", "/api/v1/admin/clients"),
    ("POST", "/api/v1/admin/clients/{client_id}/deactivation"),
    ("POST", "/api/v1/admin/clients/{client_id}/reactivation"),
    ("POST", "/api/v1/admin/clients/{client_id}/token-revocation"),
    ("POST", "/api/v1/admin/clients/{client_id}/secret-rotation"),
}

# The open monitoring API: read-only, no token; anything added must be added here, after a look at what it exposes.
OPEN_MONITORING = {
    "/public/v1/monitoring/stations",
    "/public/v1/monitoring/stations/{code}",
    "/public/v1/monitoring/stations/{code}/latest",
    "/public/v1/monitoring/stations/{code}/readings",
    "/public/v1/monitoring/stations/{code}/aqi/daily",
    "/public/v1/monitoring/stations/{code}/water-class/monthly",
    "/public/v1/monitoring/noise/summary",
    "/public/v1/monitoring/noise/measurements",
    # 自行监测信息公开: the enterprise register is public (no personal data), its series and aggregates reviewed only
    "/public/v1/monitoring/enterprises",
    "/public/v1/monitoring/enterprises/{enterprise_code}",
    "/public/v1/monitoring/enterprises/{enterprise_code}/outlets/{outlet_code}/emissions",
    "/public/v1/monitoring/enterprises/{enterprise_code}/exceedances",
    "/public/v1/monitoring/enterprises/{enterprise_code}/completeness",
    "/public/v1/monitoring/enterprises/{enterprise_code}/outlets/{outlet_code}/chart",
    "/public/v1/monitoring/enterprises/{enterprise_code}/page",
}
# The portal's enterprise pages, monitoring's (the gateway routes /portal/monitoring there, the rest of /portal to
# disclosure): HTML of the same public data, read-only.
PORTAL_MONITORING = {"/portal/monitoring/enterprises", "/portal/monitoring/enterprises/{enterprise_code}"}


async def document(system: System) -> dict[str, Any]:
    async with system.client() as client:
        answer = await client.get("/openapi.json")
    assert answer.status_code == 200
    result: dict[str, Any] = answer.json()
    return result


async def test_every_path_is_versioned_or_listed(system: System) -> None:
    paths = (await document(system))["paths"]
    stray = [p for p in paths if not (VERSIONED.match(p) or p in UNVERSIONED or PORTAL.match(p))]
    assert stray == []


async def test_every_operation_is_identified_described_and_documents_its_refusals(system: System) -> None:
    paths = (await document(system))["paths"]
    ids: Counter[str] = Counter()
    missing = []
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            ids[operation.get("operationId", "")] += 1
            if not (operation.get("summary") or operation.get("description")):
                missing.append(f"{method} {path}: no summary")
            statuses = set(operation.get("responses", {}))
            if not statuses & {"4XX", "400", "401", "403", "404", "422"}:
                missing.append(f"{method} {path}: no documented refusal")
    assert missing == []
    assert "" not in ids
    assert [name for name, count in ids.items() if count > 1] == []


async def test_the_open_monitoring_api_is_listed_read_only_and_says_what_is_reviewed(system: System) -> None:
    paths = (await document(system))["paths"]
    assert {p for p in paths if p.startswith("/public/v1/monitoring")} == OPEN_MONITORING
    assert {method for p in OPEN_MONITORING for method in paths[p]} == {"get"}
    for path in ("/readings", "/aqi/daily", "/water-class/monthly"):
        assert "Reviewed data only" in paths[f"/public/v1/monitoring/stations/{{code}}{path}"]["get"]["description"]
    for path in ("/noise/summary", "/noise/measurements"):
        assert "Reviewed data only" in paths[f"/public/v1/monitoring{path}"]["get"]["description"]
    for path in ("/outlets/{outlet_code}/emissions", "/exceedances", "/completeness", "/outlets/{outlet_code}/chart",
                 "/page"):  # fmt: skip
        described = paths[f"/public/v1/monitoring/enterprises/{{enterprise_code}}{path}"]["get"]["description"]
        assert "Reviewed data only" in described
    assert {p for p in paths if p.startswith("/portal/monitoring")} == PORTAL_MONITORING
    assert {method for p in PORTAL_MONITORING for method in paths[p]} == {"get"}
    assert "Reviewed data only" in paths["/portal/monitoring/enterprises/{enterprise_code}"]["get"]["description"]
    async with system.client() as anonymous:
        assert (await anonymous.get("/public/v1/monitoring/stations")).status_code == 200
        assert (await anonymous.get("/portal/monitoring/enterprises")).status_code == 200


def own_routes(routes: list[Any]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, routing._IncludedRouter):
            found |= own_routes(route.effective_candidates())
        elif isinstance(route, routing._EffectiveRouteContext | Route):
            for method in (getattr(route, "methods", None) or set()) - {"HEAD"}:
                found.add((method, route.path))
    return found


def test_the_gateway_serves_only_its_listed_routes(system: System) -> None:
    served = {(method, path) for method, path in own_routes(system.gateway.routes) if path != "/{path:path}"}
    assert served == GATEWAY_OWN


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/cases",  # no other version
        "/api/v0/cases",
        "/api/cases",
        "/v1/cases",
        "/docs/oauth2-redirect",
        "/docs/assets/../../etc/passwd",
        "/docs/assets/index.html",
        "/swagger.json",
        "/debug",
        "/admin",
        "/.env",
        "/portal/../api/v1/cases",
    ],
)
async def test_nothing_outside_the_inventory_is_reachable(system: System, path: str) -> None:
    async with system.client() as client:
        answer = await client.get(path)
    assert_problem(answer, 401, 404)


async def test_services_own_docs_and_metrics_are_not_reachable_through_the_gateway(system: System) -> None:
    async with system.client(system.staff_token("admin")) as admin, system.client() as anonymous:
        for prefix in ("/api/v1/cases", "/api/v1/monitoring", "/public/v1", "/public/v1/monitoring", "/police/v1"):
            for tail in ("/docs", "/openapi.json", "/metrics", "/healthz"):
                answer = await (anonymous if prefix.startswith("/public") else admin).get(prefix + tail)
                assert answer.status_code in (403, 404, 405, 422), (prefix + tail, answer.status_code)
                assert "swagger" not in answer.text.lower()
                assert "http_requests_total" not in answer.text
