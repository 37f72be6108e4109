"""Composition root of the cases service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.cases.api import router
from services.cases.settings import CasesSettings
from shared.messaging import InProcessBus
from shared.service import ServiceSpec, build_service_app

SPEC = ServiceSpec(
    name="cases",
    title="greenlaw cases",
    description="执法案件办理: parties, inspections, leads, cases, decisions (决定书), deadlines, statistics.",
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[router],
)


def create_app(settings: CasesSettings | None = None, *, bus: InProcessBus | None = None) -> FastAPI:
    return build_service_app(SPEC, settings or CasesSettings(), bus=bus)
