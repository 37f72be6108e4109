"""The permit limit in force on a day, overlapping limits refused, results due per month, completeness, and the
effluent chart."""

from __future__ import annotations

from datetime import date

import pytest

from services.monitoring.domain.enterprises import (
    Limit,
    OverlappingLimit,
    check_new_limit,
    completeness,
    limit_in_force,
    month_profiles,
)
from shared.charts import effluent_chart_svg

pytestmark = pytest.mark.unit

OLD = Limit("cod", 50.0, "mg/L", date(2021, 1, 1), date(2021, 6, 30))
NEW = Limit("cod", 30.0, "mg/L", date(2021, 7, 1), None)
NH3N = Limit("nh3n", 5.0, "mg/L", date(2021, 3, 1), None)


def test_the_limit_in_force_is_the_one_of_the_day() -> None:
    limits = [OLD, NEW, NH3N]
    assert limit_in_force(limits, "cod", date(2021, 6, 30)) == OLD  # its last day is in force
    assert limit_in_force(limits, "cod", date(2021, 7, 1)) == NEW
    assert limit_in_force(limits, "cod", date(2030, 1, 1)) == NEW  # open-ended
    assert limit_in_force(limits, "cod", date(2020, 12, 31)) is None  # before the permit
    assert limit_in_force(limits, "nh3n", date(2021, 2, 28)) is None
    assert limit_in_force(limits, "tp", date(2021, 7, 1)) is None


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2021, 6, 30), None),  # starts on the old one's last day
        (date(2020, 1, 1), date(2021, 1, 1)),  # ends on the old one's first day
        (date(2021, 7, 1), date(2021, 12, 31)),  # from the open-ended one's first day: it would renew nothing
        (date(2020, 1, 1), None),  # covers both
    ],
)
def test_overlapping_limits_of_a_pollutant_are_refused(start: date, end: date | None) -> None:
    with pytest.raises(OverlappingLimit):
        check_new_limit([OLD, NEW], Limit("cod", 40.0, "mg/L", start, end))


def test_adjacent_limits_and_other_pollutants_are_accepted() -> None:
    assert check_new_limit([NEW], OLD) is None
    assert check_new_limit([OLD], NEW) is None
    assert check_new_limit([OLD, NEW], Limit("nh3n", 5.0, "mg/L", date(2020, 1, 1), None)) is None


def test_a_later_limit_renews_the_open_ended_one() -> None:
    renewal = Limit("cod", 20.0, "mg/L", date(2023, 1, 1), None)
    assert check_new_limit([OLD, NEW], renewal) == NEW  # to be ended on 2022-12-31
    with pytest.raises(OverlappingLimit):  # not before the open-ended one's own start
        check_new_limit([OLD, NEW], Limit("cod", 20.0, "mg/L", date(2021, 7, 1), None))
    with pytest.raises(OverlappingLimit):
        check_new_limit([], Limit("cod", 40.0, "mg/L", date(2021, 2, 1), date(2021, 1, 31)))


def test_results_due_per_month_follow_the_frequency() -> None:
    every_day = [limit("cod", 2020, 1, 1)]
    later = date(2030, 1, 1)
    assert completeness("hour", 2021, every_day, {}, later)[1].expected == 24 * 28
    assert completeness("hour", 2024, every_day, {}, later)[1].expected == 24 * 29
    assert completeness("day", 2021, every_day, {}, later)[6].expected == 31
    assert completeness("month", 2021, every_day, {}, later)[6].expected == 1
    assert [m.expected for m in completeness("quarter", 2021, every_day, {}, later)] == [1, 0, 0] * 4
    with pytest.raises(ValueError, match="unknown frequency"):
        completeness("weekly", 2021, every_day, {}, later)


def test_completeness_counts_each_pollutant_up_to_what_was_due() -> None:
    # Daily COD and NH3-N in June 2021 (30 days each, 60 due): 30 COD results, 12 NH3-N, and a duplicate COD
    # count above what was due counts no more than 30.
    year_long = [limit("cod", 2021, 1, 1), limit("nh3n", 2021, 1, 1)]
    later = date(2022, 6, 1)
    months = completeness("day", 2021, year_long, {("cod", 6): 31, ("nh3n", 6): 12}, later)
    june = months[5]
    assert (june.month, june.reported, june.expected, june.ratio) == (6, 42, 60, 0.7)
    assert (months[0].reported, months[0].expected, months[0].ratio) == (0, 62, 0.0)
    quarterly = completeness("quarter", 2021, year_long[:1], {("cod", 4): 1}, later)
    assert [(m.reported, m.expected, m.ratio) for m in quarterly[3:6]] == [(1, 1, 1.0), (0, 0, None), (0, 0, None)]


def test_completeness_owes_nothing_for_days_to_come_or_without_a_limit() -> None:
    # COD limited all year, NH3-N only from 15 July; today is 10 August 2021.
    limits = [limit("cod", 2021, 1, 1), limit("nh3n", 2021, 7, 15)]
    months = completeness("day", 2021, limits, {}, date(2021, 8, 10))
    assert [m.expected for m in months] == [31, 28, 31, 30, 31, 30, 31 + 17, 10 + 10, 0, 0, 0, 0]
    assert months[8].ratio is None  # September: nothing due yet, not 0 %
    before = completeness("day", 2020, limits, {}, date(2021, 8, 10))
    assert {m.expected for m in before} == {0}  # a year before the permit
    quarterly = completeness("quarter", 2021, limits[:1], {}, date(2021, 8, 10))
    assert [m.expected for m in quarterly] == [1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]  # Q3 has begun, Q4 not


def limit(parameter: str, year: int, month: int, day: int) -> Limit:
    return Limit(parameter=parameter, limit=50.0, unit="mg/L", valid_from=date(year, month, day), valid_to=None)


def test_the_effluent_chart_keeps_its_text_marks_the_maxima_above_the_limit_and_is_stable() -> None:
    labels = [f"{m}月" for m in range(1, 5)]
    means, maxima = [10.0, None, 12.0, 11.0], [14.0, None, 35.0, 13.0]
    limits = [40.0, 40.0, 30.0, 30.0]  # a renewed, stricter limit from March: March's maximum 35 is above it
    svg = effluent_chart_svg(labels, means, maxima, limits, ylabel="mg/L", title="DW001 化学需氧量 2021年")
    assert svg.startswith('<svg class="greenlaw-chart" role="img" aria-label="DW001 化学需氧量 2021年"')
    flat = svg.replace("\n", "")
    for text in ("3月", "月均值", "月最大值", "许可限值", "mg/L"):  # text, drawn by the reader's CJK fonts
        assert text in flat, text
    within = effluent_chart_svg(labels, means, [14.0, None, 25.0, 13.0], limits, ylabel="mg/L", title="t")
    assert within.count("#c0392b") < svg.count("#c0392b")  # March's maximum above its limit is drawn in red
    assert svg == effluent_chart_svg(labels, means, maxima, limits, ylabel="mg/L", title="DW001 化学需氧量 2021年")


def test_a_months_profile_holds_mean_maximum_and_the_strictest_limit_in_force() -> None:
    renewed_mid_june = [
        Limit("cod", 50.0, "mg/L", date(2021, 1, 1), date(2021, 6, 14)),
        Limit("cod", 30.0, "mg/L", date(2021, 6, 15), None),
    ]
    months = month_profiles(renewed_mid_june, "cod", 2021, {5: [10.0, 20.0, 33.0], 6: [12.0]})
    may, june, july = months[4], months[5], months[6]
    assert (may.mean, may.maximum, may.limit) == (21.0, 33.0, 50.0)
    assert (june.mean, june.maximum, june.limit) == (12.0, 12.0, 30.0)  # 50 on the 1st, 30 on the 30th
    assert (july.mean, july.maximum, july.limit) == (None, None, 30.0)
    assert month_profiles(renewed_mid_june, "nh3n", 2021, {})[0].limit is None


def test_a_temporary_limit_inside_an_open_ended_one_overlaps_it() -> None:
    """Ending the permit's limit at a stricter temporary one would leave the days after it without a limit."""
    permit = Limit(parameter="cod", limit=100.0, unit="mg/L", valid_from=date(2024, 1, 1), valid_to=None)
    temporary = Limit(parameter="cod", limit=50.0, unit="mg/L", valid_from=date(2025, 3, 1), valid_to=date(2025, 3, 31))
    with pytest.raises(OverlappingLimit):
        check_new_limit([permit], temporary)
    renewal = Limit(parameter="cod", limit=50.0, unit="mg/L", valid_from=date(2025, 3, 1), valid_to=None)
    assert check_new_limit([permit], renewal) == permit


def test_a_dollar_sign_in_a_name_is_text_in_the_chart() -> None:
    svg = effluent_chart_svg(
        ["1月", "2月"], [1.0, 2.0], [1.5, 2.5], [2.0, 2.0], title=r"DW001 $\foo$", ylabel="化学需氧量 $ mg/L"
    )
    assert "$" in svg


def test_the_chart_shows_a_limit_in_force_only_mid_month() -> None:
    short = Limit(parameter="cod", limit=30.0, unit="mg/L", valid_from=date(2025, 5, 10), valid_to=date(2025, 5, 20))
    may = month_profiles([short], "cod", 2025, {})[4]
    assert may.limit == 30.0
