"""`.ci/run` fails when the tests or the lint fail: run with a stand-in ``make`` that fails the step named."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def run_ci(tmp_path: Path, failing: str) -> subprocess.CompletedProcess[str]:
    """`.ci/run` with ``make`` replaced by a script that logs its target and fails for ``failing``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "make.log"
    make = bin_dir / "make"
    make.write_text(f'#!/bin/sh\necho "$1" >> {log}\n[ "$1" != "{failing}" ]\n')
    make.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", str(ROOT / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("failing", ["test", "lint", "install"])
def test_a_failed_step_fails_the_run(tmp_path: Path, failing: str) -> None:
    result = run_ci(tmp_path, failing)
    assert result.returncode != 0, result.stdout + result.stderr


def test_the_run_passes_when_every_step_does(tmp_path: Path) -> None:
    result = run_ci(tmp_path, "nothing")
    assert result.returncode == 0, result.stdout + result.stderr
    ran = (tmp_path / "make.log").read_text().split()
    assert sorted(ran) == ["install", "lint", "test", "test-cache"]
