"""Composition root of the disclosure service."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from services.disclosure.api import ROUTERS
from services.disclosure.background import credit_china_sender, deadline_watch, redaction_recheck
from services.disclosure.consumers import subscriptions
from services.disclosure.portal import before_enforcement as portal_lists
from services.disclosure.portal import draws as portal_draws
from services.disclosure.portal import pages as portal
from services.disclosure.portal import rule_of_law as rule_of_law_portal
from services.disclosure.public_cache import PublicPagesMiddleware
from services.disclosure.settings import DisclosureSettings
from shared.decision_kinds import load_table
from shared.messaging import InProcessBus
from shared.service import ServiceSpec, build_service_app
from shared.settings import ServiceSettings
from shared.workdays import WorkCalendar


class PublicCORS:
    """CORS for the configured origins on ``/public/`` only: the staff API is never read from a browser origin."""

    def __init__(self, app: ASGIApp, *, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "HEAD", "OPTIONS"],
            allow_headers=["If-None-Match"],
            expose_headers=["ETag", "Cache-Control"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith("/public/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def create_app(
    settings: DisclosureSettings | None = None,
    *,
    bus: InProcessBus | None = None,
    cases_transport: httpx.AsyncBaseTransport | None = None,
    referral_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """``cases_transport`` lets tests and the embedded mode reach the cases app in-process (annual report);
    ``referral_transport`` the referral app (rule-of-law report), also settable later on ``app.state``."""
    settings = settings or DisclosureSettings()
    settings.require_public_address()
    calendar = WorkCalendar.from_file(settings.common.holidays_file)
    load_table(settings.common.decision_kinds_file)  # a bad decision-kinds file stops the start, not a request

    def subscribe(service_settings: ServiceSettings) -> list:  # type: ignore[type-arg]
        assert isinstance(service_settings, DisclosureSettings)
        return subscriptions(service_settings, calendar)

    spec = ServiceSpec(
        name="disclosure",
        title="greenlaw disclosure",
        description="行政执法公示: publications of decisions, due dates, withdrawal, the public API and portal.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[*ROUTERS, portal.router, portal_draws.router, portal_lists.router, rule_of_law_portal.router],
        subscriptions=subscribe,
        hooks=[deadline_watch, credit_china_sender, redaction_recheck],
    )
    app = build_service_app(spec, settings, bus=bus)
    app.state.calendar = calendar
    app.state.cases_transport = cases_transport
    app.state.referral_transport = referral_transport
    app.add_middleware(PublicCORS, origins=settings.cors_origins)
    # Innermost of the user middleware: inside the request IDs, metrics and CORS, before routing.
    app.user_middleware.append(Middleware(PublicPagesMiddleware))
    return app
