"""The client other teams generate from docs/openapi.json: it is generated whole, and the README's worked example
of a whole case runs with it against the embedded system, through the gateway over a real socket."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from services.demo.accounts import ensure_demo_accounts
from services.gateway.settings import GatewaySettings
from services.ops.docs import WHOLE_CASE
from services.ops.openapi import DEFAULT_PATH
from tests.embedded import EmbeddedServer

PACKAGE = "greenlaw_client"
GENERATOR = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
CLIENT_CONFIG = DEFAULT_PATH.with_name("openapi-client.yaml")  # the settings a client author generates with


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The client generated into a temporary directory (no network), importable as ``greenlaw_client``; and what
    the generator said."""
    assert GENERATOR, "openapi-python-client is installed by `make install` (see the Makefile's CLIENT_GENERATOR)"
    where = tmp_path_factory.mktemp("client")
    config = where / "config.yaml"
    names = f"package_name_override: {PACKAGE}\nproject_name_override: {PACKAGE}\n"
    config.write_text(CLIENT_CONFIG.read_text(encoding="utf-8") + names, encoding="utf-8")
    arguments = ["--path", str(DEFAULT_PATH), "--meta", "none", "--config", str(config)]
    run = subprocess.run(
        [GENERATOR, "generate", *arguments, "--output-path", str(where / PACKAGE)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(where))
    try:
        yield where, run.stdout + run.stderr
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def refusals(output: str) -> list[str]:
    """The generator's warnings, one per part of the document it left out (the JSON it quotes dropped)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    found = []
    for index, line in enumerate(lines):
        if line.startswith(("WARNING parsing", "Unable to parse")):
            reason = lines[index + 1] if index + 1 < len(lines) else ""
            found.append(f"{line} — {reason}")
    return found


def test_the_generator_takes_the_whole_document(generated: tuple[Path, str]) -> None:
    _, output = generated
    left_out = refusals(output)
    assert not left_out, "openapi-python-client left out parts of docs/openapi.json:\n" + "\n".join(left_out)


def example_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("whole_case_example", WHOLE_CASE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.e2e
async def test_the_worked_example_runs_with_the_generated_client(
    generated: tuple[Path, str], embedded: EmbeddedServer
) -> None:
    # The demo accounts the example signs in with (the embedded mode creates them only in development).
    assert await ensure_demo_accounts(GatewaySettings(common=embedded.common))
    example = example_module()
    closed = await example.whole_case(embedded.base_url)
    assert closed.stage.value == "closed"
    assert closed.outcome == "penalty"
    assert closed.paid_on.isoformat() == "2021-07-30"
    async with embedded.client(embedded.staff_token("auditor")) as auditor:
        history = (await auditor.get(f"/api/v1/cases/{closed.id}/history")).json()
    assert history["chain_intact"] is True
    assert len(history["entries"]) >= 10
