"""Open series: one station-month of reviewed data from ``GET /public/v1/monitoring/stations/{code}/readings`` on a
large reading table (PostgreSQL).

N hourly readings are loaded as ``bench.growth`` loads them (the batch endpoint, 6 pollutants, 60 days a station),
every station-day is then confirmed (the open API serves reviewed days only, a per-row lookup of ``day_review``),
and the table analysed. Timed, p95 of 100 requests each (in-process ASGI, no network): the PM2.5 month of one
station (720 values, one page), and the first page (1,000 values) of all its parameters for the month. The queried
station-month is the same at every size, so the growth is the table's. References in the same run: the staff raw
series of the same month (``GET /api/v1/monitoring/readings``, no review condition), and the reviewed PM2.5 month
as bare SQL over asyncpg (what the database alone takes).

``python -m bench.open_series [--readings 100000,1000000]`` (one throwaway database per size, dropped afterwards).

``--grow-to 10000000``: after the first size is measured, the same database grows server-side to that many readings
(``INSERT … SELECT generate_series``: whole stations of the same 60 hourly days and 6 pollutants, their station-days
confirmed, then ``ANALYZE``; 10M in ≈ 1.5 minutes on 2 loaded cores, where the batch endpoint took 4.5 on them
quiet) and the same requests are timed again.
The first size is the same-run baseline, reported as a ratio (the figure on a loaded machine is the load's as much
as the query's; the ratio less so). ``--runs 3`` repeats it, a fresh database each time, and writes each run and
the medians to ``bench/results/open_series_grown.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time
from typing import Any

import httpx

from bench.common import record, sqlalchemy_url, throwaway_database
from bench.growth import HOURS_PER_STATION, PARAMETERS, analyse, batches, quantiles, station, timed_gets
from shared.auth import issue_token
from shared.messaging import InProcessBus
from shared.settings import CommonSettings

MONTH = "start=2024-01-01T00:00:00%2B08:00&end=2024-01-31T00:00:00%2B08:00"


async def confirm_every_day(dsn: str) -> None:
    """What reviewers do day by day, at once: every station-day with data confirmed."""
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("UPDATE day_review SET status = 'confirmed', reason = 'bench', version = version + 1")
    finally:
        await connection.close()


STATION_COLUMNS_KEPT = ("code", "id", "name")


async def grow(dsn: str, base_stations: int, size: int) -> tuple[int, float]:
    """Add whole stations server-side until the table holds at least ``size`` readings: the station rows copied
    from the first with a new id and code, 8,640 readings each (the values ``bench.growth.batches`` would send),
    every station-day confirmed. Returns the readings in the table and the seconds taken (ANALYZE included)."""
    import asyncpg

    per_station = HOURS_PER_STATION * len(PARAMETERS)
    stations = math.ceil(size / per_station)
    connection = await asyncpg.connect(dsn)
    started = time.perf_counter()
    try:
        columns = [
            row["column_name"]
            for row in await connection.fetch(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'station' ORDER BY ordinal_position"
            )
        ]
        copied = ", ".join(column for column in columns if column not in STATION_COLUMNS_KEPT)
        await connection.execute(
            f"INSERT INTO station (id, code, name, {copied}) "  # column names from the catalogue
            f"SELECT 'bench-' || n, 'GROW' || lpad(n::text, 5, '0'), '站' || n, {copied} "
            "FROM station, generate_series($1::int, $2::int) AS n WHERE code = $3",
            base_stations,
            stations - 1,
            station(0),
        )
        chunk = 50  # stations a statement (432,000 readings): progress, and no single 10M-row transaction
        for first in range(base_stations, stations, chunk):
            last = min(stations, first + chunk) - 1
            await connection.execute(
                """
                INSERT INTO reading (station_code, parameter, interval, time, value, unit, instrument_flag,
                                     auto_flags, source, received_at)
                SELECT 'GROW' || lpad(s::text, 5, '0'), p.name, 'hour',
                       timestamptz '2024-01-01 00:00:00+00' + h * interval '1 hour',
                       10 + (s * 7 + h * 13 + (p.i - 1) * 29) % 90 + 0.5, 'µg/m³', 'N', '', 'batch', now()
                FROM generate_series($1::int, $2::int) AS s, generate_series(0, $3::int - 1) AS h,
                     unnest($4::text[]) WITH ORDINALITY AS p(name, i)
                """,
                first,
                last,
                HOURS_PER_STATION,
                list(PARAMETERS),
            )
            await connection.execute(
                """
                INSERT INTO day_review (station_code, day, status, reason, reviewer, reviewed_at, version)
                SELECT 'GROW' || lpad(s::text, 5, '0'), date '2024-01-01' + d, 'confirmed', 'bench', 'bench', now(), 1
                FROM generate_series($1::int, $2::int) AS s, generate_series(0, $3::int) AS d
                """,
                first,
                last,
                HOURS_PER_STATION // 24,  # the UTC hours from 2024-01-01 reach one more local day (UTC+8)
            )
            print(f"  grown to {last + 1:,} stations", flush=True)
        await connection.execute("ANALYZE")
        total = int(await connection.fetchval("SELECT count(*) FROM reading"))
    finally:
        await connection.close()
    return total, time.perf_counter() - started


# The reviewed PM2.5 month as bare SQL: the statement the open series sends (``handlers.open_data.reviewed_series``,
# its first page), without the app around it.
BARE_SQL = """
SELECT r.parameter, r.interval, r.time, r.value, r.unit, r.instrument_flag, r.auto_flags
FROM reading AS r
WHERE r.station_code = $1 AND r.interval = 'hour' AND r.parameter = 'pm25'
  AND r.time >= timestamptz '2024-01-01 00:00:00+08' AND r.time < timestamptz '2024-01-31 00:00:00+08'
  AND EXISTS (SELECT 1 FROM day_review AS d WHERE d.station_code = r.station_code
              AND d.day = date(timezone('Asia/Shanghai', r.time)) AND d.status = 'confirmed')
ORDER BY r.time, r.parameter
LIMIT 1001
"""


async def bare_sql(dsn: str, runs: int = 100) -> dict[str, float]:
    """p50/p95 of :data:`BARE_SQL` over one asyncpg connection (5 warm-up runs first)."""
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        times = []
        for index in range(runs + 5):
            started = time.perf_counter()
            await connection.fetch(BARE_SQL, station(0))
            if index >= 5:
                times.append((time.perf_counter() - started) * 1000)
    finally:
        await connection.close()
    return quantiles(times)


async def series_at(size: int, dsn: str, grow_to: int | None = None) -> dict[str, Any]:
    from services.monitoring.app import create_app
    from services.monitoring.settings import MonitoringSettings

    common = CommonSettings()
    settings = MonitoringSettings(
        common=common, database_url=sqlalchemy_url(dsn), hj212_enabled=False, bulletin_schedule_enabled=False
    )
    app = create_app(settings, bus=InProcessBus())
    token = issue_token(common, subject="bench", roles=["monitoring_reviewer"], zone="staff")
    stations = math.ceil(size / (HOURS_PER_STATION * len(PARAMETERS)))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=300) as client,
    ):
        staff = {"Authorization": f"Bearer {token}"}
        for number in range(stations):
            body = {"code": station(number), "kind": "air_station", "name": f"站{number}", "town": "杨柳青镇",
                    "level": "district", "parameters": list(PARAMETERS)}  # fmt: skip
            (await client.post("/api/v1/monitoring/stations", json=body, headers=staff)).raise_for_status()
        started = time.perf_counter()
        for rows in batches(size):
            (await client.post("/api/v1/monitoring/readings:batch", json=rows, headers=staff)).raise_for_status()
        load_s = time.perf_counter() - started
        await confirm_every_day(dsn)
        await analyse(dsn)
        base = f"/public/v1/monitoring/stations/{station(0)}/readings?{MONTH}"
        one, every = f"{base}&parameter=pm25", f"{base}&limit=1000"
        staff_url = f"/api/v1/monitoring/readings?station={station(0)}&parameter=pm25&{MONTH}"
        timings: tuple[tuple[str, str, dict[str, str]], ...] = (
            ("pm25_month", one, {}),
            ("all_parameters_page", every, {}),
            ("staff_raw_pm25_month", staff_url, staff),
        )

        async def measure(readings: int) -> dict[str, Any]:
            values = len((await client.get(one)).json()["items"])
            figures: dict[str, Any] = {"readings": readings, "pm25_month_values": values}
            for name, url, headers in timings:
                await timed_gets(client, [url] * 5, headers)  # warm-up
                times = quantiles(await timed_gets(client, [url] * 100, headers))
                figures |= {f"{name}_p50_ms": times["p50_ms"], f"{name}_p95_ms": times["p95_ms"]}
            bare = await bare_sql(dsn)
            figures |= {"bare_sql_p50_ms": bare["p50_ms"], "bare_sql_p95_ms": bare["p95_ms"]}
            figures["pm25_month_over_bare_sql_p95"] = figures["pm25_month_p95_ms"] / bare["p95_ms"]
            print(
                f"{readings:>10,} readings: PM2.5 month ({values} values) p95 {figures['pm25_month_p95_ms']:.1f} ms, "
                f"all parameters (first 1,000) p95 {figures['all_parameters_page_p95_ms']:.1f} ms; the staff raw "
                f"month, all days, same run: p95 {figures['staff_raw_pm25_month_p95_ms']:.1f} ms; the same month as "
                f"bare SQL: p95 {bare['p95_ms']:.1f} ms",
                flush=True,
            )
            return figures

        figures = await measure(size) | {"load_s": load_s}
        if grow_to is None:
            return figures
        total, grow_s = await grow(dsn, stations, grow_to)
        grown = await measure(total) | {"grow_s": grow_s}
    ratios = {f"{name}_p95_ratio": grown[f"{name}_p95_ms"] / figures[f"{name}_p95_ms"] for name, _, _ in timings} | {
        "bare_sql_p95_ratio": grown["bare_sql_p95_ms"] / figures["bare_sql_p95_ms"]
    }
    print(f"grown {grow_s:.0f} s; p95 ratios to {size:,}: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
    return {"baseline": figures, "grown": grown, **ratios}


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the runs (the baseline's and the grown table's, and the ratios)."""

    def median_of(values: list[float]) -> float:
        return float(statistics.median(values))

    out: dict[str, Any] = {}
    for key, first in runs[0].items():
        if isinstance(first, dict):
            out[key] = {name: median_of([run[key][name] for run in runs]) for name in first}
        else:
            out[key] = median_of([run[key] for run in runs])
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--readings",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[100_000],
        help="comma-separated table sizes",
    )
    parser.add_argument(
        "--grow-to",
        type=int,
        default=None,
        help="after the first size, grow its database server-side to this many readings and measure again",
    )
    parser.add_argument("--runs", type=int, default=1, help="with --grow-to: repeat, a fresh database each time")
    args = parser.parse_args(argv)
    if args.grow_to is not None:
        runs = []
        for _ in range(args.runs):
            with throwaway_database("greenlaw_open_series") as dsn:
                runs.append(asyncio.run(series_at(args.readings[0], dsn, args.grow_to)))
        record("open_series_grown", {"median": medians(runs), "runs": runs})
        return
    results: dict[int, dict[str, Any]] = {}
    for size in args.readings:
        with throwaway_database("greenlaw_open_series") as dsn:
            results[size] = asyncio.run(series_at(size, dsn))
    record("open_series", {str(size): figures for size, figures in results.items()})


if __name__ == "__main__":
    main()
