"""Open series: one station-month of reviewed data from ``GET /public/v1/monitoring/stations/{code}/readings`` on a
large reading table (PostgreSQL).

N hourly readings are loaded as ``bench.growth`` loads them (the batch endpoint, 6 pollutants, 60 days a station),
every station-day is then confirmed (the open API serves reviewed days only, a per-row lookup of ``day_review``),
and the table analysed. Timed, p95 of 100 requests each (in-process ASGI, no network): the PM2.5 month of one
station (720 values, one page), and the first page (1,000 values) of all its parameters for the month. The queried
station-month is the same at every size, so the growth is the table's. Reference in the same run: the staff raw
series of the same month (``GET /api/v1/monitoring/readings``, no review condition).

``python -m bench.open_series [--readings 100000,1000000]`` (one throwaway database per size, dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import math
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


async def series_at(size: int, dsn: str) -> dict[str, float]:
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
        values = len((await client.get(one)).json()["items"])
        staff_url = f"/api/v1/monitoring/readings?station={station(0)}&parameter=pm25&{MONTH}"
        figures: dict[str, Any] = {"load_s": load_s, "pm25_month_values": values}
        timings = (
            ("pm25_month", one, {}),
            ("all_parameters_page", every, {}),
            ("staff_raw_pm25_month", staff_url, staff),
        )
        for name, url, headers in timings:
            await timed_gets(client, [url] * 5, headers)  # warm-up
            times = quantiles(await timed_gets(client, [url] * 100, headers))
            figures |= {f"{name}_p50_ms": times["p50_ms"], f"{name}_p95_ms": times["p95_ms"]}
    print(
        f"{size:>10,} readings: PM2.5 month ({values} values) p95 {figures['pm25_month_p95_ms']:.1f} ms, "
        f"all parameters (first 1,000) p95 {figures['all_parameters_page_p95_ms']:.1f} ms; the staff raw month, all "
        f"days, same run: p95 {figures['staff_raw_pm25_month_p95_ms']:.1f} ms (load {load_s:.0f} s)"
    )
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--readings",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[100_000],
        help="comma-separated table sizes",
    )
    args = parser.parse_args(argv)
    results: dict[int, dict[str, float]] = {}
    for size in args.readings:
        with throwaway_database("greenlaw_open_series") as dsn:
            results[size] = asyncio.run(series_at(size, dsn))
    record("open_series", {str(size): figures for size, figures in results.items()})


if __name__ == "__main__":
    main()
