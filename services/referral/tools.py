"""What the entry points share beyond the runtime: settings, the working-day calendar and the document store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request

from services.referral.domain.deadlines import Deadline, DeadlineState, deadline_state, referral_deadlines
from services.referral.handlers import clock_of
from services.referral.settings import ReferralSettings
from services.referral.tables import Referral
from shared.file_store import ContentStore
from shared.workdays import WorkCalendar


@dataclass(frozen=True)
class Tools:
    settings: ReferralSettings
    calendar: WorkCalendar
    store: ContentStore

    def deadlines(self, referral: Referral, *, now: datetime | None = None) -> list[tuple[Deadline, DeadlineState]]:
        now = now or datetime.now(UTC)
        found = referral_deadlines(
            clock_of(referral),
            calendar=self.calendar,
            rules=self.settings.domain_rules(),
            decision_tracks=self.settings.domain_tracks(),
        )
        return [(d, self.state(d, now)) for d in found]

    def state(self, deadline: Deadline, now: datetime) -> DeadlineState:
        return deadline_state(
            deadline,
            now=now,
            calendar=self.calendar,
            at_risk_hours=self.settings.at_risk_hours,
            at_risk_working_days=self.settings.at_risk_working_days,
        )


def tools_of(request: Request) -> Tools:
    tools: Tools = request.app.state.referral_tools
    return tools
