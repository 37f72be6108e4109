"""Loading the demo on the first start of the embedded mode: in the background, through the app's own gateway, so
the server answers (``/readyz`` included) while the year is being entered. ``GREENLAW_DEMO=0`` turns it off;
``GREENLAW_DEMO_SEED`` and ``GREENLAW_DEMO_AIR_DAYS`` change the seed and the days of hourly air data.

A load that does not finish (the server stopped, a failure) leaves a marker file in the data directory; the next
start says so and what to do, and ``greenlaw demo load`` explains its refusal with it. The load is not resumed:
it is a year of dated, numbered acts, and a second start cannot know which of a step's calls went through."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import structlog
from fastapi import FastAPI

from services.demo.loader import DemoAlreadyLoaded, LoadReport, load
from services.demo.plan import DEFAULT_SEED, build_plan
from shared.outbound import tls_context
from shared.tasks import running

log = structlog.get_logger()

OFF = frozenset({"0", "false", "no", "off"})
MARKER = "demo-load.incomplete"
INTERRUPTED = (
    "演示数据上次未加载完（开始于 {started}），数据目录中只有部分演示数据 The demo load started at {started} did not "
    "finish: {data_dir} holds part of the demo year. To load it whole, stop the server, delete {data_dir} and start "
    "`make run` again; GREENLAW_DEMO=0 keeps the partial data and silences this message."
)


class LoadMarker:
    """The file that says a demo load into ``data_dir`` began and has not finished."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / MARKER

    def begin(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.path.write_text(datetime.now(UTC).isoformat(timespec="seconds") + "\n", encoding="utf-8")

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)

    def interrupted(self) -> str | None:
        """What to tell the operator when an earlier load did not finish; ``None`` when none is pending."""
        try:
            started = self.path.read_text(encoding="utf-8").strip() or "?"
        except FileNotFoundError:
            return None
        return INTERRUPTED.format(started=started, data_dir=self.data_dir)

    def warn_if_interrupted(self) -> None:
        if (message := self.interrupted()) is not None:
            log.warning("demo_load_incomplete", message=message)


def demo_enabled() -> bool:
    return os.environ.get("GREENLAW_DEMO", "1").strip().lower() not in OFF


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


async def load_into(app: FastAPI, *, seed: int, air_days: int) -> LoadReport:
    """Load the demo into ``app`` (the embedded gateway, already started) over in-process HTTP."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://embedded", timeout=300, verify=tls_context()
    ) as client:
        return await load(client, build_plan(seed, air_days=air_days))


async def _load_in_background(app: FastAPI, marker: LoadMarker) -> None:
    seed, air_days = _int_env("GREENLAW_DEMO_SEED", DEFAULT_SEED), _int_env("GREENLAW_DEMO_AIR_DAYS", 365)
    marker.begin()
    try:
        report = await load_into(app, seed=seed, air_days=air_days)
    except DemoAlreadyLoaded as exc:
        marker.finish()  # nothing of the demo was written
        log.info("demo_not_loaded", reason=str(exc))
    except asyncio.CancelledError:
        log.warning("demo_load_interrupted", message=marker.interrupted())
        raise
    except Exception as exc:
        log.exception("demo_load_failed", error=str(exc)[:500], message=marker.interrupted())
    else:
        marker.finish()
        log.info("demo_loaded", seconds=report.seconds, calls=report.calls, created=report.created)


@contextlib.asynccontextmanager
async def demo_loading(app: FastAPI, data_dir: Path) -> AsyncIterator[None]:
    """While the app runs: the demo load as a background task, cancelled at shutdown."""
    async with running(_load_in_background(app, LoadMarker(data_dir)), name="demo:load"):
        log.info("demo_load_scheduled")
        yield
