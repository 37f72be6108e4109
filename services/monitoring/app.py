"""Composition root of the monitoring service (环境监测)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.monitoring.settings import MonitoringSettings
from shared.messaging import InProcessBus
from shared.service import ServiceSpec, build_service_app

SPEC = ServiceSpec(
    name="monitoring",
    title="greenlaw monitoring",
    description="环境监测: stations, readings (batch and HJ 212), data review, AQI and water class, bulletins.",
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[],
)


def create_app(settings: MonitoringSettings | None = None, *, bus: InProcessBus | None = None) -> FastAPI:
    return build_service_app(SPEC, settings or MonitoringSettings(), bus=bus)
