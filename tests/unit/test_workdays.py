from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.workdays import Calendar, CalendarOverflow, Deadline, WorkCalendar, YearOverride, statutory_holidays

pytestmark = pytest.mark.unit

CAL = WorkCalendar()


def write_yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_penalty_publication_counts_make_up_saturday() -> None:
    # Oct 1–7 2021 National Day holiday; Sat Oct 9 is a make-up working day.
    assert CAL.add_working_days(date(2021, 9, 28), 7) == Deadline(date(2021, 10, 13), provisional=False)


def test_spring_festival_2021_crossing() -> None:
    # Feb 10 (1); Feb 11–17 holiday; Feb 18 (2), 19 (3), Sat 20 make-up (4), Sun 21 off, Feb 22–24 (5–7).
    assert CAL.add_working_days(date(2021, 2, 9), 7) == Deadline(date(2021, 2, 24), provisional=False)


def test_make_up_days_are_working_days() -> None:
    assert CAL.is_workday(date(2021, 10, 9))  # Saturday, 调休
    assert CAL.is_workday(date(2021, 2, 7))  # Sunday, 调休
    assert not CAL.is_workday(date(2021, 10, 4))
    assert CAL.add_working_days(date(2021, 10, 8), 1).due_on == date(2021, 10, 9)


def test_zero_days_is_start_day() -> None:
    assert CAL.add_working_days(date(2021, 10, 2), 0).due_on == date(2021, 10, 2)


def test_year_without_data_keeps_statutory_holidays_and_is_provisional() -> None:
    assert not CAL.has_data(2031)
    assert CAL.has_data(2021)
    # New Year's Day 2031 (a Wednesday) is a statutory holiday by rule; bridge days are unknown: provisional.
    assert CAL.add_working_days(date(2030, 12, 31), 1) == Deadline(date(2031, 1, 2), provisional=True)
    assert CAL.add_working_days(date(2031, 1, 1), 3) == Deadline(date(2031, 1, 6), provisional=True)
    assert CAL.add_calendar_days(date(2031, 3, 1), 14) == Deadline(date(2031, 3, 17), provisional=True)


def test_provisional_only_for_years_actually_examined() -> None:
    assert CAL.add_working_days(date(2021, 12, 30), 3).provisional is False
    assert CAL.add_working_days(date(2026, 12, 29), 5).provisional is True


def test_override_file_changes_answer_and_removes_provisional(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, "2027:\n  holidays: [2027-01-01]\n  workdays: ['2027-01-09']\n")
    cal = WorkCalendar.from_file(path)
    assert cal.has_data(2027)
    assert CAL.add_working_days(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 4), provisional=True)
    assert cal.add_working_days(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 4), provisional=False)
    assert cal.add_working_days(date(2027, 1, 8), 1) == Deadline(date(2027, 1, 9), provisional=False)


OFFICIAL_NAMES = {
    "元旦": chinese_calendar.Holiday.new_years_day,
    "春节": chinese_calendar.Holiday.spring_festival,
    "清明节": chinese_calendar.Holiday.tomb_sweeping_day,
    "劳动节": chinese_calendar.Holiday.labour_day,
    "端午节": chinese_calendar.Holiday.dragon_boat_festival,
    "中秋节": chinese_calendar.Holiday.mid_autumn_festival,
    "国庆节": chinese_calendar.Holiday.national_day,
}
RULE_DAYS = {"元旦": 1, "春节": 4, "清明节": 1, "劳动节": 2, "端午节": 1, "中秋节": 1, "国庆节": 3}


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_holidays_by_rule_match_the_official_calendar(year: int) -> None:
    # The years the rule (revised 2025) and the State Council's published arrangement both cover.
    computed = statutory_holidays(year)
    for day, festival in computed.items():
        assert chinese_calendar.get_holiday_detail(day) == (True, OFFICIAL_NAMES[festival].value), day
    counts = {festival: list(computed.values()).count(festival) for festival in RULE_DAYS}
    assert counts == RULE_DAYS


def test_a_year_without_data_has_spring_festival_on_its_lunar_dates() -> None:
    # 2030: lunar New Year's Day is Sunday 3 February, so 除夕 is Saturday 2 February; 初一–初三 run to Tuesday 5.
    holidays = statutory_holidays(2030)
    assert [d for d, name in sorted(holidays.items()) if name == "春节"] == [
        date(2030, 2, 2), date(2030, 2, 3), date(2030, 2, 4), date(2030, 2, 5)
    ]  # fmt: skip
    assert holidays[date(2030, 4, 5)] == "清明节"
    assert (holidays[date(2030, 6, 5)], holidays[date(2030, 9, 12)]) == ("端午节", "中秋节")
    assert CAL.add_working_days(date(2030, 2, 1), 1) == Deadline(date(2030, 2, 6), provisional=True)
    assert CAL.add_working_days(date(2030, 1, 31), 1) == Deadline(date(2030, 2, 1), provisional=True)
    assert CAL.add_calendar_days(date(2030, 9, 1), 11) == Deadline(date(2030, 9, 13), provisional=True)


def test_the_override_file_wins_over_the_computed_holidays() -> None:
    cal = WorkCalendar(
        {2030: YearOverride(holidays=frozenset({date(2030, 2, 6)}), workdays=frozenset({date(2030, 2, 5)}))}
    )
    assert cal.is_workday(date(2030, 2, 5))
    assert not cal.is_workday(date(2030, 2, 4))  # not listed: the rule still applies
    assert cal.add_working_days(date(2030, 2, 1), 2) == Deadline(date(2030, 2, 7), provisional=False)


def test_statutory_holidays_outside_the_rule_or_the_tables() -> None:
    with pytest.raises(ValueError, match="before the statutory holiday rule"):
        statutory_holidays(2024)
    with pytest.raises(ValueError):
        statutory_holidays(2101)
    assert CAL.is_workday(date(2101, 10, 3))  # a Monday beyond the lunar tables: weekends only


def test_override_takes_precedence_over_chinesecalendar() -> None:
    cal = WorkCalendar({2021: YearOverride(holidays=frozenset({date(2021, 10, 13)}))})
    assert cal.add_working_days(date(2021, 9, 28), 7).due_on == date(2021, 10, 14)
    assert cal.is_workday(date(2021, 10, 9))  # days not listed still follow chinesecalendar


def test_calendar_deadline_on_holiday_moves_to_next_working_day() -> None:
    assert CAL.add_calendar_days(date(2021, 9, 19), 15) == Deadline(date(2021, 10, 8), provisional=False)
    assert CAL.add_calendar_days(date(2021, 9, 19), 14).due_on == date(2021, 10, 8)
    assert CAL.add_calendar_days(date(2021, 9, 1), 7).due_on == date(2021, 9, 8)


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2021, 9, 28), date(2021, 10, 13)) == 7
    assert CAL.working_days_between(date(2021, 9, 28), date(2021, 9, 28)) == 0
    with pytest.raises(ValueError, match="before start"):
        CAL.working_days_between(date(2021, 9, 28), date(2021, 9, 27))


def test_negative_days_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(date(2021, 1, 4), -1)
    with pytest.raises(ValueError, match="negative"):
        CAL.add_calendar_days(date(2021, 1, 4), -1)


def test_missing_or_empty_file_means_no_overrides(tmp_path: Path) -> None:
    assert not WorkCalendar.from_file(None).has_data(2031)
    assert not WorkCalendar.from_file(tmp_path / "absent.yaml").has_data(2031)
    assert not WorkCalendar.from_file(write_yaml(tmp_path, "")).has_data(2031)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027:\n  holidays: [2027-02-30]\n", "not a real date"),
        ("2027:\n  holidays: ['2027-02-30']\n", "not a date"),
        ("2027:\n  holidays: [tomorrow]\n", "not a date"),
        ("2027:\n  holidays: [2027-01-01]\n  workdays: [2027-01-01]\n", "both as holiday and as workday"),
        ("2027:\n  holidays: [2028-01-01]\n", "listed under year 2027"),
        ("2027:\n  holiday: [2027-01-01]\n", "unknown keys"),
        ("2027:\n  holidays: 2027-01-01\n", "must be a list"),
        ("- 2027-01-01\n", "top level must be a mapping"),
        ("next:\n  holidays: []\n", "not a year"),
        ("2027: [\n", "not valid YAML"),
    ],
)
def test_invalid_override_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkCalendar.from_file(write_yaml(tmp_path, text))


@given(
    start=st.dates(min_value=date(2019, 1, 1), max_value=date(2032, 12, 31)),
    n=st.integers(min_value=1, max_value=60),
)
def test_add_working_days_round_trips(start: date, n: int) -> None:
    deadline = CAL.add_working_days(start, n)
    assert deadline.due_on > start
    assert CAL.is_workday(deadline.due_on)
    assert CAL.working_days_between(start, deadline.due_on) == n
    assert CAL.working_days_between(start, deadline.due_on - timedelta(days=1)) == n - 1


def test_a_deadline_past_9999_12_31_is_a_calendar_overflow_not_an_overflow_error() -> None:
    last = date.max - timedelta(days=3)
    with pytest.raises(CalendarOverflow, match="9999-12-31"):
        CAL.add_working_days(last, 7)
    with pytest.raises(CalendarOverflow):
        CAL.add_calendar_days(last, 30)
    with pytest.raises(CalendarOverflow):
        CAL.add_calendar_days(date(2021, 1, 1), 10**9)
    assert CAL.add_calendar_days(date(9999, 12, 1), 20).due_on <= date.max


def test_the_work_calendar_is_the_calendar_the_domain_rules_ask_for() -> None:
    calendar: Calendar = WorkCalendar()
    assert calendar.add_working_days(date(2024, 9, 30), 1).due_on == date(2024, 10, 8)


def test_a_datetime_is_judged_by_its_own_date_whatever_was_asked_before() -> None:
    """The answers are remembered per day: two equal instants written on different dates stay apart."""
    national_day = datetime(2024, 10, 1, 1, tzinfo=timezone(timedelta(hours=8)))
    monday = datetime(2024, 9, 30, 17, tzinfo=UTC)  # the same instant
    assert national_day == monday
    for first in (national_day, monday):
        cal = WorkCalendar()
        cal.is_workday(first)
        assert cal.is_workday(national_day) is False
        assert cal.is_workday(monday) is True


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2040, 12, 31)))
def test_the_remembered_answer_is_the_librarys(day: date) -> None:
    if day.year <= 2026:
        assert CAL.is_workday(day) is chinese_calendar.is_workday(day)
    assert CAL.is_workday(day) is CAL.is_workday(day)
