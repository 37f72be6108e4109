"""Loading the demo on the first start of the embedded mode: in the background, through the app's own gateway, so
the server answers (``/readyz`` included) while the year is being entered. ``GREENLAW_DEMO=0`` turns it off;
``GREENLAW_DEMO_SEED`` and ``GREENLAW_DEMO_AIR_DAYS`` change the seed and the days of hourly air data."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

import httpx
import structlog
from fastapi import FastAPI

from services.demo.loader import DemoAlreadyLoaded, LoadReport, load
from services.demo.plan import DEFAULT_SEED, build_plan
from shared.tasks import running

log = structlog.get_logger()

OFF = frozenset({"0", "false", "no", "off"})


def demo_enabled() -> bool:
    return os.environ.get("GREENLAW_DEMO", "1").strip().lower() not in OFF


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


async def load_into(app: FastAPI, *, seed: int, air_days: int) -> LoadReport:
    """Load the demo into ``app`` (the embedded gateway, already started) over in-process HTTP."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))
    async with httpx.AsyncClient(transport=transport, base_url="http://embedded", timeout=300) as client:
        return await load(client, build_plan(seed, air_days=air_days))


async def _load_in_background(app: FastAPI) -> None:
    seed, air_days = _int_env("GREENLAW_DEMO_SEED", DEFAULT_SEED), _int_env("GREENLAW_DEMO_AIR_DAYS", 365)
    try:
        report = await load_into(app, seed=seed, air_days=air_days)
    except DemoAlreadyLoaded:
        log.info("demo_not_loaded", reason="data exists")
    except asyncio.CancelledError:
        log.warning("demo_load_interrupted")
        raise
    except Exception as exc:
        log.exception("demo_load_failed", error=str(exc)[:500])
    else:
        log.info("demo_loaded", seconds=report.seconds, calls=report.calls, created=report.created)


@contextlib.asynccontextmanager
async def demo_loading(app: FastAPI) -> AsyncIterator[None]:
    """While the app runs: the demo load as a background task, cancelled at shutdown."""
    async with running(_load_in_background(app), name="demo:load"):
        log.info("demo_load_scheduled")
        yield
