"""Rules of the before-enforcement publication (事前公开): the officer list folded by register version, a credential's
status on a day, the statistics periods and when they may be published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from services.disclosure.domain.before_enforcement import (
    check_release,
    credential_status,
    officers_on_list,
    period_end,
    release_title,
)
from shared.errors import Conflict, Invalid


@dataclass(frozen=True)
class Record:
    officer_id: str
    version: int
    active: bool


def test_each_officer_is_listed_by_its_latest_version_in_any_arrival_order() -> None:
    records = [Record("a", 1, True), Record("b", 3, False), Record("b", 2, True), Record("a", 2, True)]
    assert officers_on_list(records) == [Record("a", 2, True)]
    assert officers_on_list(reversed(records)) == [Record("a", 2, True)]


def test_a_credential_expires_after_its_last_day() -> None:
    assert credential_status(None, date(2021, 6, 30), date(2021, 6, 30)) == "valid"
    assert credential_status(None, date(2021, 6, 30), date(2021, 7, 1)) == "expired"
    assert credential_status(None, None, date(2099, 1, 1)) == "valid"


def test_a_credential_is_valid_from_its_first_day() -> None:
    first, last = date(2019, 3, 1), date(2025, 2, 28)
    assert credential_status(first, last, date(2019, 2, 28)) == "not_yet_valid"
    assert credential_status(first, last, first) == "valid"
    assert credential_status(first, last, last) == "valid"
    assert credential_status(first, None, date(2099, 1, 1)) == "valid"


@pytest.mark.parametrize(
    ("period", "end"),
    [("Q1", date(2021, 3, 31)), ("Q2", date(2021, 6, 30)), ("Q3", date(2021, 9, 30)), ("Q4", date(2021, 12, 31))],
)
def test_quarters_end_on_their_last_day(period: str, end: date) -> None:
    assert period_end(2021, period) == end  # type: ignore[arg-type]
    assert period_end(2021, "year") == date(2021, 12, 31)


def test_titles_name_the_period_in_chinese() -> None:
    assert release_title(2021, "Q3") == "2021年第三季度行政执法统计"
    assert release_title(2021, "year") == "2021年度行政执法统计年报"


def test_a_period_is_published_after_it_ends_and_not_after_today() -> None:
    today = date(2021, 7, 10)
    check_release(2021, "Q2", date(2021, 7, 1), today=today)
    with pytest.raises(Conflict):
        check_release(2021, "Q3", today, today=today)
    with pytest.raises(Invalid):
        check_release(2021, "Q2", date(2021, 6, 30), today=today)
    with pytest.raises(Invalid):
        check_release(2021, "Q2", date(2021, 7, 11), today=today)
