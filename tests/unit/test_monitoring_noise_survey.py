"""Noise indicators (GB 3096, GB/T 3222, HJ 640) on worked examples computed by hand here, and the grading edges."""

from __future__ import annotations

import math
from datetime import date

import pytest

from services.monitoring.data.loader import STANDARDS_DIR, load_standards
from services.monitoring.domain.noise import noise_grade
from services.monitoring.domain.noise_survey import (
    NoiseInputError,
    day_and_night,
    regional_mean,
    sample_indicators,
    traffic_mean,
    zone_compliance,
)

pytestmark = pytest.mark.unit

STANDARDS = load_standards([STANDARDS_DIR])
HJ640 = STANDARDS.noise.in_force(date(2021, 6, 1))
GB3096 = STANDARDS.noise_zones.in_force(date(2021, 6, 1))

TEN = [62.0, 58.0, 55.0, 70.0, 60.0, 57.0, 65.0, 59.0, 56.0, 61.0]


def test_ten_samples_by_hand() -> None:
    # Loudest first: 70 65 62 61 60 59 58 57 56 55 → L10 the 1st, L50 the 5th, L90 the 9th.
    # Σ 10^(Li/10) = 10,000,000 + 3,162,277.66 + 1,584,893.19 + 1,258,925.41 + 1,000,000 + 794,328.23
    #              + 630,957.34 + 501,187.23 + 398,107.17 + 316,227.77 = 19,646,904.00
    # Leq = 10·lg(19,646,904.00 / 10) = 10·lg(1,964,690.40) = 62.93 → 62.9
    # mean 60.3; Σ (Li − 60.3)² = 184.1; σ = √(184.1 / 9) = 4.52 → 4.5
    result = sample_indicators(TEN)
    assert (result.l10, result.l50, result.l90) == (70.0, 60.0, 56.0)
    assert result.leq == 62.9
    assert (result.lmax, result.lmin, result.sd) == (70.0, 55.0, 4.5)
    assert result.leq > sum(TEN) / len(TEN)  # energy, not arithmetic: loud moments weigh more


def test_percentiles_of_100_and_200_readings_follow_hj640_positions() -> None:
    hundred = [float(v) for v in range(1, 101)]  # 100 … 1 from loudest: L10 the 10th = 91
    assert (lambda r: (r.l10, r.l50, r.l90))(sample_indicators(hundred)) == (91.0, 51.0, 11.0)
    two_hundred = [40.0 + v / 10 for v in range(200)]  # the 20th, 100th, 180th from loudest
    r = sample_indicators(two_hundred)
    assert (r.l10, r.l50, r.l90) == (40.0 + 180 / 10, 40.0 + 100 / 10, 40.0 + 20 / 10)


def test_equal_samples_give_that_level() -> None:
    r = sample_indicators([55.0] * 100)
    assert (r.leq, r.l10, r.l50, r.l90, r.sd) == (55.0, 55.0, 55.0, 55.0, 0.0)


def test_day_and_night_of_24_hours() -> None:
    # From 00:00: hours 6–21 are day (16), 22–5 night (8). Day: 8 h at 60 and 8 h at 63 →
    # 10·lg((8·10^6 + 8·10^6.3) / 16) = 10·lg((1,000,000 + 1,995,262.3) / 2) = 10·lg(1,497,631.2) = 61.75 → 61.8
    hourly = [50.0] * 6 + [60.0] * 8 + [63.0] * 8 + [50.0] * 2
    assert day_and_night(HJ640, 0, hourly) == (61.8, 50.0)
    # The same day started at 22:00: the first two values are night hours.
    shifted = hourly[22:] + hourly[:22]
    assert day_and_night(HJ640, 22, shifted) == (61.8, 50.0)


def test_regional_mean_is_arithmetic_and_graded() -> None:
    graded = regional_mean(HJ640, "day", [52.3, 56.1, 54.8])  # 163.2 / 3 = 54.4
    assert (graded.mean, graded.grade, graded.grade_name, graded.count) == (54.4, 2, "二级 较好", 3)
    night = regional_mean(HJ640, "night", [44.0, 47.0])  # 45.5: night bounds 40 / 45 / 50 / 55
    assert (night.mean, night.grade) == (45.5, 3)
    assert regional_mean(HJ640, "day", []).grade is None


def test_traffic_mean_is_weighted_by_length() -> None:
    # (1,000 m × 74.0 + 3,000 m × 68.0) / 4,000 m = 69.5 (二级); unweighted it would be 71.0 (三级)
    graded = traffic_mean(HJ640, "day", [(1000.0, 74.0), (3000.0, 68.0)])
    assert (graded.mean, graded.grade) == (69.5, 2)
    assert traffic_mean(HJ640, "night", [(500.0, 62.0)]).grade == 3  # night bounds 58 / 60 / 62 / 64


@pytest.mark.parametrize(
    ("kind", "period", "level", "grade"),
    [
        ("regional", "day", 55.0, 2),
        ("regional", "day", 55.04, 2),
        ("regional", "day", 55.05, 3),
        ("regional", "night", 40.0, 1),
        ("regional", "night", 40.1, 2),
        ("regional", "night", 55.1, 5),
        ("road_traffic", "night", 58.0, 1),
        ("road_traffic", "night", 64.0, 4),
        ("road_traffic", "night", 64.1, 5),
    ],
)
def test_grade_edges_day_and_night(kind: str, period: str, level: float, grade: int) -> None:
    assert noise_grade(HJ640, kind, level, period)[0] == grade  # type: ignore[arg-type]


# GB 3096-2008 table 1, written out here from the standard (not read from the data file).
TABLE_1 = {"0": (50, 40), "1": (55, 45), "2": (60, 50), "3": (65, 55), "4a": (70, 55), "4b": (70, 60)}


def test_zone_limits_are_gb3096_table_1() -> None:
    assert {c: (GB3096.limit(c, "day"), GB3096.limit(c, "night")) for c in TABLE_1} == TABLE_1


def test_compliance_rate_per_class_and_period() -> None:
    measured = [
        ("1", "day", 55.0), ("1", "day", 55.04), ("1", "day", 55.05), ("1", "day", 54.0),
        ("1", "night", 46.0), ("4a", "night", 55.0),
    ]  # fmt: skip
    rates = {(c.zone_class, c.period): (c.measured, c.compliant, c.rate) for c in zone_compliance(GB3096, measured)}
    assert rates == {("1", "day"): (4, 3, 0.75), ("1", "night"): (1, 0, 0.0), ("4a", "night"): (1, 1, 1.0)}


@pytest.mark.parametrize(
    "samples", [[55.0] * 9, [55.0] * 9 + [math.nan], [55.0] * 9 + [-1.0], [55.0] * 9 + [math.inf], [201.0] * 10]
)
def test_bad_samples(samples: list[float]) -> None:
    with pytest.raises(NoiseInputError):
        sample_indicators(samples)


def test_bad_hourly() -> None:
    with pytest.raises(NoiseInputError, match="24"):
        day_and_night(HJ640, 0, [50.0] * 23)
