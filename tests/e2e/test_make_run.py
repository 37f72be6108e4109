"""`make run` on this checkout starts the embedded mode and answers /readyz with 200."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from services.catalogue import UPSTREAMS
from shared.outbound import tls_context
from tests.infra import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_serves_readyz_and_the_decision_flow(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "GREENLAW_DATA_DIR": str(tmp_path / "data"),
        "GREENLAW_ENVIRONMENT": "development",
        "GREENLAW_DEMO": "0",  # the demo scenario's background load is tested on its own
    }
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(
        ["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        ready = _wait_ready(base, process, timeout=120)
        assert ready.status_code == 200, ready.text
        assert set(ready.json()["checks"]) >= {"database", *UPSTREAMS}
        with httpx.Client(base_url=base, timeout=10, verify=tls_context()) as client:
            token = client.post(
                "/auth/token", data={"grant_type": "password", "username": "head", "password": "greenlaw-demo"}
            ).json()["access_token"]
            answer = client.get(
                "/api/v1/disclosure/due-date",
                params={"kind": "penalty", "decided_on": "2021-09-28"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.json() == {"due_on": "2021-10-13", "working_days": 7, "provisional": False}
            assert client.get("/docs").status_code == 200
        assert (tmp_path / "data" / "cases.db").exists()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
    assert process.returncode in (0, -signal.SIGTERM, 2), (tmp_path / "run.log").read_text()


def _wait_ready(base: str, process: subprocess.Popen[bytes], *, timeout: float) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run exited with {process.returncode}")
        try:
            return httpx.get(base + "/readyz", timeout=2, verify=tls_context())
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("make run did not answer /readyz in time")
