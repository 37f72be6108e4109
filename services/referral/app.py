"""Composition root of the referral service (涉嫌犯罪案件移送)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.referral.settings import ReferralSettings
from shared.messaging import InProcessBus
from shared.service import ServiceSpec, build_service_app

SPEC = ServiceSpec(
    name="referral",
    title="greenlaw referral",
    description="行政执法与刑事司法衔接: referrals of suspected environmental crimes and the police liaison API.",
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[],
)


def create_app(settings: ReferralSettings | None = None, *, bus: InProcessBus | None = None) -> FastAPI:
    return build_service_app(SPEC, settings or ReferralSettings(), bus=bus)
