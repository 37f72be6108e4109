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
