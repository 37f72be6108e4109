"""Public API: req/s and latency of ``GET /public/v1/decisions`` (filters, 20 items), 64 concurrent clients (wrk).

Six figures in the same run, each over the same kind of publications (issued as decisions through the cases API
and auto-published, as in ``bench.event_latency``):

- through the gateway (``greenlaw run``, rate limits lifted: the benchmark measures the path, not the throttle),
  with its public answers cache (``GREENLAW_GATEWAY_PUBLIC_CACHE_SECONDS``, default 1 s);
- through a second gateway with the cache off (``GREENLAW_GATEWAY_PUBLIC_CACHE_SECONDS=0``; its own data
  directory, seeded the same way: the same decisions, other ids), the path every miss takes;
- straight to the disclosure service (``greenlaw serve disclosure`` on the first data directory, no gateway; a
  service alone needs the Kafka transport, so a local Tansu broker runs for it, idle during the measurement);
- nginx (Debian) serving the very same JSON bytes as a static file (the floor of HTTP on this machine);
- 304 revalidation (``If-None-Match`` with the page's ETag) through each gateway.

With each figure, the server's CPU time per request (``/proc``: user + system of the serving process over the
run, divided by the requests wrk completed): on a machine that other work shares, the steadier figure of cost;
and the machine's 1-minute load average after each run.

Targets (issue #20): ≥ 10,000 req/s and ≥ 0.1 × nginx, p99 ≤ 20 ms through the gateway; gateway p50 ≤ 1.3 ×
direct; 304 ≥ 3,000 req/s. Needs ``wrk`` and ``nginx`` (``apt-get install wrk nginx``).
``python -m bench.public_api [--seconds 5] [--runs 3] [--connections 64] [--publications 200]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    embedded_process,
    free_port,
    greenlaw_process,
    kafka_broker,
    kafka_env,
    record,
    repeat,
    staff_token,
)
from bench.event_latency import AUTO_PUBLISH, credit_code, decision

QUERY = "/public/v1/decisions?kind=penalty&from=2021-01-01&to=2021-12-31&limit=20"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wait_ready(base: str, seconds: float = 300) -> None:
    """``greenlaw_process`` gives up waiting after 60 s; on a loaded machine a start-up can take longer."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(base + "/readyz", timeout=5).status_code == 200:
                return
        time.sleep(0.5)
    raise TimeoutError(f"{base} not ready after {seconds:g} s")


def seed(base: str, count: int) -> None:
    """``count`` decisions through the cases API, then wait until the disclosure lists all of them."""
    rng = random.Random(20211013)
    headers = {"Authorization": f"Bearer {staff_token(base)}"}
    with httpx.Client(base_url=base, timeout=30, headers=headers) as staff:
        for _ in range(count):
            staff.post("/api/v1/cases/decisions", json=decision(rng, credit_code(rng))).raise_for_status()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found, cursor = 0, None
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            page = httpx.get(base + "/public/v1/decisions", params=params, timeout=30).json()
            found += len(page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                break
        if found >= count:
            return
        time.sleep(0.5)
    raise TimeoutError(f"only {found} of {count} publications visible")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for one in [pid, *(int(c) for c in (children.read_text().split() if children.exists() else []))]:
        with contextlib.suppress(FileNotFoundError):
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wrk(url: str, *, seconds: int, connections: int, headers: dict[str, str] | None = None) -> dict[str, float]:
    """One wrk run: req/s and latency percentiles (ms); non-2xx/3xx answers fail the benchmark."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    if "Non-2xx or 3xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw errors:\n{output}")
    figures = {"req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}  # type: ignore[union-attr]
    for percent in ("50", "90", "99"):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        figures[f"p{percent}_ms"] = float(match.group(1)) * UNITS[match.group(2)]  # type: ignore[union-attr]
    return figures


@contextmanager
def nginx_serving(body: bytes) -> Iterator[str]:
    """nginx on loopback serving ``body`` as ``/decisions.json`` (application/json); yields the URL."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="greenlaw-bench-nginx-") as folder:
        root = Path(folder)
        (root / "decisions.json").write_bytes(body)
        (root / "nginx.conf").write_text(
            f"""worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ application/json json; }}
    client_body_temp_path {root}; proxy_temp_path {root}; fastcgi_temp_path {root};
    uwsgi_temp_path {root}; scgi_temp_path {root};
    server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
""",
            encoding="utf-8",
        )
        process = subprocess.Popen([binary, "-c", str(root / "nginx.conf"), "-p", str(root), "-g", "daemon off;"])
        try:
            url = f"http://127.0.0.1:{port}/decisions.json"
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    httpx.get(url, timeout=1).raise_for_status()
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


NO_CACHE = {"GREENLAW_GATEWAY_PUBLIC_CACHE_SECONDS": "0"}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    with embedded_process(**AUTO_PUBLISH) as system, embedded_process(**AUTO_PUBLISH, **NO_CACHE) as uncached:
        for one in (system, uncached):
            wait_ready(one.base)
            seed(one.base, args.publications)
        page = httpx.get(system.base + QUERY, timeout=30)
        page.raise_for_status()
        assert len(page.json()["items"]) == 20
        etag = page.headers["ETag"]
        uncached_page = httpx.get(uncached.base + QUERY, timeout=30)
        if "age" in uncached_page.headers or "age" not in httpx.get(system.base + QUERY, timeout=30).headers:
            raise RuntimeError("the cached gateway does not answer from its cache, or the other one does")
        # A service alone runs on the Kafka transport (the in-process bus exists only in the embedded process).
        serve = ["serve", "disclosure"]
        with (
            kafka_broker() as bootstrap,
            greenlaw_process(serve, system.data_dir, {**AUTO_PUBLISH, **kafka_env(bootstrap)}) as direct,
            nginx_serving(page.content) as static,
        ):
            if httpx.get(direct.base + QUERY, timeout=30).content != page.content:
                raise RuntimeError("the disclosure service answers other bytes than the gateway")

            def one_run(_run: int) -> dict[str, float]:
                options = {"seconds": args.seconds, "connections": args.connections}
                figures: dict[str, float] = {}
                for name, url, headers, pid in (
                    ("gateway", system.base + QUERY, None, system.pid),
                    ("gateway_nocache", uncached.base + QUERY, None, uncached.pid),
                    ("direct", direct.base + QUERY, None, direct.pid),
                    ("nginx", static, None, None),
                    ("gateway_304", system.base + QUERY, {"If-None-Match": etag}, system.pid),
                    (
                        "gateway_nocache_304",
                        uncached.base + QUERY,
                        {"If-None-Match": uncached_page.headers["ETag"]},
                        uncached.pid,
                    ),
                ):
                    before = cpu_seconds(pid) if pid else 0.0
                    for key, value in wrk(url, headers=headers, **options).items():
                        figures[f"{name}_{key}"] = value
                    if pid:
                        # What a request costs the server, whatever else the machine runs: the steadier figure.
                        served = figures[f"{name}_req_per_s"] * args.seconds
                        figures[f"{name}_cpu_ms_per_request"] = (cpu_seconds(pid) - before) * 1000 / served
                for name in ("gateway", "gateway_nocache"):
                    figures[f"{name}_to_direct_p50"] = figures[f"{name}_p50_ms"] / figures["direct_p50_ms"]
                    figures[f"{name}_to_direct_p99"] = figures[f"{name}_p99_ms"] / figures["direct_p99_ms"]
                    figures[f"{name}_to_nginx_req_per_s"] = figures[f"{name}_req_per_s"] / figures["nginx_req_per_s"]
                figures["load_1m"] = os.getloadavg()[0]
                print(json.dumps({k: round(v, 2) for k, v in figures.items()}))
                return figures

            return {"body_bytes": len(page.content), **repeat(args.runs, one_run)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--publications", type=int, default=200)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None or not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        print("public_api skipped: needs wrk and nginx (apt-get install wrk nginx)")
        return
    figures = measure(args)

    def median(key: str) -> float:
        return float(figures[key]["median"])

    met = {
        "gateway_req_per_s >= 10000": median("gateway_req_per_s") >= 10_000,
        "gateway_to_nginx_req_per_s >= 0.1": median("gateway_to_nginx_req_per_s") >= 0.1,
        "gateway_p99_ms <= 20": median("gateway_p99_ms") <= 20,
        "gateway_to_direct_p50 <= 1.3": median("gateway_to_direct_p50") <= 1.3,
        "gateway_304_req_per_s >= 3000": median("gateway_304_req_per_s") >= 3000,
    }
    shape = {"query": QUERY, "connections": args.connections, "seconds_per_measurement": args.seconds}
    record("public_api", {**shape, **figures, "targets": met, "met": all(met.values())})


if __name__ == "__main__":
    main()
