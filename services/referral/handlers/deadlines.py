"""Time limits of referrals (期限): each referral's limits and their states, and the ones needing attention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlmodel import col, select

from services.referral.access import REFERRAL
from services.referral.domain.deadlines import (
    SHANGHAI,
    Deadline,
    DeadlineState,
    ReferralClock,
    deadline_state,
    referral_deadlines,
)
from services.referral.domain.steps import OPEN_STATUSES
from services.referral.schemas import DeadlinePublic
from services.referral.settings import ReferralSettings
from services.referral.tables import Referral
from shared.auth import Principal
from shared.messaging import UnitOfWork
from shared.workdays import Calendar

ATTENTION = frozenset({DeadlineState.AT_RISK, DeadlineState.OVERDUE})


@dataclass(frozen=True)
class Deadlines:
    """The configured rules and the working-day calendar, applied to a referral's moments."""

    settings: ReferralSettings
    calendar: Calendar

    def of(self, referral: Referral, *, now: datetime | None = None) -> list[tuple[Deadline, DeadlineState]]:
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


def clock_of(referral: Referral) -> ReferralClock:
    return ReferralClock(
        approved_at=referral.approved_at,
        reported_on=referral.reported_on,
        sent_at=referral.sent_at,
        received_at=referral.received_at,
        notice_at=referral.notice_at,
        supplemented_at=referral.supplemented_at,
        first_decision=referral.first_decision,
        first_decided_at=referral.first_decided_at,
        decision=referral.decision,
        decided_at=referral.decided_at,
        decision_track=referral.decision_track,
        reconsideration_requested_at=referral.reconsideration_requested_at,
        reconsideration_answered_at=referral.reconsideration_answered_at,
        reconsideration_answer=referral.reconsideration_answer,
        supervision_requested_at=referral.supervision_requested_at,
        exhibits_handed_over_at=referral.exhibits_handed_over_at,
    )


def deadline_view(deadline: Deadline, state: DeadlineState) -> DeadlinePublic:
    return DeadlinePublic(
        name=deadline.name,
        obligor=deadline.obligor,
        due_on=deadline.due_on,
        due_at=deadline.due_at,
        provisional=deadline.provisional,
        met_at=deadline.met_at,
        state=state.value,
    )


async def deadlines_needing_attention(
    uow: UnitOfWork,
    deadlines: Deadlines,
    caller: Principal,
    *,
    now: datetime,
    states: frozenset[DeadlineState] = ATTENTION,
) -> list[tuple[Referral, Deadline, DeadlineState]]:
    """Open limits of the open referrals ``caller`` reaches in ``states``, the most urgent first."""
    query = select(Referral).where(col(Referral.status).in_([s.value for s in OPEN_STATUSES]))
    query = REFERRAL.where(query, caller, Referral)
    found: list[tuple[Referral, Deadline, DeadlineState]] = []
    for referral in (await uow.session.execute(query)).scalars():
        found.extend((referral, d, s) for d, s in deadlines.of(referral, now=now) if s in states)
    return sorted(found, key=lambda item: _due_moment(item[1]))


def _due_moment(deadline: Deadline) -> datetime:
    if deadline.due_at is not None:
        return deadline.due_at
    return datetime.combine(deadline.due_on, time(23, 59, 59), tzinfo=SHANGHAI).astimezone(UTC)
