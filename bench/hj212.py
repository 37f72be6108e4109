"""HJ 212 ingest: packets/s (6 pollutants each) from many concurrent station connections over loopback.

Stations are created through the monitoring API (each with its HJ 212 password); each opens one TCP connection to
the listener of ``greenlaw run``, authenticates with a first packet (argon2, once per connection; not timed) and
then sends hourly data uploads (CN 2061, 6 air pollutants, Flag asking for the CN 9014 answer) one after the other,
each waiting for its answer, as a station does. The rate is answered packets over the wall time. Two baselines in
the same run: the parse-only rate of the same packets (``hj212.parse`` + ``parse_cp``, one core, no network), and
the null listener: the same client, connections and packets against a listener process that frames, parses and
answers each packet as the service does (uvloop, one process) but stores nothing. The null listener is what this
machine serves over TCP to this client before any storing: a ceiling no storing listener can pass.

Also recorded per run, as figures the machine's other load changes little: the CPU a packet of ``greenlaw run`` and
its HJ 212 worker processes, of PostgreSQL's backends serving it, and of this client, and the load average.

Target (issue #20, 2 cores): ≥ 20,000 packets/s from 1,000 concurrent connections and ≥ 0.5 × the parse-only rate.
Each run drives the service, then the null listener, with the same number of packets.
``python -m bench.hj212 [--stations 1000] [--packets 10] [--runs 3] [--database sqlite|postgres] [--workers N]``
(``--packets``: per connection per run; ``--workers`` > 1 needs ``--database postgres``)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx

from bench.common import (
    embedded_process,
    free_port,
    record,
    repeat,
    sqlalchemy_url,
    staff_token,
    throwaway_database,
)
from bench.ingest import backend_pids, cpu_seconds, server_pids
from services.monitoring.domain import hj212

POLLUTANTS = {"a34004": "pm25", "a34002": "pm10", "a21026": "so2", "a21004": "no2", "a05024": "o3", "a21005": "co"}
PASSWORD = "bench-hj212"
T = TypeVar("T")
START = datetime(2024, 3, 1)
FLAG = hj212.FLAG_V2017 | hj212.FLAG_ACK


def mn(station: int) -> str:
    return f"BENCHHJ{station:05d}"


def packet(station: int, hour: int) -> bytes:
    moment = START + timedelta(hours=hour)
    groups = [f"DataTime={moment:%Y%m%d%H%M%S}"]
    for index, code in enumerate(POLLUTANTS):
        value = 5 + (station * 7 + hour * 13 + index * 29) % 80 + 0.5
        groups.append(f"{code}-Avg={value:.1f},{code}-Flag=N")
    qn = f"{moment:%Y%m%d%H%M%S}{station % 1000:03d}"
    return hj212.build(hj212.Packet(qn, "22", "2061", PASSWORD, mn(station), FLAG, ";".join(groups)))


async def create_stations(base: str, count: int) -> None:
    headers = {"Authorization": f"Bearer {staff_token(base)}"}
    gate = asyncio.Semaphore(8)

    async def one(http: httpx.AsyncClient, station: int) -> None:
        body = {
            "code": mn(station),
            "kind": "air_station",
            "name": f"基准站{station}",
            "town": "杨柳青镇",
            "level": "district",
            "parameters": list(POLLUTANTS.values()),
            "password": PASSWORD,
        }
        async with gate:
            (await http.post("/api/v1/monitoring/stations", json=body)).raise_for_status()

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:
        await asyncio.gather(*(one(http, s) for s in range(count)))


class Station:
    def __init__(self, number: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.number, self.reader, self.writer = number, reader, writer

    async def send(self, raw: bytes) -> None:
        self.writer.write(raw)
        await self.writer.drain()
        answer = await asyncio.wait_for(self.reader.readuntil(hj212.TRAILER), 60)
        if b";CN=9014;" not in answer:  # the client stays cheap: the answer's framing is the tests' business
            raise RuntimeError(f"station {self.number}: answer {answer[:120]!r}")


async def connect_all(port: int, count: int) -> list[Station]:
    """Open and authenticate every connection (first packet: hour -1), a few at a time."""
    gate = asyncio.Semaphore(50)

    async def one(number: int) -> Station:
        async with gate:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            station = Station(number, reader, writer)
            await station.send(packet(number, -1))
            return station

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def drive(stations: list[Station], plan: dict[int, list[bytes]]) -> float:
    async def one(station: Station) -> None:
        for raw in plan[station.number]:
            await station.send(raw)

    started = time.perf_counter()
    await asyncio.gather(*(one(s) for s in stations))
    return time.perf_counter() - started


class NullListener(asyncio.Protocol):
    """Frames, parses (``parse`` + ``parse_cp``) and answers CN 9014 as the service's listener does; stores nothing."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(hj212.TRAILER)) >= 0:
            raw = bytes(self.buffer[: end + len(hj212.TRAILER)])
            del self.buffer[: end + len(hj212.TRAILER)]
            packet = hj212.parse(raw)
            hj212.parse_cp(packet.cp)
            if packet.wants_response:
                self.transport.write(hj212.build(hj212.data_response(packet)))


def serve_null(port: int) -> None:
    """The null listener's process: says "ready" on standard output once listening, serves until killed."""

    async def serve() -> None:
        await asyncio.get_running_loop().create_server(NullListener, "127.0.0.1", port, backlog=2048)
        print("ready", flush=True)
        await asyncio.Event().wait()

    _run(serve())


@contextmanager
def null_listener() -> Iterator[tuple[int, int]]:
    """A null listener process on a free port: (port, pid)."""
    port = free_port()
    command = [sys.executable, "-m", "bench.hj212", "--serve-null", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        if process.stdout is None or process.stdout.readline().strip() != "ready":
            raise RuntimeError("the null listener did not start")
        yield port, process.pid
    finally:
        process.kill()
        process.wait()


def parse_only(packets: list[bytes]) -> float:
    started = time.perf_counter()
    for raw in packets:
        hj212.parse_cp(hj212.parse(raw).cp)
    return time.perf_counter() - started


def measure(
    base: str, port: int, args: argparse.Namespace, pid: int, database: str | None, null: tuple[int, int]
) -> dict[str, Any]:
    """Packets/s, the parse-only and null-listener rates, and CPU a packet (figures the machine's other load changes
    little): of ``greenlaw run`` and its HJ 212 workers, of PostgreSQL's backends serving it, of this client, and of
    the null listener."""
    asyncio.run(create_stations(base, args.stations))
    null_port, null_pid = null

    async def session() -> dict[str, Any]:
        stations = await connect_all(port, args.stations)
        null_stations = await connect_all(null_port, args.stations)

        async def one_run(run: int) -> dict[str, float]:
            first = run * args.packets
            plan = {s.number: [packet(s.number, first + h) for h in range(args.packets)] for s in stations}
            server, backends = server_pids(pid), backend_pids(database) if database else []
            server_cpu, backend_cpu, client_cpu = cpu_seconds(server), cpu_seconds(backends), time.process_time()
            elapsed = await drive(stations, plan)
            client_cpu = time.process_time() - client_cpu
            server_cpu = cpu_seconds(server) - server_cpu
            backend_cpu = cpu_seconds(backend_pids(database) if database else []) - backend_cpu
            flat = [raw for per in plan.values() for raw in per]
            rate, baseline = len(flat) / elapsed, len(flat) / parse_only(flat)
            null_cpu = cpu_seconds([null_pid])
            null_rate = len(flat) / await drive(null_stations, plan)
            null_us = (cpu_seconds([null_pid]) - null_cpu) / len(flat) * 1e6
            per = {name: cpu / len(flat) * 1e6 for name, cpu in
                   (("server", server_cpu), ("postgres", backend_cpu), ("client", client_cpu))}  # fmt: skip
            load = os.getloadavg()[0]
            print(
                f"run {run}: {rate:,.0f} packets/s, parse-only {baseline:,.0f}/s, null listener {null_rate:,.0f}/s;"
                f" CPU a packet: server {per['server']:.0f} µs ({len(server)} processes), PostgreSQL"
                f" {per['postgres']:.0f} µs, client {per['client']:.0f} µs, null listener {null_us:.0f} µs;"
                f" load {load:.1f}"
            )
            return {
                "packets_per_s": rate, "parse_only_per_s": baseline, "ratio_to_parse_only": rate / baseline,
                "null_listener_per_s": null_rate, "ratio_to_null_listener": rate / null_rate,
                "null_listener_cpu_us_per_packet": null_us,
                "server_cpu_us_per_packet": per["server"], "postgres_cpu_us_per_packet": per["postgres"],
                "client_cpu_us_per_packet": per["client"], "load_average_1m": load,
            }  # fmt: skip

        results = [await one_run(r) for r in range(args.runs)]
        for station in (*stations, *null_stations):
            station.writer.close()
        return repeat(len(results), lambda i: results[i])

    return _run(session())


def _run(main: Coroutine[Any, Any, T]) -> T:
    """uvloop when installed (as the server has it): the client then takes less of the shared cores."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=1000, help="concurrent connections, one station each")
    parser.add_argument("--packets", type=int, default=10, help="packets per connection per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite", help="monitoring's database")
    parser.add_argument("--workers", type=int, default=1, help="HJ 212 listener processes (more than 1: PostgreSQL)")
    parser.add_argument("--serve-null", type=int, metavar="PORT", help=argparse.SUPPRESS)  # the null listener
    args = parser.parse_args(argv)
    if args.serve_null:
        serve_null(args.serve_null)
        return
    port = free_port()
    env = {
        # Creating 1,000 stations hashes 1,000 argon2 passwords: on a loaded machine a request can take longer
        # than the gateway's default 10 s.
        "GREENLAW_GATEWAY_UPSTREAM_TIMEOUT": "120",
        "GREENLAW_MONITORING_HJ212_PORT": str(port),
        "GREENLAW_MONITORING_HJ212_MAX_CONNECTIONS": str(args.stations + 100),
        "GREENLAW_MONITORING_HJ212_WORKERS": str(args.workers),
    }
    database = None
    with ExitStack() as stack:
        if args.database == "postgres":
            dsn = stack.enter_context(throwaway_database())
            database = dsn.rsplit("/", 1)[1]
            env["GREENLAW_MONITORING_DATABASE_URL"] = sqlalchemy_url(dsn)
        system = stack.enter_context(embedded_process(**env))
        figures = measure(system.base, port, args, system.pid, database, stack.enter_context(null_listener()))
    shape = {"database": args.database, "connections": args.stations, "pollutants": 6, "workers": args.workers}
    shape["packets_per_connection_per_run"] = args.packets
    median = figures["packets_per_s"]["median"]
    met = median >= 20_000 and figures["ratio_to_parse_only"]["median"] >= 0.5
    name = "hj212" if args.database == "sqlite" else "hj212_postgres"
    if args.workers > 1:
        name += f"_workers{args.workers}"
    record(name, {**shape, **figures, "targets": {"packets_per_s": 20_000, "ratio_to_parse_only": 0.5}, "met": met})


if __name__ == "__main__":
    main()
