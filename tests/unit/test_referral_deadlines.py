"""Referral time limits (domain §4) over the Chinese working calendar, and their states."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.referral.domain.deadlines import (
    SHANGHAI,
    DeadlineState,
    ReferralClock,
    deadline_state,
    referral_deadlines,
)
from services.referral.domain.statistics import ReferralFact, year_statistics
from services.referral.settings import ReferralSettings
from shared.workdays import WorkCalendar

pytestmark = pytest.mark.unit

CALENDAR = WorkCalendar()
SETTINGS = ReferralSettings()


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def deadlines(clock: ReferralClock) -> dict[str, object]:
    found = referral_deadlines(
        clock, calendar=CALENDAR, rules=SETTINGS.domain_rules(), decision_tracks=SETTINGS.domain_tracks()
    )
    return {d.name: d for d in found}


def state(clock: ReferralClock, name: str, now: datetime) -> DeadlineState:
    deadline = deadlines(clock)[name]
    return deadline_state(deadline, now=now, calendar=CALENDAR, at_risk_hours=8, at_risk_working_days=1)  # type: ignore[arg-type]


def test_approval_three_working_days_over_national_day() -> None:
    # Reported Thu 2021-09-30: Oct 1–7 holiday; Oct 8 (Fri), Oct 9 (Sat, make-up day), Oct 11 (Mon).
    found = deadlines(ReferralClock(approved_at=sh(2021, 10, 11, 9), reported_on=date(2021, 9, 30)))
    approval = found["approval"]
    assert approval.due_on == date(2021, 10, 11)  # type: ignore[attr-defined]
    assert approval.met_at == sh(2021, 10, 11, 9)  # type: ignore[attr-defined]


def test_transfer_within_24_hours_of_approval_is_a_moment() -> None:
    clock = ReferralClock(approved_at=sh(2024, 3, 1, 15))
    transfer = deadlines(clock)["transfer"]
    assert transfer.due_at == sh(2024, 3, 2, 15)  # type: ignore[attr-defined]
    assert state(clock, "transfer", sh(2024, 3, 2, 8)) is DeadlineState.AT_RISK
    assert state(clock, "transfer", sh(2024, 3, 1, 16)) is DeadlineState.PENDING
    assert state(clock, "transfer", sh(2024, 3, 2, 15, 1)) is DeadlineState.OVERDUE
    late = ReferralClock(approved_at=sh(2024, 3, 1, 15), sent_at=sh(2024, 3, 2, 16))
    assert state(late, "transfer", sh(2024, 3, 5)) is DeadlineState.MET_LATE


def test_decision_tracks_3_7_30_days_and_restart_after_supplement() -> None:
    base = {"approved_at": sh(2024, 3, 1, 9), "sent_at": sh(2024, 3, 1, 10), "received_at": sh(2024, 3, 4, 10)}
    assert deadlines(ReferralClock(**base))["decision"].due_on == date(2024, 3, 7)  # type: ignore[arg-type,attr-defined]
    checks = ReferralClock(**base, decision_track="checks")  # type: ignore[arg-type]
    assert deadlines(checks)["decision"].due_on == date(2024, 3, 13)  # type: ignore[attr-defined]
    complex_ = ReferralClock(**base, decision_track="complex")  # type: ignore[arg-type]
    assert deadlines(complex_)["decision"].due_on == date(2024, 4, 3)  # type: ignore[attr-defined]
    supplemented = ReferralClock(
        **base,  # type: ignore[arg-type]
        notice_at=sh(2024, 3, 5, 9),
        supplemented_at=sh(2024, 3, 7, 9),
    )
    found = deadlines(supplemented)
    assert found["supplement"].due_on == date(2024, 3, 8)  # type: ignore[attr-defined]
    assert found["decision"].due_on == date(2024, 3, 12)  # type: ignore[attr-defined]


def test_refusal_opens_reconsideration_and_supervision_limits() -> None:
    clock = ReferralClock(
        approved_at=sh(2024, 5, 6, 9),
        sent_at=sh(2024, 5, 6, 10),
        received_at=sh(2024, 5, 6, 15),
        first_decision="declined",
        first_decided_at=sh(2024, 5, 8, 10),
        decision="declined",
        decided_at=sh(2024, 5, 15, 10),
        reconsideration_requested_at=sh(2024, 5, 10, 10),
        reconsideration_answered_at=sh(2024, 5, 15, 10),
        reconsideration_answer="declined",
    )
    found = deadlines(clock)
    # Saturday 2024-05-11 was a make-up working day (调休) after the May Day holiday: it counts.
    assert found["reconsideration_request"].due_on == date(2024, 5, 11)  # type: ignore[attr-defined]
    assert found["reconsideration_answer"].due_on == date(2024, 5, 14)  # type: ignore[attr-defined]
    assert found["supervision_request"].due_on == date(2024, 5, 20)  # type: ignore[attr-defined]
    assert "exhibits_handover" not in found
    assert state(clock, "supervision_request", sh(2024, 5, 21, 9)) is DeadlineState.OVERDUE


def test_a_direct_supervision_request_contests_the_refusal_in_time() -> None:
    clock = ReferralClock(
        approved_at=sh(2024, 5, 6, 9),
        sent_at=sh(2024, 5, 6, 10),
        received_at=sh(2024, 5, 6, 15),
        first_decision="declined",
        first_decided_at=sh(2024, 5, 8, 10),
        decision="declined",
        decided_at=sh(2024, 5, 8, 10),
        supervision_requested_at=sh(2024, 5, 11, 16),  # the make-up Saturday: the last day of the 3
    )
    found = deadlines(clock)
    assert found["reconsideration_request"].met_at == sh(2024, 5, 11, 16)  # type: ignore[attr-defined]
    assert state(clock, "reconsideration_request", sh(2024, 5, 20, 9)) is DeadlineState.MET
    assert {"reconsideration_answer", "supervision_request"}.isdisjoint(found)


def test_exhibits_handover_after_acceptance_and_provisional_years() -> None:
    clock = ReferralClock(
        approved_at=sh(2030, 1, 2, 9),
        sent_at=sh(2030, 1, 2, 10),
        received_at=sh(2030, 1, 2, 11),
        first_decision="accepted",
        first_decided_at=sh(2030, 1, 3, 9),
        decision="accepted",
        decided_at=sh(2030, 1, 3, 9),
    )
    handover = deadlines(clock)["exhibits_handover"]
    assert handover.due_on == date(2030, 1, 8)  # type: ignore[attr-defined]
    assert handover.provisional  # type: ignore[attr-defined]  # no official 2030 calendar yet


def test_day_limits_are_at_risk_the_working_day_before() -> None:
    clock = ReferralClock(approved_at=sh(2024, 3, 1, 9), sent_at=sh(2024, 3, 1, 10), received_at=sh(2024, 3, 4, 10))
    assert state(clock, "decision", sh(2024, 3, 5, 10)) is DeadlineState.PENDING
    assert state(clock, "decision", sh(2024, 3, 6, 10)) is DeadlineState.AT_RISK
    assert state(clock, "decision", sh(2024, 3, 7, 23, 59)) is DeadlineState.AT_RISK
    assert state(clock, "decision", sh(2024, 3, 8, 0, 1)) is DeadlineState.OVERDUE


def test_year_statistics_by_medium_outcome_and_time_to_decision() -> None:
    facts = [
        ReferralFact("water", date(2024, 1, 3), "accepted", date(2024, 1, 6)),
        ReferralFact("water", date(2024, 2, 3), "declined", date(2024, 2, 10)),
        ReferralFact("solid_waste", date(2024, 12, 31), None, None),
        ReferralFact("air", date(2023, 12, 31), "accepted", date(2024, 1, 2)),
    ]
    stats = year_statistics(2024, facts)
    assert stats.total == 3
    assert stats.by_medium["water"] == 2
    assert stats.by_medium["air"] == 0
    assert stats.by_outcome == {"accepted": 1, "declined": 1, "returned": 0, "pending": 1}
    assert stats.by_medium_and_outcome["solid_waste"]["pending"] == 1
    assert stats.time_to_decision.count == 2
    assert stats.time_to_decision.mean_days == 5.0
    assert stats.time_to_decision.max_days == 7


def test_rules_are_data() -> None:
    rules = {**SETTINGS.deadline_rules, "transfer": {"amount": 12, "unit": "hours"}}
    tightened = ReferralSettings(deadline_rules=rules)
    found = referral_deadlines(
        ReferralClock(approved_at=datetime(2024, 3, 1, 1, tzinfo=UTC)),
        calendar=CALENDAR,
        rules=tightened.domain_rules(),
        decision_tracks=tightened.domain_tracks(),
    )
    assert found[0].due_at == datetime(2024, 3, 1, 1, tzinfo=UTC) + timedelta(hours=12)
