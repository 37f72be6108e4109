"""Composition root of the disclosure service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.disclosure.api import router
from services.disclosure.consumers import subscriptions
from services.disclosure.settings import DisclosureSettings
from shared.messaging import InProcessBus
from shared.service import ServiceSpec, build_service_app
from shared.settings import ServiceSettings
from shared.workdays import WorkCalendar


def create_app(settings: DisclosureSettings | None = None, *, bus: InProcessBus | None = None) -> FastAPI:
    settings = settings or DisclosureSettings()
    calendar = WorkCalendar.from_file(settings.common.holidays_file)

    def subscribe(service_settings: ServiceSettings) -> list:  # type: ignore[type-arg]
        assert isinstance(service_settings, DisclosureSettings)
        return subscriptions(service_settings, calendar)

    spec = ServiceSpec(
        name="disclosure",
        title="greenlaw disclosure",
        description="行政执法公示: publications of decisions, due dates, withdrawal, the public API and portal.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[router],
        subscriptions=subscribe,
    )
    app = build_service_app(spec, settings, bus=bus)
    app.state.calendar = calendar
    return app
