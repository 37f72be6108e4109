"""Batch ingest: readings/s through the gateway into monitoring (``POST /api/v1/monitoring/readings:batch``).

Several clients (one station each, HTTP Basic with the station's MN and password, as a station sends) post 10,000
readings a request, concurrently. The monitoring database is SQLite (embedded default) or PostgreSQL (a throwaway
database; the other services stay on SQLite). The baseline in the same run loads the same rows straight into a
table of the same shape as ``reading`` (same primary key): ``COPY`` from Python (asyncpg) on PostgreSQL,
``executemany`` on SQLite. Each run uses fresh hours, so every row is an insert; runs repeat and the median and
spread (min, max) are reported, with the CPU a request of the ``greenlaw run`` process and, when PostgreSQL runs
on this machine, of its backends serving the database (the machine's other load changes these much less).

Targets (issue: performance, 2 cores): PostgreSQL ≥ 100,000 readings/s and ≥ 0.5 × the COPY baseline;
SQLite ≥ 50,000 readings/s.
``python -m bench.ingest [--database sqlite|postgres|both] [--clients 4] [--requests 10] [--warmup 1] [--runs 3]
[--csv]``
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    embedded_process,
    record,
    repeat,
    sqlalchemy_url,
    staff_token,
    throwaway_database,
)

ROWS_PER_REQUEST = 10_000
PARAMETERS = {"so2": "µg/m³", "no2": "µg/m³", "pm10": "µg/m³", "pm25": "µg/m³", "co": "mg/m³", "o3": "µg/m³"}
HOURS_PER_REQUEST = -(-ROWS_PER_REQUEST // len(PARAMETERS))
START = datetime(2024, 1, 1, tzinfo=UTC)
PASSWORD = "bench-station"
Row = tuple[str, str, str, datetime, float, str, str]


def station_code(client: int) -> str:
    return f"BENCH{client:03d}"


def rows_for(client: int, request: int) -> list[Row]:
    """Deterministic hourly rows: fresh hours for every (client, request), 6 pollutants each."""
    first = START + timedelta(hours=request * HOURS_PER_REQUEST)
    rows: list[Row] = []
    for hour in range(HOURS_PER_REQUEST):
        moment = first + timedelta(hours=hour)
        for index, (parameter, unit) in enumerate(PARAMETERS.items()):
            value = round(10 + (client * 7 + hour * 13 + index * 29) % 90 + 0.5, 1)
            rows.append((station_code(client), parameter, "hour", moment, value, unit, "N"))
    return rows[:ROWS_PER_REQUEST]


def body_of(rows: list[Row], *, as_csv: bool) -> tuple[bytes, str]:
    if as_csv:
        lines = ["station,parameter,time,value,unit,flag,interval"]
        lines += [f"{s},{p},{t.isoformat()},{v},{u},{f},{i}" for s, p, i, t, v, u, f in rows]
        return ("\n".join(lines) + "\n").encode(), "text/csv"
    import json

    items = [
        {"station": s, "parameter": p, "interval": i, "time": t.isoformat(), "value": v, "unit": u, "flag": f}
        for s, p, i, t, v, u, f in rows
    ]
    return json.dumps(items).encode(), "application/json"


def create_stations(base: str, clients: int) -> None:
    headers = {"Authorization": f"Bearer {staff_token(base)}"}
    for client in range(clients):
        answer = httpx.post(
            base + "/api/v1/monitoring/stations",
            headers=headers,
            timeout=30,
            json={
                "code": station_code(client),
                "kind": "air_station",
                "name": f"基准站{client}",
                "town": "杨柳青镇",
                "level": "district",
                "parameters": list(PARAMETERS),
                "password": PASSWORD,
            },
        )
        answer.raise_for_status()


def basic(client: int) -> str:
    return "Basic " + base64.b64encode(f"{station_code(client)}:{PASSWORD}".encode()).decode()


async def post_all(base: str, bodies: dict[int, list[tuple[bytes, str]]]) -> float:
    """Every client posts its bodies one after the other, clients concurrently; returns the wall time."""

    async def one_client(client: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=300) as http:
            for content, media in bodies[client]:
                answer = await http.post(
                    "/api/v1/monitoring/readings:batch",
                    content=content,
                    headers={"Content-Type": media, "Authorization": basic(client)},
                )
                answer.raise_for_status()
                result = answer.json()
                if result["rejected"]:
                    raise RuntimeError(f"rows rejected: {result['rejected'][:3]}")

    started = time.perf_counter()
    await asyncio.gather(*(one_client(c) for c in bodies))
    return time.perf_counter() - started


def baseline_sqlite(rows: list[Row]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        connection = sqlite3.connect(Path(folder) / "baseline.db")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(
            "CREATE TABLE reading (station_code TEXT, parameter TEXT, interval TEXT, time TEXT, value REAL,"
            " unit TEXT, instrument_flag TEXT, PRIMARY KEY (station_code, parameter, interval, time))"
        )
        started = time.perf_counter()
        connection.executemany(
            "INSERT INTO reading VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(s, p, i, t.isoformat(), v, u, f) for s, p, i, t, v, u, f in rows],
        )
        connection.commit()
        elapsed = time.perf_counter() - started
        connection.close()
    return elapsed


async def baseline_postgres(dsn: str, rows: list[Row], run: int) -> float:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    table = f"baseline_reading_{run}"
    try:
        await connection.execute(
            f"CREATE TABLE {table} (station_code varchar(64), parameter varchar(30), interval varchar(10),"
            " time timestamptz, value double precision, unit varchar(20), instrument_flag varchar(4),"
            " PRIMARY KEY (station_code, parameter, interval, time))"
        )
        started = time.perf_counter()
        await connection.copy_records_to_table(table, records=rows)
        elapsed = time.perf_counter() - started
        await connection.execute(f"DROP TABLE {table}")
    finally:
        await connection.close()
    return elapsed


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc; a process gone counts nothing)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def server_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid, *(int(p) for p in children.read_text().split())] if children.exists() else [pid]


def backend_pids(database: str) -> list[int]:
    """PostgreSQL's backends serving ``database``, when the server runs on this machine (else none)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if command.startswith(b"postgres: ") and f" {database} ".encode() in command:
                found.append(int(entry.name))
    return found


def measure(base: str, args: argparse.Namespace, dsn: str | None, pid: int) -> dict[str, Any]:
    """Readings/s and the baseline, and, figures the machine's other load does not change much, CPU a request
    (10,000 readings) of the ``greenlaw run`` process and of PostgreSQL's backends serving it."""
    create_stations(base, args.clients)
    database = dsn.rsplit("/", 1)[1] if dsn else ""
    # Untimed: the first requests of a fresh process pay once for what later ones reuse (statements prepared on
    # each pooled connection, the driver's type introspection, caches). Hours well before the runs' (a gap wider
    # than the checks' window), so no run reads them as neighbours.
    warm = {c: [body_of(rows_for(c, -2 - r), as_csv=args.csv) for r in range(args.warmup)] for c in range(args.clients)}
    asyncio.run(post_all(base, warm))

    def one_run(run: int) -> dict[str, float]:
        offset = run * args.requests
        plan = {c: [rows_for(c, offset + r) for r in range(args.requests)] for c in range(args.clients)}
        bodies = {c: [body_of(rows, as_csv=args.csv) for rows in plan[c]] for c in plan}
        total = sum(len(rows) for per in plan.values() for rows in per)
        requests = sum(len(per) for per in plan.values())
        server, backends = server_pids(pid), backend_pids(database) if database else []
        server_cpu, backend_cpu = cpu_seconds(server), cpu_seconds(backends)
        gateway = asyncio.run(post_all(base, bodies))
        server_cpu = cpu_seconds(server) - server_cpu
        backend_cpu = cpu_seconds(backend_pids(database) if database else []) - backend_cpu
        flat = [row for per in plan.values() for rows in per for row in rows]
        direct = asyncio.run(baseline_postgres(dsn, flat, run)) if dsn else baseline_sqlite(flat)
        rate, baseline = total / gateway, total / direct
        server_ms, backend_ms = server_cpu / requests * 1000, backend_cpu / requests * 1000
        print(
            f"run {run}: {rate:,.0f} readings/s through the gateway, baseline {baseline:,.0f}/s;"
            f" CPU a request: server {server_ms:.0f} ms" + (f", PostgreSQL {backend_ms:.0f} ms" if database else "")
        )
        figures = {"readings_per_s": rate, "baseline_per_s": baseline, "ratio_to_baseline": rate / baseline}
        figures["server_cpu_ms_per_request"] = server_ms
        if database:
            figures["postgres_cpu_ms_per_request"] = backend_ms
        return figures

    return repeat(args.runs, one_run)


# Four clients' 10,000-row requests queue for SQLite's one writer: on a loaded machine the last can wait longer than
# the gateway's default 10 s.
PATIENT_GATEWAY = {"GREENLAW_GATEWAY_UPSTREAM_TIMEOUT": "120"}


def run_database(database: str, args: argparse.Namespace) -> None:
    shape = {"clients": args.clients, "requests_per_client": args.requests, "rows_per_request": ROWS_PER_REQUEST}
    shape["format"] = "csv" if args.csv else "json"
    shape["warmup_requests_per_client"] = args.warmup
    if database == "sqlite":
        with embedded_process(**PATIENT_GATEWAY) as system:
            figures = measure(system.base, args, None, system.pid)
        target: dict[str, float] = {"readings_per_s": 50_000}
        met = figures["readings_per_s"]["median"] >= 50_000
        baseline = "executemany of the same rows into SQLite (same primary key)"
    else:
        with (
            throwaway_database() as dsn,
            embedded_process(GREENLAW_MONITORING_DATABASE_URL=sqlalchemy_url(dsn), **PATIENT_GATEWAY) as system,
        ):
            figures = measure(system.base, args, dsn, system.pid)
        target = {"readings_per_s": 100_000, "ratio_to_baseline": 0.5}
        met = figures["readings_per_s"]["median"] >= 100_000 and figures["ratio_to_baseline"]["median"] >= 0.5
        baseline = "COPY of the same rows into PostgreSQL from Python (asyncpg, same primary key)"
    record(f"ingest_{database}", {**shape, "baseline": baseline, **figures, "targets": target, "met": met})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=4)
    # Ten a client: with five, a run (≈ 1 s) measured the pipeline's fill and drain (four requests in the process
    # at once, then PostgreSQL alone) about as much as its rate.
    parser.add_argument("--requests", type=int, default=10, help="requests per client per run")
    parser.add_argument("--warmup", type=int, default=1, help="untimed requests per client before the runs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--csv", action="store_true", help="send text/csv instead of a JSON array")
    args = parser.parse_args(argv)
    for database in ("sqlite", "postgres") if args.database == "both" else (args.database,):
        run_database(database, args)


if __name__ == "__main__":
    main()
