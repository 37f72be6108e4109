"""Composition root of the monitoring service (环境监测)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.monitoring.api import ROUTERS
from services.monitoring.data.loader import load_hj212_codes, load_standards
from services.monitoring.domain.readings import DayOutOfRange
from services.monitoring.domain.standards import NoStandardInForce, Standards
from services.monitoring.handlers.bulletin_schedule import local_today, publish_ready_bulletins
from services.monitoring.handlers.credentials import StationCredentials, station_policy
from services.monitoring.handlers.passwords import PasswordCache
from services.monitoring.heap import freeze_heap
from services.monitoring.hj212_listener import hj212_hook
from services.monitoring.settings import MonitoringSettings
from shared.messaging import InProcessBus
from shared.periodic import Periodic
from shared.problems import problem_response
from shared.service import ServiceRuntime, ServiceSpec, build_service_app
from shared.tasks import running

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
DESCRIPTION = "环境监测: stations, readings (batch and HJ 212), data review, AQI and water class, bulletins."

SPEC = ServiceSpec(
    name="monitoring",
    title="greenlaw monitoring",
    description=DESCRIPTION,
    migrations_dir=MIGRATIONS_DIR,
    routers=list(ROUTERS),
    own_json_paths=frozenset({"/api/v1/monitoring/readings:batch"}),
)


async def _no_standard(request: Request, exc: Exception) -> JSONResponse:
    """A date before every table of a standard is bad input, wherever it is asked for."""
    return problem_response(request, 422, f"该日期无适用标准 {exc}", slug="no-standard-in-force")


async def _day_out_of_range(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, 422, f"日期超出范围 {exc}", slug="day-out-of-range")


Hook = Callable[[FastAPI, ServiceRuntime], AbstractAsyncContextManager[None]]


def password_threads(passwords: PasswordCache) -> Hook:
    """The dummy hash is made before the first unknown MN is tried (else that one try would cost twice as much);
    the verification threads end with the service."""

    @contextlib.asynccontextmanager
    async def hook(_app: FastAPI, _runtime: ServiceRuntime) -> AsyncIterator[None]:
        await passwords.warm_up()
        try:
            yield
        finally:
            passwords.close()

    return hook


def bulletin_schedule(settings: MonitoringSettings, standards: Standards) -> Hook:
    """The automatic air and noise bulletins: a round every interval, the first one after the first interval."""

    @contextlib.asynccontextmanager
    async def hook(_app: FastAPI, runtime: ServiceRuntime) -> AsyncIterator[None]:
        if not settings.bulletin_schedule_enabled:
            yield
            return
        interval = settings.bulletin_schedule_interval_seconds
        rounds = Periodic(
            "bulletin-schedule",
            lambda: publish_ready_bulletins(
                runtime.uow, standards, today=local_today(), lookback_days=settings.bulletin_schedule_lookback_days
            ),
            interval,
            failure_event="bulletin_schedule_failed",
            first_delay=interval,
        )
        async with running(rounds.run(), name="monitoring:bulletin-schedule"):
            yield

    return hook


@contextlib.asynccontextmanager
async def freeze_startup_heap(_app: FastAPI, _runtime: ServiceRuntime) -> AsyncIterator[None]:
    """Once started, the long-lived heap is moved out of the garbage collector's reach (``heap``)."""
    freeze_heap()
    yield


def create_app(settings: MonitoringSettings | None = None, *, bus: InProcessBus | None = None) -> FastAPI:
    """Standard tables are read once here (files only, no connections); the HJ 212 listener runs as a hook."""
    settings = settings or MonitoringSettings()
    standards = load_standards(settings.standards_dirs)
    passwords = PasswordCache()
    credentials = StationCredentials(station_policy(settings), passwords)
    spec = ServiceSpec(
        name=SPEC.name,
        title=SPEC.title,
        description=SPEC.description,
        migrations_dir=SPEC.migrations_dir,
        routers=SPEC.routers,
        own_json_paths=SPEC.own_json_paths,
        hooks=[
            password_threads(passwords),
            hj212_hook(standards, load_hj212_codes(), credentials),
            bulletin_schedule(settings, standards),
            freeze_startup_heap,
        ],
    )
    app = build_service_app(spec, settings, bus=bus)
    app.add_exception_handler(NoStandardInForce, _no_standard)
    app.add_exception_handler(DayOutOfRange, _day_out_of_range)
    app.state.standards = standards
    app.state.station_credentials = credentials
    return app
