"""The service catalogue is the one list of services: every package is in it, and nothing else lists them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from services import catalogue
from services.gateway.domain.routes import ROUTES
from services.gateway.settings import GatewaySettings
from services.ops.backup import configured_targets
from services.ops.cli import app as cli
from services.ops.migrate import CONSUMERS
from shared.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES_DIR = ROOT / "services"
# A hand-written list of the services: every upstream's name quoted within a few lines.
QUOTED_NAME = re.compile(r"""["'](cases|disclosure|referral|monitoring)["']""")
WINDOW = 6
# Data kept per service, not lists of the services: the gateway's routing table (prefix → service and zone), the
# roles that call each service, routing and ownership test cases.
PER_SERVICE_DATA = {
    "services/gateway/domain/routes.py",
    "tests/integration/test_api_fuzzing.py",
    "tests/unit/test_gateway_routing.py",
    "tests/unit/test_ownership.py",
}


def test_nothing_is_loose_at_services() -> None:
    loose = sorted(p.name for p in SERVICES_DIR.glob("*.py") if p.name not in {"__init__.py", "catalogue.py"})
    assert not loose, f"modules loose at services/: {loose}"


def test_every_service_package_is_in_the_catalogue_and_back() -> None:
    packages = {p.parent.name for p in SERVICES_DIR.glob("*/app.py")}
    assert packages == set(catalogue.SERVICES)
    assert catalogue.SERVICES[0] == catalogue.GATEWAY


@pytest.mark.parametrize("entry", catalogue.CATALOGUE, ids=lambda e: e.name)
def test_each_entry_resolves_to_its_own_settings_app_and_migrations(entry: catalogue.Service) -> None:
    settings = entry.settings_class()(common=CommonSettings(environment="test"))
    assert settings.service_name == entry.name
    assert callable(entry.app_factory())
    assert (entry.migrations_dir / "env.py").is_file()
    for method in entry.stores.values():
        assert isinstance(getattr(settings, method)(), Path)


def test_the_gateway_routes_and_reaches_exactly_the_upstreams() -> None:
    assert set(GatewaySettings().upstream_urls()) == set(catalogue.UPSTREAMS)
    staff = {route.prefix: route.upstream for route in ROUTES if route.zone == "staff"}
    assert staff == {entry.prefix: entry.name for entry in catalogue.upstream_services()}


def test_operator_tools_walk_the_catalogue(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GREENLAW_DATA_DIR", str(tmp_path))
    targets = configured_targets()
    assert [t.name for t in targets] == list(catalogue.SERVICES)
    assert {label for t in targets for label in t.stores} == {"cases-evidence", "cases-documents", "referral-documents"}
    assert {t.name: t.database_url for t in targets}["monitoring"].endswith(f"{tmp_path}/monitoring.db")
    # Every consumer group of every service, each once, for its dead-letter topic.
    assert len(set(CONSUMERS)) == len(CONSUMERS) == 8
    assert {group.split(".")[0] for group in CONSUMERS} < set(catalogue.UPSTREAMS)


def test_the_command_takes_the_catalogue_names_only() -> None:
    serve: Any = typer.main.get_command(cli).commands["serve"]  # type: ignore[attr-defined]
    for name in catalogue.SERVICES:
        assert serve.make_context("serve", [name]).params["service"] == name
    refused = CliRunner().invoke(cli, ["migrate", "billing"])
    assert refused.exit_code == 2, refused.output


def hand_lists(path: Path) -> list[str]:
    """The lines of ``path`` that begin a stretch of ``WINDOW`` lines naming all four upstreams in quotes."""
    lines = path.read_text(encoding="utf-8").splitlines()
    names = [set(QUOTED_NAME.findall(line)) for line in lines]
    found = []
    for start in range(len(lines)):
        if names[start] and set().union(*names[start : start + WINDOW]) == set(catalogue.UPSTREAMS):
            found.append(f"{path.relative_to(ROOT)}:{start + 1}: {lines[start].strip()}")
    return found


def test_no_other_module_lists_the_services_by_hand() -> None:
    found = [
        line
        for folder in ("services", "shared", "tests", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != SERVICES_DIR / "catalogue.py" and path.relative_to(ROOT).as_posix() not in PER_SERVICE_DATA
        for line in hand_lists(path)
    ]
    assert not found, "read services.catalogue instead:\n" + "\n".join(found)
