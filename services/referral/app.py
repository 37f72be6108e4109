"""Composition root of the referral service (涉嫌犯罪案件移送)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import httpx
from fastapi import FastAPI

from services.referral.api import ROUTERS
from services.referral.consumers import subscriptions
from services.referral.handlers.deadlines import Deadlines
from services.referral.procuratorate import deliverer_hook
from services.referral.settings import ReferralSettings
from shared.file_store import ContentStore
from shared.messaging import InProcessBus, Subscription
from shared.service import ServiceSpec, build_service_app
from shared.settings import ServiceSettings
from shared.workdays import WorkCalendar


def _subscribe(settings: ServiceSettings) -> Sequence[Subscription]:
    assert isinstance(settings, ReferralSettings)
    return subscriptions(settings)


SPEC = ServiceSpec(
    name="referral",
    title="greenlaw referral",
    description="行政执法与刑事司法衔接: referrals of suspected environmental crimes and the police liaison API.",
    migrations_dir=Path(__file__).parent / "migrations",
    routers=list(ROUTERS),
    subscriptions=_subscribe,
    hooks=[deliverer_hook()],
)


def create_app(
    settings: ReferralSettings | None = None,
    *,
    bus: InProcessBus | None = None,
    procuratorate_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """``procuratorate_transport`` replaces the network for the procuratorate copies (tests, demos)."""
    settings = settings or ReferralSettings()
    spec = dataclasses.replace(SPEC, hooks=[deliverer_hook(procuratorate_transport)])
    app = build_service_app(spec, settings, bus=bus)
    app.state.deadlines = Deadlines(settings, WorkCalendar.from_file(settings.common.holidays_file))
    app.state.document_store = ContentStore(settings.resolved_documents_dir(), max_bytes=settings.max_document_bytes)
    return app
