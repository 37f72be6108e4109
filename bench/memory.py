"""Memory: RSS of the embedded process (``greenlaw run``) idle and under the batch-ingest load, and its trend.

Idle: sampled every second for ``--idle`` seconds after start-up (demo accounts created, nothing else). Load: the
batch-ingest benchmark's clients (``bench.ingest``: 4 stations, 10,000 readings a request, fresh hours every
request) post without pause for ``--seconds``, RSS sampled every second. "Flat" is judged on the slope of RSS over
the second half of the load (after the caches and pools have filled): below 1 MiB/min and the last sample within
10 % of the half-way sample. Issue target: ≤ 300 MiB idle, ≤ 600 MiB under load, flat over 10 minutes: the default
run is 90 s; the full check is ``python -m bench.memory --seconds 600``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from bench import ingest
from bench.common import embedded_process, record, rss_mib


def slope_mib_per_min(samples: list[tuple[float, float]]) -> float:
    times, values = [t for t, _ in samples], [v for _, v in samples]
    if len(samples) < 3:
        return 0.0
    return statistics.linear_regression(times, values).slope * 60


async def load(base: str, pid: int, seconds: float, clients: int) -> list[tuple[float, float]]:
    samples: list[tuple[float, float]] = []
    started = time.monotonic()
    stop = started + seconds

    async def sampler() -> None:
        while time.monotonic() < stop:
            samples.append((time.monotonic() - started, rss_mib(pid)))
            await asyncio.sleep(1)

    async def poster() -> None:
        request = 0
        while time.monotonic() < stop:
            bodies = {c: [ingest.body_of(ingest.rows_for(c, request), as_csv=False)] for c in range(clients)}
            await ingest.post_all(base, bodies)
            request += 1

    await asyncio.gather(sampler(), poster())
    return samples


def measure(args: argparse.Namespace) -> dict[str, Any]:
    with embedded_process(**ingest.PATIENT_GATEWAY) as system:
        idle = []
        for _ in range(args.idle):
            idle.append(rss_mib(system.pid))
            time.sleep(1)
        ingest.create_stations(system.base, args.clients)
        samples = asyncio.run(load(system.base, system.pid, args.seconds, args.clients))
        after = rss_mib(system.pid)
    values = [v for _, v in samples]
    second_half = samples[len(samples) // 2 :]
    slope = slope_mib_per_min(second_half)
    growth = second_half[-1][1] / second_half[0][1] - 1
    flat = slope < 1.0 and abs(growth) <= 0.10
    figures = {
        "unit": "MiB",
        "idle": {"median": statistics.median(idle), "min": min(idle), "max": max(idle)},
        "load": {"median": statistics.median(values), "min": min(values), "max": max(values)},
        "after_load": after,
        "load_seconds": args.seconds,
        "second_half_slope_mib_per_min": slope,
        "second_half_growth": growth,
        "ratio_load_peak_to_idle": max(values) / statistics.median(idle),
        "samples": [[round(t, 1), round(v, 1)] for t, v in samples],
    }
    met = {
        "idle <= 300": figures["idle"]["median"] <= 300,
        "load peak <= 600": max(values) <= 600,
        f"flat over {args.seconds} s": flat,
    }
    return {**figures, "targets": met, "met": all(met.values())}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=10, help="idle seconds sampled")
    parser.add_argument("--seconds", type=int, default=90, help="seconds of ingest load (600 for the full check)")
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args(argv)
    record("memory", measure(args))


if __name__ == "__main__":
    main()
