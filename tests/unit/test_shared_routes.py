"""Every app of a service serves the route objects its routers built once per process (shared/web.py ``add_routes``):
an included router would be built again, per app, on the app's first request."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from services.catalogue import UPSTREAMS, service
from services.gateway.app import create_gateway_app
from services.gateway.settings import GatewaySettings
from shared import problem_docs
from shared.messaging import InProcessBus
from shared.settings import CommonSettings

pytestmark = pytest.mark.unit


def _app(name: str, data_dir: Path) -> FastAPI:
    common = CommonSettings(environment="test", data_dir=data_dir)
    entry = service(name)
    return entry.app_factory()(entry.settings_class()(common=common), bus=InProcessBus())


@pytest.mark.parametrize("name", UPSTREAMS)
def test_two_apps_of_a_service_serve_the_same_route_objects(name: str, tmp_path: Path) -> None:
    routers = importlib.import_module(f"services.{name}.api").ROUTERS
    built = [route for router in routers for route in router.routes]
    assert built
    assert all(isinstance(route, APIRoute) for route in built)
    first, second = _app(name, tmp_path / "a"), _app(name, tmp_path / "b")
    for app in (first, second):
        held = {id(route) for route in app.routes}
        assert all(id(route) in held for route in built)
        # Nothing included: an included router's routes are built again for each app.
        assert all(type(route).__name__ != "_IncludedRouter" for route in app.routes)


def test_the_gateways_own_routes_are_not_included_routers(tmp_path: Path) -> None:
    app = create_gateway_app(GatewaySettings(common=CommonSettings(environment="test", data_dir=tmp_path)))
    assert all(type(route).__name__ != "_IncludedRouter" for route in app.routes)
    assert any(isinstance(route, APIRoute) and route.path == "/auth/token" for route in app.routes)


def test_a_shared_route_answers_in_a_second_app(tmp_path: Path) -> None:
    """The shared routes reach each app's own state: two apps, two services' answers."""
    for label in ("a", "b"):
        with TestClient(_app("cases", tmp_path / label)) as client:
            assert client.get("/readyz").json()["service"] == "cases"
            # A service route, without a token: refused by that app's own principal check.
            assert client.get("/api/v1/cases/cases").status_code == 401


def test_apps_built_alike_share_one_document_each_its_own_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(problem_docs, "_DOCUMENTS", {})  # as in a new process
    first = _app("referral", tmp_path / "a").openapi()
    made: list[str] = []
    generate = FastAPI.openapi

    def counted(self: FastAPI) -> dict[str, object]:
        made.append(self.title)
        return generate(self)

    monkeypatch.setattr(FastAPI, "openapi", counted)
    second_app = _app("referral", tmp_path / "b")
    second = second_app.openapi()
    assert made == []  # taken from the first app's
    assert second == first
    second["paths"].clear()  # an app's document is its own
    assert _app("referral", tmp_path / "c").openapi() == first
    # Another service, or the same routes under another title, is made anew.
    _app("cases", tmp_path / "d").openapi()
    assert made == ["greenlaw cases"]
    retitled = _app("referral", tmp_path / "e")
    retitled.title = "another"
    assert retitled.openapi()["info"]["title"] == "another"
    assert made[-1] == "another"


def test_ops_routes_answer_from_their_own_app(tmp_path: Path) -> None:
    """/readyz and /metrics are shared route objects: each app's answer comes from its own checks and registry."""
    apps = [_app("referral", tmp_path / label) for label in ("a", "b")]
    with TestClient(apps[0]) as one, TestClient(apps[1]) as other:
        apps[1].state.ready_checks.append(("extra", _failing))
        assert one.get("/readyz").status_code == 200
        refused = other.get("/readyz")
        assert refused.status_code == 503
        assert refused.json()["checks"]["extra"].startswith("error: RuntimeError")
        assert apps[0].state.metrics_registry is not apps[1].state.metrics_registry
        assert "http_requests" in one.get("/metrics").text


async def _failing() -> None:
    raise RuntimeError("down")
