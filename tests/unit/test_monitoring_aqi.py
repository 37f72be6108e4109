"""AQI (HJ 633-2012) at every breakpoint edge, the fall-backs, primary-pollutant ties, and table selection by date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.monitoring.data.loader import STANDARDS_DIR, load_standards
from services.monitoring.domain.aqi import AqiInputError, compute_aqi, sub_index
from services.monitoring.domain.standards import NoStandardInForce

pytestmark = pytest.mark.unit

STANDARDS = load_standards([STANDARDS_DIR])
HJ633 = STANDARDS.aqi.in_force(date(2021, 6, 1))
LEVELS = HJ633.iaqi_levels


@pytest.mark.parametrize("row", sorted(HJ633.breakpoints))
def test_exactly_on_each_breakpoint_gives_its_iaqi_level(row: str) -> None:
    for level, concentration in zip(LEVELS, HJ633.breakpoints[row], strict=False):
        assert sub_index(HJ633, row, concentration, {}) == level


def test_rounding_is_always_up() -> None:
    assert sub_index(HJ633, "pm25_24h", 35.01, {}) == 51  # 50.0625 → 51
    assert sub_index(HJ633, "pm25_24h", 0.1, {}) == 1  # 0.142… → 1
    assert sub_index(HJ633, "pm25_24h", 0, {}) == 0
    assert sub_index(HJ633, "co_24h", 2.1, {}) == 53  # 52.5 → 53
    # 0.1 has no exact binary value: exact arithmetic keeps 50 + 50/40×(40.8 − 40) = 51 an integer.
    assert sub_index(HJ633, "no2_24h", 40.8, {}) == 51


def test_so2_1h_above_800_reports_the_index_of_the_24h_average() -> None:
    # HJ 633 table 1 note: above 800 the hourly SO2 gets no sub-index; the one of its 24-hour average is reported.
    assert sub_index(HJ633, "so2_1h", 800, {}) == 200
    assert compute_aqi(HJ633, "1h", {"so2": 800, "so2_24h": 100}).iaqi == {"so2": 200}  # the edge: still hourly
    result = compute_aqi(HJ633, "1h", {"so2": 1600, "so2_24h": 100, "no2": 100})
    assert result.iaqi == {"so2": 75, "no2": 50}  # 24h row at 100 µg/m³, not the hourly 1600 (which would be 300)
    assert (result.aqi, result.primary_pollutants) == (75, ("so2",))
    assert compute_aqi(HJ633, "1h", {"so2": 801, "so2_24h": 475}).iaqi["so2"] == 150
    for so2 in (800.5, 1600):
        with pytest.raises(AqiInputError, match="so2_24h is needed"):
            compute_aqi(HJ633, "1h", {"so2": so2, "no2": 10})
    with pytest.raises(AqiInputError, match="unknown pollutants: so2_24h"):
        compute_aqi(HJ633, "24h", {"so2": 10, "so2_24h": 10})  # the daily index reads so2 itself


def test_stored_hours_without_the_24h_average_leave_so2_out() -> None:
    result = compute_aqi(HJ633, "1h", {"so2": 900, "no2": 300}, omit_unindexable=True)
    assert (result.iaqi, result.not_indexed, result.aqi) == ({"no2": 110}, ("so2",), 110)
    assert compute_aqi(HJ633, "1h", {"so2": 900}, omit_unindexable=True).aqi is None


def test_the_daily_aqi_takes_seven_values_with_the_daily_maximum_1h_ozone() -> None:
    daily = {"so2": 10, "no2": 30, "pm10": 40, "pm25": 30, "co": 1.0, "o3_8h": 150, "o3_1h": 320}
    result = compute_aqi(HJ633, "24h", daily)
    assert result.iaqi["o3_1h"] == 160  # 150 + 50/100 × (320 − 300)
    assert (result.aqi, result.primary_pollutants, result.over_standard) == (160, ("o3_1h",), ("o3_1h",))


def test_o3_8h_above_800_reports_the_1h_index_and_needs_the_1h_value() -> None:
    assert sub_index(HJ633, "o3_8h", 800, {}) == 300
    result = compute_aqi(HJ633, "24h", {"o3_8h": 850, "o3_1h": 1000})
    assert result.iaqi["o3_8h"] == 400
    with pytest.raises(AqiInputError, match="o3_1h"):
        compute_aqi(HJ633, "24h", {"o3_8h": 850})


def test_beyond_the_last_breakpoint_caps_at_500() -> None:
    assert sub_index(HJ633, "pm25_24h", 900, {}) == 500


def test_ties_for_primary_pollutant_all_count() -> None:
    # PM2.5 75 and PM10 150 are both exactly IAQI 100.
    result = compute_aqi(HJ633, "24h", {"pm25": 75, "pm10": 150, "so2": 10})
    assert result.aqi == 100
    assert result.primary_pollutants == ("pm10", "pm25")
    assert result.category == "良"
    assert result.over_standard == ()


def test_aqi_at_or_below_50_has_no_primary_pollutant() -> None:
    result = compute_aqi(HJ633, "24h", {"pm25": 35, "pm10": 50})
    assert (result.aqi, result.category, result.primary_pollutants) == (50, "优", ())
    assert compute_aqi(HJ633, "24h", {"pm25": 35.01}).primary_pollutants == ("pm25",)


@pytest.mark.parametrize(
    ("pm25", "category"),
    [(75, "良"), (75.1, "轻度污染"), (115, "轻度污染"), (150, "中度污染"), (250, "重度污染"), (251, "严重污染")],
)
def test_categories_at_their_edges(pm25: float, category: str) -> None:
    assert compute_aqi(HJ633, "24h", {"pm25": pm25}).category == category


def test_over_standard_is_iaqi_above_100() -> None:
    assert compute_aqi(HJ633, "24h", {"pm25": 75.01}).over_standard == ("pm25",)


def test_bad_input_is_refused() -> None:
    with pytest.raises(AqiInputError):
        compute_aqi(HJ633, "24h", {"pm1": 3})
    with pytest.raises(AqiInputError):
        compute_aqi(HJ633, "24h", {"pm25": -1})
    assert compute_aqi(HJ633, "24h", {}).aqi is None


@given(st.floats(min_value=0, max_value=500), st.floats(min_value=0, max_value=500))
def test_iaqi_is_monotonic(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert sub_index(HJ633, "pm25_24h", low, {}) <= sub_index(HJ633, "pm25_24h", high, {})


def test_the_table_in_force_on_the_observation_date_is_chosen(tmp_path: Path) -> None:
    revised = (STANDARDS_DIR / "aqi-hj633-2012.yaml").read_text(encoding="utf-8")
    # A test-only revision (not the real 2026 numbers): PM2.5 good/light boundary moved to 60.
    revised = revised.replace("name: HJ 633-2012", "name: TEST-REVISION").replace("2012-02-29", "2026-03-01")
    revised = revised.replace("pm25_24h: [0, 35, 75,", "pm25_24h: [0, 35, 60,")
    (tmp_path / "aqi-test.yaml").write_text(revised, encoding="utf-8")
    standards = load_standards([STANDARDS_DIR, tmp_path])
    before = standards.aqi.in_force(date(2026, 2, 28))
    after = standards.aqi.in_force(date(2026, 3, 1))
    assert before.name == "HJ 633-2012"
    assert after.name == "TEST-REVISION"
    assert compute_aqi(before, "24h", {"pm25": 70}).category == "良"
    assert compute_aqi(after, "24h", {"pm25": 70}).category == "轻度污染"
    with pytest.raises(NoStandardInForce):
        standards.aqi.in_force(date(2000, 1, 1))
