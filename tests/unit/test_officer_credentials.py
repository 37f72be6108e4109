"""执法证有效期: both ends of the valid period included, an end not recorded left open, a period that ends before
it starts refused."""

from __future__ import annotations

from datetime import date

import pytest

from services.cases.domain.credentials import check_period, valid_on
from shared.errors import Invalid

FIRST, LAST = date(2019, 3, 1), date(2025, 2, 28)


def test_valid_from_the_first_day_to_the_last() -> None:
    assert not valid_on(date(2019, 2, 28), FIRST, LAST)
    assert valid_on(FIRST, FIRST, LAST)
    assert valid_on(LAST, FIRST, LAST)
    assert not valid_on(date(2025, 3, 1), FIRST, LAST)


def test_an_end_not_recorded_is_open() -> None:
    assert valid_on(date(1990, 1, 1), None, LAST)
    assert valid_on(date(2099, 1, 1), FIRST, None)
    assert valid_on(date(2099, 1, 1), None, None)


def test_a_period_ending_before_it_starts_is_refused() -> None:
    check_period(FIRST, FIRST)
    check_period(None, LAST)
    check_period(FIRST, None)
    with pytest.raises(Invalid) as refused:
        check_period(LAST, FIRST)
    assert refused.value.slug == "credential-period"
