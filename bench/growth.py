"""Growth: how the public search and the hourly aggregation slow down as the data grows (PostgreSQL).

- Public search: ``GET /public/v1/decisions`` (``q`` = a party-name fragment, 20 items; and the kind/date filter
  list) with N publications. Publications are made the way the product makes them: ``cases.decision.issued.v1``
  events delivered to the disclosure service's own consumer (inbox, handler, outbox) over the in-process bus,
  penalties auto-published. p95 of 200 requests through the disclosure app (in-process ASGI, no network).
- Aggregation: ``GET /api/v1/monitoring/readings?interval=hour&aggregation=hour`` for one station-month, with N
  readings in the table, loaded through the batch-ingest endpoint (the product's bulk path), 10,000 a request,
  hourly, 6 pollutants, spread over as many stations as needed (8,640 readings per station: 60 days); p95 of 100
  queries (in-process ASGI, no network). The queried
  station-month holds the same 720 hours at every size, so the growth is the table's, not the answer's. Measured
  twice: as loaded (the table has no planner statistics yet) and after ``ANALYZE reading`` (what autovacuum does
  after enough inserts: the steady state, which the target is judged on).

Baseline in the same run: the smallest size; each larger size is reported as a ratio to it, next to N/N₀ and
(N log N)/(N₀ log N₀) ("no worse than log-linear"). Targets (issue): search p95 ≤ 50 ms at 1M publications;
aggregation ≤ 100 ms at 10M readings. Defaults are small (1k/5k publications, 100k/500k readings, ≈ 2-3 min);
the full check: ``python -m bench.growth --publications 10000,100000,1000000 --readings 1000000,10000000``
(the 10M size loads for several minutes; one throwaway PostgreSQL database per size, dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from bench.common import RESULTS, percentile, record, sqlalchemy_url, throwaway_database
from bench.event_latency import credit_code
from shared.auth import issue_token
from shared.contracts import CloudEvent
from shared.contracts.events import DecisionIssuedV1
from shared.messaging import InProcessBus
from shared.messaging.transport import OutgoingMessage
from shared.settings import CommonSettings

QUERIES = 200
PARAMETERS = ("so2", "no2", "pm10", "pm25", "co", "o3")
HOURS_PER_STATION = 24 * 60
START = datetime(2024, 1, 1, tzinfo=UTC)
PASSWORD = "bench-growth"


def issued(rng: random.Random, number: int) -> CloudEvent:
    day = date(2021, 1, 1) + timedelta(days=number % 1000)
    payload = DecisionIssuedV1.model_validate(
        {
            "decision_id": f"bench-{number:08d}",
            "kind": "penalty",
            "document_number": f"津西青环罚〔{day.year}〕{number}号",
            "decided_on": day.isoformat(),
            "party": {
                "party_id": f"party-{number:08d}",
                "party_type": "organisation",
                "name": f"企业{number:07d}",
                "credit_code": credit_code(rng),
            },
            "facts": "超标排放" if number % 2 else "未批先建",
            "legal_basis": "《水污染防治法》第八十三条",
            "penalty": {"fine_fen": 1_000_000 + number},
        }
    )
    return CloudEvent.wrap(payload, subject=payload.decision_id, actor="bench")


async def timed_gets(client: httpx.AsyncClient, urls: list[str], headers: dict[str, str]) -> list[float]:
    times = []
    for url in urls:
        started = time.perf_counter()
        answer = await client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    return times


def quantiles(times: list[float]) -> dict[str, float]:
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)}


# Publications past the first ``--through-consumer`` are copies of those the consumer made (see ``clone``).
CLONE_BATCH = 100_000
CLONE_SQL = """
INSERT INTO publication ({columns})
SELECT {values}
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS n
JOIN publication AS t ON t.decision_id = 'bench-' || lpad(CAST(n % :made AS text), 8, '0')
"""
CLONE_OVERRIDES = {
    "id": "'clone-' || lpad(CAST(n AS text), 10, '0')",
    "decision_id": "'bench-' || lpad(CAST(n AS text), 8, '0')",
    "document_number": "'津西青环罚〔' || extract(year FROM DATE '2021-01-01' + n % 1000) || '〕' || n || '号'",
    "party_name": "'企业' || lpad(CAST(n AS text), 7, '0')",
    "public_party_name": "'企业' || lpad(CAST(n AS text), 7, '0')",
    "decided_on": "DATE '2021-01-01' + n % 1000",
}


async def clone(dsn: str, made: int, size: int) -> None:
    """Publications ``made`` … ``size - 1`` as copies of the consumer-made ones (``n % made``: same facts, dates,
    due and publication days, redaction), each with its own id, decision, number, party name and decision day as
    ``issued(n)`` gives them, in one ``INSERT … SELECT`` per 100,000 (the change-counter trigger and every index
    apply as for the consumer's rows). Loading 1M through the consumer takes hours (≈ 120 a second)."""
    import asyncpg
    from sqlalchemy import text

    connection = await asyncpg.connect(dsn)
    try:
        names = [
            r["column_name"]
            for r in await connection.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'publication' "
                "ORDER BY ordinal_position"
            )
        ]
    finally:
        await connection.close()
    values = ", ".join(CLONE_OVERRIDES.get(name, f"t.{name}") for name in names)
    statement = text(CLONE_SQL.format(columns=", ".join(names), values=values))
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(sqlalchemy_url(dsn))
    try:
        for first in range(made, size, CLONE_BATCH):
            async with engine.begin() as conn:
                await conn.execute(
                    statement, {"first": first, "last": min(size, first + CLONE_BATCH) - 1, "made": made}
                )
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE publication"))
    finally:
        await engine.dispose()


async def search_at(size: int, dsn: str, through_consumer: int) -> dict[str, float]:
    from services.disclosure.app import create_app
    from services.disclosure.settings import DisclosureSettings

    bus = InProcessBus()
    # No page cache: the benchmark measures the query as the data grows, not repeated answers from memory.
    settings = DisclosureSettings(
        database_url=sqlalchemy_url(dsn),
        publish_modes={"penalty": "auto"},
        watch_interval_seconds=3600.0,
        public_cache_entries=0,
    )
    app = create_app(settings, bus=bus)
    rng = random.Random(size)
    made = min(size, through_consumer)
    async with app.router.lifespan_context(app):
        started = time.perf_counter()
        for first in range(0, made, 32):
            events = [issued(rng, n) for n in range(first, min(made, first + 32))]
            await asyncio.gather(
                *(bus.deliver(OutgoingMessage(e.topic, e.subject or "", e.to_bytes(), e.id)) for e in events)
            )
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        if size > made:
            await clone(dsn, made, size)
        clone_s = time.perf_counter() - started
        names = [f"/public/v1/decisions?q=企业{rng.randrange(size):07d}" for _ in range(QUERIES)]
        lists = [f"/public/v1/decisions?kind=penalty&from=2021-{m:02d}-01&to=2021-{m:02d}-28" for m in range(1, 11)]
        lists = (lists * QUERIES)[:QUERIES]
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            await timed_gets(client, names[:10] + lists[:10], {})  # warm-up
            search = quantiles(await timed_gets(client, names, {}))
            listing = quantiles(await timed_gets(client, lists, {}))
    print(f"{size:>10,} publications: search p95 {search['p95_ms']:.1f} ms, list p95 {listing['p95_ms']:.1f} ms")
    return {
        "search_p95_ms": search["p95_ms"],
        "search_p50_ms": search["p50_ms"],
        "list_p95_ms": listing["p95_ms"],
        "list_p50_ms": listing["p50_ms"],
        "through_consumer": made,
        "cloned": size - made,
        "load_s": load_s,
        "clone_s": clone_s,
    }


def station(number: int) -> str:
    return f"GROW{number:05d}"


def batches(size: int) -> Iterator[list[dict[str, object]]]:
    """``size`` hourly readings, 8,640 per station (60 days × 6 pollutants), in requests of 10,000 (made lazily)."""
    for first in range(0, size, 10_000):
        rows: list[dict[str, object]] = []
        for index in range(first, min(size, first + 10_000)):
            number, rest = divmod(index, HOURS_PER_STATION * len(PARAMETERS))
            hour, parameter = divmod(rest, len(PARAMETERS))
            moment = START + timedelta(hours=hour)
            value = round(10 + (number * 7 + hour * 13 + parameter * 29) % 90 + 0.5, 1)
            rows.append(
                {"station": station(number), "parameter": PARAMETERS[parameter], "interval": "hour",
                 "time": moment.isoformat(), "value": value, "unit": "µg/m³", "flag": "N"}
            )  # fmt: skip
        yield rows


async def aggregation_at(size: int, dsn: str) -> dict[str, float]:
    from services.monitoring.app import create_app
    from services.monitoring.settings import MonitoringSettings

    common = CommonSettings()
    settings = MonitoringSettings(common=common, database_url=sqlalchemy_url(dsn), hj212_enabled=False)
    app = create_app(settings, bus=InProcessBus())
    token = issue_token(common, subject="bench", roles=["monitoring_reviewer"], zone="staff")
    headers = {"Authorization": f"Bearer {token}"}
    stations = math.ceil(size / (HOURS_PER_STATION * len(PARAMETERS)))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", headers=headers, timeout=300
        ) as client,
    ):
        for number in range(stations):
            body = {"code": station(number), "kind": "air_station", "name": f"站{number}", "town": "杨柳青镇",
                    "level": "district", "parameters": list(PARAMETERS), "password": PASSWORD}  # fmt: skip
            (await client.post("/api/v1/monitoring/stations", json=body)).raise_for_status()
        started = time.perf_counter()
        for rows in batches(size):
            (await client.post("/api/v1/monitoring/readings:batch", json=rows)).raise_for_status()
        load_s = time.perf_counter() - started
        month = f"station={station(0)}&parameter=pm25&start=2024-01-01T00:00:00%2B08:00&end=2024-01-31T00:00:00%2B08:00"
        url = f"/api/v1/monitoring/readings?{month}&interval=hour&aggregation=hour"
        check = (await client.get(url)).json()["items"]
        await timed_gets(client, [url] * 5, {})  # warm-up
        loaded = quantiles(await timed_gets(client, [url] * 100, {}))
        await analyse(dsn)
        await timed_gets(client, [url] * 5, {})
        figures = quantiles(await timed_gets(client, [url] * 100, {}))
    print(
        f"{size:>10,} readings: aggregation p95 {figures['p95_ms']:.1f} ms after ANALYZE, {loaded['p95_ms']:.1f} ms"
        f" as loaded ({len(check)} hours, load {load_s:.0f} s)"
    )
    return {
        "aggregation_p95_ms": figures["p95_ms"],
        "aggregation_p50_ms": figures["p50_ms"],
        "as_loaded_p95_ms": loaded["p95_ms"],
        "as_loaded_p50_ms": loaded["p50_ms"],
        "load_s": load_s,
    }


async def analyse(dsn: str) -> None:
    """What autovacuum's ANALYZE does after enough inserts (a fresh table has no statistics; until monitoring's
    migration 0004 the planner then preferred an index on (interval, time), every station's rows in the range)."""
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("ANALYZE reading")
    finally:
        await connection.close()


def with_ratios(points: dict[int, dict[str, float]], key: str) -> dict[str, Any]:
    """Each size against the smallest: measured ratio, linear ratio, log-linear ratio, and whether within it."""
    smallest = min(points)
    out: dict[str, Any] = {}
    for size, figures in sorted(points.items()):
        ratio = figures[key] / points[smallest][key]
        log_linear = size * math.log(size) / (smallest * math.log(smallest))
        out[str(size)] = {
            **figures,
            f"{key}_ratio_to_smallest": ratio,
            "size_ratio": size / smallest,
            "n_log_n_ratio": log_linear,
            "within_log_linear": ratio <= log_linear,
        }
    return out


def run(kind: str, sizes: list[int], through_consumer: int) -> dict[int, dict[str, float]]:
    points = {}
    for size in sizes:
        with throwaway_database(f"greenlaw_growth_{kind}") as dsn:
            if kind == "search":
                points[size] = asyncio.run(search_at(size, dsn, through_consumer))
            else:
                points[size] = asyncio.run(aggregation_at(size, dsn))
    return points


def sizes(text: str) -> list[int]:
    """Comma-separated sizes; ``none`` for none (that part is skipped and its last recorded figures kept)."""
    if text.strip().lower() == "none":
        return []
    return sorted(int(part.replace("_", "")) for part in text.split(",") if part.strip())


def earlier(part: str) -> dict[str, Any]:
    """A part of the last recorded run (kept when this run skips it), with the date it was measured."""
    path = RESULTS / "growth.json"
    if not path.exists():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    found = document.get(part) or {}
    if found and "measured" not in found:
        found = {"measured": document.get("date"), **found}
    return dict(found)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publications", type=sizes, default=[1_000, 5_000], help="comma-separated sizes")
    parser.add_argument("--readings", type=sizes, default=[100_000, 500_000], help="comma-separated sizes")
    parser.add_argument(
        "--through-consumer",
        type=int,
        default=100_000,
        help="publications made by the disclosure consumer; the rest are SQL copies of them",
    )
    args = parser.parse_args(argv)
    search = (
        with_ratios(run("search", args.publications, args.through_consumer), "search_p95_ms")
        if args.publications
        else earlier("search")
    )
    aggregation = (
        with_ratios(run("aggregation", args.readings, 0), "aggregation_p95_ms")
        if args.readings
        else earlier("aggregation")
    )
    met: dict[str, bool] = {}
    for name, part, key, target, size in (
        ("search", search, "search_p95_ms", 50, 1_000_000),
        ("aggregation", aggregation, "aggregation_p95_ms", 100, 10_000_000),
    ):
        points = {k: v for k, v in part.items() if k.isdigit()}
        met[f"{name} no worse than log-linear"] = all(p["within_log_linear"] for p in points.values())
        largest = max((int(k) for k in points), default=0)
        if largest >= size:
            met[f"{name} p95 <= {target} ms at {size:,}"] = points[str(largest)][key] <= target
    figures = {"unit": "ms", "database": "postgresql", "search": search, "aggregation": aggregation}
    record("growth", {**figures, "targets": met, "met": all(met.values())})


if __name__ == "__main__":
    main()
