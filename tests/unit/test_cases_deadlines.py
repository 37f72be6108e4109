"""Every deadline rule of a case, with holiday-crossing working-day periods and clock stops."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.cases.domain import deadlines as d
from shared.workdays import WorkCalendar

pytestmark = pytest.mark.unit

CAL = WorkCalendar()
L = d.Limits()


def test_lead_filing_due_fifteen_days_plus_fifteen() -> None:
    assert d.lead_filing_due(CAL, date(2021, 3, 1), extended=False, limits=L).due_on == date(2021, 3, 16)
    assert d.lead_filing_due(CAL, date(2021, 3, 1), extended=True, limits=L).due_on == date(2021, 3, 31)
    # 2021-09-16 + 15 = Oct 1 (National Day) → next working day Oct 8.
    assert d.lead_filing_due(CAL, date(2021, 9, 16), extended=False, limits=L).due_on == date(2021, 10, 8)


def test_decision_due_ninety_days_and_extensions() -> None:
    filed = date(2021, 3, 1)
    assert d.decision_due(CAL, filed, today=filed, limits=L).due_on == date(2021, 5, 31)  # May 30 is a Sunday
    head = d.decision_due(CAL, filed, head_extension=True, today=filed, limits=L)
    assert head.due_on == date(2021, 6, 29)
    both = d.decision_due(CAL, filed, head_extension=True, collective_extension_days=30, today=filed, limits=L)
    assert both.due_on == date(2021, 7, 29)  # 150 days
    longer = d.decision_due(CAL, filed, head_extension=True, collective_extension_days=45, today=filed, limits=L)
    assert longer.due_on == date(2021, 8, 13)  # the meeting's own period: no fixed +30


def test_decision_due_lands_on_holiday_and_moves() -> None:
    # 2021-07-03 + 90 = 2021-10-01 (National Day) → 2021-10-08.
    assert d.decision_due(CAL, date(2021, 7, 3), today=date(2021, 7, 3), limits=L).due_on == date(2021, 10, 8)


def test_clock_stops_are_not_counted() -> None:
    filed = date(2021, 3, 1)
    stops = [
        d.ClockStop(date(2021, 3, 10), date(2021, 3, 20), "suspension"),  # 10 days
        d.ClockStop(date(2021, 3, 15), date(2021, 3, 25), "testing"),  # overlaps: 5 more days
        d.ClockStop(date(2021, 4, 1), None, "referral"),  # open: counted up to today
    ]
    assert d.stopped_days(stops, today=date(2021, 4, 4)) == 18
    due = d.decision_due(CAL, filed, stops=stops, today=date(2021, 4, 4), limits=L)
    assert due.due_on == date(2021, 6, 17)  # 90 + 18 = 108 days


@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 60)), max_size=6))
def test_stopped_days_never_exceed_the_span(raw: list[tuple[int, int]]) -> None:
    base = date(2022, 1, 1)
    stops = [
        d.ClockStop(base.fromordinal(base.toordinal() + s), base.fromordinal(base.toordinal() + s + n), "x")
        for s, n in raw
    ]
    total = d.stopped_days(stops, today=base)
    assert 0 <= total <= sum(n for _, n in raw)


def test_answer_window_five_working_days_over_national_day() -> None:
    # Received 2021-09-28: Sept 29, 30, Oct 8, 9 (make-up Saturday), 11 → 2021-10-11.
    assert d.answer_due(CAL, date(2021, 9, 28), limits=L).due_on == date(2021, 10, 11)


def test_service_seven_working_days_over_national_day() -> None:
    # The domain check: 7 working days from 2021-09-28 is 2021-10-13.
    assert d.service_due(CAL, date(2021, 9, 28), limits=L).due_on == date(2021, 10, 13)


def test_payment_fifteen_days_and_surcharge_capped() -> None:
    due = d.payment_due(CAL, date(2021, 3, 1), limits=L).due_on
    assert due == date(2021, 3, 16)
    assert d.late_surcharge_fen(1_000_000, due_on=due, paid_on=due, limits=L) == 0
    assert d.late_surcharge_fen(1_000_000, due_on=due, paid_on=date(2021, 3, 18), limits=L) == 60_000
    assert d.late_surcharge_fen(1_000_000, due_on=due, paid_on=date(2022, 3, 18), limits=L) == 1_000_000


@given(st.integers(0, 10**12), st.integers(0, 2000))
def test_surcharge_never_exceeds_the_fine(fine: int, days: int) -> None:
    due = date(2021, 1, 1)
    paid = date.fromordinal(due.toordinal() + days)
    assert 0 <= d.late_surcharge_fen(fine, due_on=due, paid_on=paid, limits=L) <= fine


def test_court_enforcement_window_after_the_appeal_periods() -> None:
    # Served 2021-07-16: reconsideration until 2021-09-14, litigation until 2022-01-16, a Sunday → Monday 2022-01-17;
    # the window opens the next day and closes 3 months after the periods' end, 2022-04-17 (Sunday) → 2022-04-18.
    # A demand served 2021-08-03 has long run its 10 days.
    early = d.court_enforcement_window(CAL, date(2021, 7, 16), date(2021, 8, 3), limits=L)
    assert (early.opens_on, early.due_on, early.provisional) == (date(2022, 1, 18), date(2022, 4, 18), False)
    assert d.court_enforcement_window(CAL, date(2021, 7, 16), None, limits=L) == early
    # A demand served 2022-01-12: its 10 days end 2022-01-22, a Saturday → 2022-01-24; open from 2022-01-25.
    late = d.court_enforcement_window(CAL, date(2021, 7, 16), date(2022, 1, 12), limits=L)
    assert (late.opens_on, late.due_on) == (date(2022, 1, 25), date(2022, 4, 18))
    # The edge: a demand served 2022-01-07 ends its 10 days on Monday 2022-01-17, with the periods: no later.
    assert d.court_enforcement_window(CAL, date(2021, 7, 16), date(2022, 1, 7), limits=L).opens_on == date(2022, 1, 18)
    assert d.court_enforcement_window(CAL, date(2021, 7, 16), date(2022, 1, 8), limits=L).opens_on == date(2022, 1, 19)


def test_months_end_on_the_same_day_or_the_months_last() -> None:
    assert d.add_months(date(2021, 11, 30), 3) == date(2022, 2, 28)
    assert d.add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)


def test_year_without_calendar_data_is_provisional() -> None:
    due = d.service_due(CAL, date(2031, 3, 3), limits=L)
    assert due.provisional
