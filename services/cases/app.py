"""Composition root of the cases service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.cases.api import ROUTERS
from services.cases.consumers import subscriptions
from services.cases.handlers.rule_tables import hearing_table, rates_table
from services.cases.settings import CasesSettings
from shared.decision_kinds import load_table
from shared.messaging import InProcessBus, Subscription
from shared.service import ServiceSpec, build_service_app
from shared.settings import ServiceSettings
from shared.workdays import WorkCalendar

SPEC = ServiceSpec(
    name="cases",
    title="greenlaw cases",
    description="执法案件办理: parties, inspections, leads, cases, decisions (决定书), deadlines, statistics.",
    migrations_dir=Path(__file__).parent / "migrations",
    routers=ROUTERS,
)


def create_app(settings: CasesSettings | None = None, *, bus: InProcessBus | None = None) -> FastAPI:
    settings = settings or CasesSettings()
    calendar = WorkCalendar.from_file(settings.common.holidays_file)
    hearing_table(settings)  # a malformed hearing table stops the start, not a later request
    rates_table(settings)  # likewise the random inspection rates
    load_table(settings.common.decision_kinds_file)  # a bad decision-kinds file stops the start, not a request

    def subscribe(service_settings: ServiceSettings) -> list[Subscription]:
        assert isinstance(service_settings, CasesSettings)
        return subscriptions(service_settings, calendar)

    spec = ServiceSpec(
        name=SPEC.name,
        title=SPEC.title,
        description=SPEC.description,
        migrations_dir=SPEC.migrations_dir,
        routers=SPEC.routers,
        subscriptions=subscribe,
    )
    app = build_service_app(spec, settings, bus=bus)
    app.state.calendar = calendar
    return app
