"""One house plan: every service has the same rooms, entry points hold no SQL and no rules, use cases speak in
domain errors, domain rules import no framework, and nothing is left loose at ``services/``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from services import catalogue

pytestmark = pytest.mark.unit

SERVICES = Path(__file__).resolve().parents[2] / "services"
ROOMS = ("app.py", "settings.py", "api", "handlers", "domain", "tables.py", "schemas.py", "migrations", "README.md")
SERVICE_ROOMS = (*ROOMS, "consumers.py", "access.py")
# Names that say nothing about what a module holds.
VAGUE = {"views.py", "web.py", "common.py", "tools.py", "misc.py", "utils.py", "helpers.py"}
SQL_CALLS = {"select", "exec", "execute", "scalars", "scalar"}
FRAMEWORKS = ("fastapi", "starlette", "sqlmodel", "sqlalchemy", "httpx", "shared.problems", "shared.db")


def modules(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.py"))


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return names


def sql_calls(path: Path) -> list[int]:
    """Lines where the module builds or runs a query itself."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in SQL_CALLS:
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("name", catalogue.SERVICES)
def test_every_service_has_the_rooms(name: str) -> None:
    wanted = SERVICE_ROOMS if name != catalogue.GATEWAY else ROOMS
    missing = [room for room in wanted if not (SERVICES / name / room).exists()]
    assert not missing, f"services/{name} lacks {missing}"
    vague = sorted(str(p.relative_to(SERVICES)) for p in modules(SERVICES / name) if p.name in VAGUE)
    assert not vague, f"modules named for nothing they hold: {vague}"


def test_nothing_is_loose_at_services() -> None:
    loose = sorted(p.name for p in SERVICES.glob("*.py"))
    assert loose == ["__init__.py", "catalogue.py"]


@pytest.mark.parametrize("name", catalogue.SERVICES)
def test_entry_points_run_no_sql(name: str) -> None:
    found = {str(p.relative_to(SERVICES)): lines for p in modules(SERVICES / name / "api") if (lines := sql_calls(p))}
    found |= {
        str(p.relative_to(SERVICES)): lines for p in modules(SERVICES / name / "portal") if (lines := sql_calls(p))
    }
    assert not found, f"entry points running queries (lines): {found}"


@pytest.mark.parametrize("name", catalogue.SERVICES)
def test_use_cases_raise_domain_errors(name: str) -> None:
    speaking_http = sorted(
        str(p.relative_to(SERVICES))
        for room in ("handlers", "domain")
        for p in modules(SERVICES / name / room)
        if "shared.problems" in imported(p) or "fastapi" in {n.split(".")[0] for n in imported(p)}
    )
    assert not speaking_http, f"use cases or rules that speak HTTP: {speaking_http}"


@pytest.mark.parametrize("name", catalogue.SERVICES)
def test_domain_rules_import_no_framework(name: str) -> None:
    bound = {
        str(p.relative_to(SERVICES)): sorted(n for n in imported(p) if n.startswith(FRAMEWORKS))
        for p in modules(SERVICES / name / "domain")
    }
    assert not {k: v for k, v in bound.items() if v}, bound


def test_test_modules_share_helpers_only_through_tests_support() -> None:
    tests = SERVICES.parent / "tests"
    rooms = ("tests.unit", "tests.integration", "tests.e2e", "tests.security", "tests.contract")
    borrowed = {
        str(p.relative_to(tests)): sorted(n for n in imported(p) if n.startswith(rooms))
        for p in modules(tests)
        if p.name.startswith("test_")
    }
    assert not {k: v for k, v in borrowed.items() if v}, borrowed
