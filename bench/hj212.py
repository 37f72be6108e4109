"""HJ 212 ingest: packets/s (6 pollutants each) from many concurrent station connections over loopback.

Stations are created through the monitoring API (each with its HJ 212 password); each opens one TCP connection to
the listener of ``greenlaw run``, authenticates with a first packet (argon2, once per connection; not timed) and
then sends hourly data uploads (CN 2061, 6 air pollutants, Flag asking for the CN 9014 answer) one after the other,
each waiting for its answer, as a station does. The rate is answered packets over the wall time. The baseline in
the same run is the parse-only rate of the same packets (``hj212.parse`` + ``parse_cp``, one core).

Target (issue: performance, 2 cores): ≥ 20,000 packets/s from 1,000 concurrent connections.
``python -m bench.hj212 [--stations 1000] [--packets 2] [--runs 3] [--database sqlite|postgres]``
(``--packets``: per connection per run)
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Coroutine
from contextlib import ExitStack
from datetime import datetime, timedelta
from typing import Any

import httpx

from bench.common import (
    embedded_system,
    free_port,
    record,
    repeat,
    sqlalchemy_url,
    staff_token,
    throwaway_database,
)
from services.monitoring.domain import hj212

POLLUTANTS = {"a34004": "pm25", "a34002": "pm10", "a21026": "so2", "a21004": "no2", "a05024": "o3", "a21005": "co"}
PASSWORD = "bench-hj212"
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


def parse_only(packets: list[bytes]) -> float:
    started = time.perf_counter()
    for raw in packets:
        hj212.parse_cp(hj212.parse(raw).cp)
    return time.perf_counter() - started


def measure(base: str, port: int, args: argparse.Namespace) -> dict[str, Any]:
    asyncio.run(create_stations(base, args.stations))

    async def session() -> dict[str, Any]:
        stations = await connect_all(port, args.stations)

        async def one_run(run: int) -> dict[str, float]:
            first = run * args.packets
            plan = {s.number: [packet(s.number, first + h) for h in range(args.packets)] for s in stations}
            elapsed = await drive(stations, plan)
            flat = [raw for per in plan.values() for raw in per]
            rate, baseline = len(flat) / elapsed, len(flat) / parse_only(flat)
            print(f"run {run}: {rate:,.0f} packets/s, parse-only {baseline:,.0f}/s")
            return {"packets_per_s": rate, "parse_only_per_s": baseline, "ratio_to_parse_only": rate / baseline}

        results = [await one_run(r) for r in range(args.runs)]
        for station in stations:
            station.writer.close()
        return repeat(len(results), lambda i: results[i])

    return _run(session())


def _run(main: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """uvloop when installed (as the server has it): the client then takes less of the shared cores."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=1000, help="concurrent connections, one station each")
    parser.add_argument("--packets", type=int, default=2, help="packets per connection per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite", help="monitoring's database")
    args = parser.parse_args(argv)
    port = free_port()
    env = {
        # Creating 1,000 stations hashes 1,000 argon2 passwords: on a loaded machine a request can take longer
        # than the gateway's default 10 s.
        "GREENLAW_GATEWAY_UPSTREAM_TIMEOUT": "120",
        "GREENLAW_MONITORING_HJ212_PORT": str(port),
        "GREENLAW_MONITORING_HJ212_MAX_CONNECTIONS": str(args.stations + 100),
    }
    with ExitStack() as stack:
        if args.database == "postgres":
            env["GREENLAW_MONITORING_DATABASE_URL"] = sqlalchemy_url(stack.enter_context(throwaway_database()))
        base = stack.enter_context(embedded_system(**env))
        figures = measure(base, port, args)
    shape = {"database": args.database, "connections": args.stations, "pollutants": 6}
    shape["packets_per_connection_per_run"] = args.packets
    met = figures["packets_per_s"]["median"] >= 20_000
    name = "hj212" if args.database == "sqlite" else "hj212_postgres"
    record(name, {**shape, **figures, "targets": {"packets_per_s": 20_000}, "met": met})


if __name__ == "__main__":
    main()
