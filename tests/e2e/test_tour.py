"""docs/tour.md works: its shell blocks, run in order with bash, curl and jq against `greenlaw run` as the tour
starts it (no demo year, a fresh data directory, HJ 212 on a fixed port), give the answers the tour shows."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from shared.outbound import tls_context
from shared.workdays import WorkCalendar
from tests.infra import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "docs" / "tour.md"
# The tour's decision is dated the day it runs (Tianjin's day, the tour's own ``TZ=Asia/Shanghai date``), and
# published that day: what its answers show is worked out for the day the tour ran (see ``dated``).


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def dated(day: date) -> list[str]:
    due = WorkCalendar().add_working_days(day, 7).due_on.isoformat()
    return [
        f'"document_number": "津西青环罚〔{day.year}〕1号"',
        f'"decided_on": "{day.isoformat()}"',
        f'"due_on": "{due}"',
        f'{{"due_on":"{due}","working_days":7,"provisional":false}}',
        f'"published_on": "{day.isoformat()}"',
    ]


# What the tour's answers show after its dated ones, in the order the commands print them (IDs and ETags left out).
EXPECTED = [
    '"on_time": true',
    '"type": "urn:greenlaw:problem:precondition-required"',
    '"type": "urn:greenlaw:problem:validation"',
    '"party_name": "天津某化工有限公司"',
    "\n304\n",
    "91120111MA05K3L7X1",
    "<title>执法决定公示 - 天津市西青区生态环境局</title>",
    "共 1 条",
    '"type": "urn:greenlaw:problem:unauthorized"',
    '"status": "requested"',
    '"status": "transferred"',
    '"state": "met"',
    '{"items":[],"next_cursor":"eyJzZXEiOjN9"}',
    '"status": "received"',
    "police_case_number is required when the decision is accepted",
    '"status": "accepted"',
    '"decision"',
    '"next_cursor": "eyJzZXEiOjV9"',
    "\n404\n403\n",
    '"code": "XQAIR0001"',
    '{"stored":3,"rejected":[{"index":3,"reason":"unknown station XQAIR0002"}]}',
    "\n401\n",
    "CN=9014;PW=station-pw-1;MN=XQAIR0001",
    '{"day":"2026-11-26","readings":6,"flagged":1,"status":"pending"}',
]


def tour_script(base_url: str, hj212_port: int) -> str:
    blocks = re.findall(r"```sh\n(.*?)```", TOUR.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert "make run" in blocks[0], "the first block starts the server"
    assert blocks[1].strip() == "B=http://127.0.0.1:8000"
    body = "\n".join(blocks[2:]).replace("/dev/tcp/127.0.0.1/9212", f"/dev/tcp/127.0.0.1/{hj212_port}")
    return f"set -eu -o pipefail\nB={base_url}\n{body}"


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "greenlaw run exited"
        try:
            if httpx.get(f"{base}/readyz", timeout=2, verify=tls_context()).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("greenlaw run did not become ready")


def test_the_tour_runs_as_written(tmp_path: Path) -> None:
    missing = [tool for tool in ("bash", "curl", "jq", "sha256sum", "timeout") if shutil.which(tool) is None]
    if missing:
        message = f"the tour needs {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # in CI a missing tool is a failure, never a skip
        pytest.skip(message)
    port, hj212_port = free_port(), free_port()
    env = {
        **os.environ,
        "GREENLAW_ENVIRONMENT": "development",
        "GREENLAW_DEMO": "0",
        "GREENLAW_DATA_DIR": str(tmp_path / "data"),
        "GREENLAW_MONITORING_HJ212_PORT": str(hj212_port),
    }
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "services.ops.cli", "run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server, timeout=120)
        work = tmp_path / "caller"
        work.mkdir()
        started = today()
        ran = subprocess.run(
            ["bash", "-c", tour_script(base, hj212_port)],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={key: value for key, value in os.environ.items() if not key.startswith("GREENLAW_")},
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    output = ran.stdout
    assert ran.returncode == 0, f"{ran.stderr}\n{output}"
    # The day the tour's decision took (it may have run across midnight in Tianjin).
    day = next((d for d in (started, today()) if f'"decided_on": "{d.isoformat()}"' in output), started)
    position = 0
    for expected in [*dated(day), *EXPECTED]:
        found = output.find(expected, position)
        assert found >= 0, f"{expected!r} missing after position {position} of:\n{output}"
        position = found
    documents = re.findall(r"^([0-9a-f]{64})  document\.bin$", output, flags=re.MULTILINE)
    assert documents, "the police checked the document's SHA-256"
    assert f'"sha256": "{documents[0]}"' in output
