"""Water class (GB 3838-2002) at each edge; noise grades; the automatic validity checks and minimum counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.monitoring.data.loader import STANDARDS_DIR, load_standards
from services.monitoring.domain.noise import noise_grade
from services.monitoring.domain.validity import (
    Point,
    automatic_flags,
    daily_mean,
    max_8h_average,
    month_is_valid,
)
from services.monitoring.domain.water import WaterInputError, classify, worse_than_target

pytestmark = pytest.mark.unit

STANDARDS = load_standards([STANDARDS_DIR])
GB3838 = STANDARDS.water.in_force(date(2021, 6, 1))
NOISE = STANDARDS.noise.in_force(date(2021, 6, 1))
RULES = STANDARDS.validity.in_force(date(2021, 6, 1))


@pytest.mark.parametrize(
    ("do", "expected"), [(7.5, "I"), (7.49, "II"), (6, "II"), (5, "III"), (3, "IV"), (2, "V"), (1.99, "劣V")]
)
def test_dissolved_oxygen_is_a_lower_bound(do: float, expected: str) -> None:
    assert classify(GB3838, "river", {"do": do}).water_class == expected


@pytest.mark.parametrize(("ph", "expected"), [(6, "I"), (9, "I"), (5.99, "劣V"), (9.01, "劣V")])
def test_ph_range(ph: float, expected: str) -> None:
    assert classify(GB3838, "river", {"ph": ph}).water_class == expected


@pytest.mark.parametrize(
    ("body", "tp", "expected"),
    [("river", 0.02, "I"), ("lake", 0.02, "II"), ("river", 0.1, "II"), ("lake", 0.1, "IV"), ("lake", 0.21, "劣V")],
)
def test_total_phosphorus_river_vs_lake(body: str, tp: float, expected: str) -> None:
    assert classify(GB3838, body, {"tp": tp}).water_class == expected  # type: ignore[arg-type]


def test_total_nitrogen_is_left_out_for_rivers() -> None:
    river = classify(GB3838, "river", {"tn": 5.0, "nh3n": 0.15})
    assert river.water_class == "I"
    assert river.left_out == ("tn",)
    lake = classify(GB3838, "lake", {"tn": 5.0, "nh3n": 0.15})
    assert lake.water_class == "劣V"
    assert lake.worst_parameters == ("tn",)


def test_equal_limits_of_two_classes_give_the_better_class() -> None:
    assert classify(GB3838, "river", {"cod": 15}).water_class == "I"
    assert classify(GB3838, "river", {"cod": 15.01}).water_class == "III"


def test_worst_parameter_decides_and_ties_are_listed() -> None:
    result = classify(GB3838, "river", {"cod": 30, "nh3n": 1.5, "do": 8})
    assert result.water_class == "IV"
    assert result.worst_parameters == ("cod", "nh3n")
    assert worse_than_target(GB3838, "IV", "III")
    assert not worse_than_target(GB3838, "III", "III")
    assert worse_than_target(GB3838, "劣V", "V")


# GB 3838-2002 table 1, classes I…V, written out here from the standard (not read from the data file), so a wrong
# number in the data fails.
TABLE_1: dict[str, tuple[float, ...]] = {
    "codmn": (2, 4, 6, 10, 15),
    "cod": (15, 15, 20, 30, 40),
    "bod5": (3, 3, 4, 6, 10),
    "nh3n": (0.15, 0.5, 1.0, 1.5, 2.0),
    "tp": (0.02, 0.1, 0.2, 0.3, 0.4),
    "cu": (0.01, 1.0, 1.0, 1.0, 1.0),
    "zn": (0.05, 1.0, 1.0, 2.0, 2.0),
    "fluoride": (1.0, 1.0, 1.0, 1.5, 1.5),
    "se": (0.01, 0.01, 0.01, 0.02, 0.02),
    "as": (0.05, 0.05, 0.05, 0.1, 0.1),
    "hg": (0.00005, 0.00005, 0.0001, 0.001, 0.001),
    "cd": (0.001, 0.005, 0.005, 0.005, 0.01),
    "cr6": (0.01, 0.05, 0.05, 0.05, 0.1),
    "pb": (0.01, 0.01, 0.05, 0.05, 0.1),
    "cyanide": (0.005, 0.05, 0.2, 0.2, 0.2),
    "volatile_phenol": (0.002, 0.002, 0.005, 0.01, 0.1),
    "petroleum": (0.05, 0.05, 0.05, 0.5, 1.0),
    "las": (0.2, 0.2, 0.2, 0.3, 0.3),
    "sulfide": (0.05, 0.1, 0.2, 0.5, 1.0),
}
LAKE_ONLY: dict[str, tuple[float, ...]] = {
    "tn": (0.2, 0.5, 1.0, 1.5, 2.0),
    "fecal_coliform": (200, 2000, 10000, 20000, 40000),
}
CLASSES = ("I", "II", "III", "IV", "V")


def _expected(limits: tuple[float, ...], value: float) -> str:
    return next((CLASSES[i] for i, limit in enumerate(limits) if value <= limit), "劣V")


@pytest.mark.parametrize("name", sorted(TABLE_1) + sorted(LAKE_ONLY))
def test_every_upper_bound_item_at_each_limit_and_just_above(name: str) -> None:
    limits = TABLE_1.get(name) or LAKE_ONLY[name]
    body = "lake" if name in LAKE_ONLY else "river"
    for limit in limits:
        for value in (limit, limit * 1.01):
            assert classify(GB3838, body, {name: value}).by_parameter == {name: _expected(limits, value)}, value


def test_the_table_has_the_24_basic_items() -> None:
    assert set(GB3838.parameters) == {*TABLE_1, *LAKE_ONLY, "ph", "do", "temperature"}
    assert len(GB3838.parameters) == 24


def test_every_basic_item_has_its_hj212_code() -> None:
    from services.monitoring.data.loader import load_hj212_codes

    coded = {code.parameter: name for name, code in load_hj212_codes().items()}
    assert set(GB3838.parameters) <= set(coded)
    assert (coded["hg"], coded["cr6"], coded["fecal_coliform"], coded["temperature"]) == (
        "w20111", "w20117", "w02003", "w01010"
    )  # fmt: skip


def test_lake_limits_of_total_phosphorus() -> None:
    for limit, water_class in zip((0.01, 0.025, 0.05, 0.1, 0.2), CLASSES, strict=True):
        assert classify(GB3838, "lake", {"tp": limit}).water_class == water_class
    assert classify(GB3838, "lake", {"tp": 0.0101}).water_class == "II"


def test_rivers_leave_out_tn_faecal_coliform_and_temperature_with_notes() -> None:
    values = {"temperature": 31.0, "tn": 9.0, "fecal_coliform": 50000, "hg": 0.00006, "cod": 16}
    river = classify(GB3838, "river", values)
    assert (river.water_class, river.worst_parameters) == ("III", ("cod", "hg"))
    assert river.left_out == ("fecal_coliform", "temperature", "tn")
    assert set(river.notes) == {"fecal_coliform", "temperature", "tn"}
    lake = classify(GB3838, "lake", values)
    assert (lake.water_class, lake.worst_parameters, lake.left_out) == (
        "劣V",
        ("fecal_coliform", "tn"),
        ("temperature",),
    )


def test_a_table_with_a_missing_limit_is_refused() -> None:
    from services.monitoring.domain.water import WaterParameter, WaterTable

    with pytest.raises(ValueError, match="cu needs 5 limits"):
        WaterTable("x", date(2002, 6, 1), CLASSES, "劣V", {"cu": WaterParameter("upper", (0.01, 1.0, 1.0, 1.0))})


def test_bad_water_input() -> None:
    with pytest.raises(WaterInputError, match="zinc"):
        classify(GB3838, "river", {"zinc": 1})
    with pytest.raises(WaterInputError):
        classify(GB3838, "river", {"cod": float("nan")})
    assert classify(GB3838, "river", {}).water_class is None


@pytest.mark.parametrize(
    ("kind", "leq", "grade"),
    [
        ("regional", 50.0, 1),
        ("regional", 50.04, 1),
        ("regional", 50.1, 2),
        ("regional", 55.0, 2),
        ("regional", 65.0, 4),
        ("regional", 65.1, 5),
        ("road_traffic", 68.0, 1),
        ("road_traffic", 68.1, 2),
        ("road_traffic", 74.1, 5),
    ],
)
def test_noise_grades(kind: str, leq: float, grade: int) -> None:
    assert noise_grade(NOISE, kind, leq)[0] == grade  # type: ignore[arg-type]


def _series(values: list[float], flags: str | None = None) -> list[Point]:
    start = datetime(2021, 6, 1, tzinfo=UTC)
    marks = flags or "N" * len(values)
    return [Point(start + timedelta(hours=i), v, marks[i]) for i, v in enumerate(values)]


def test_automatic_flags() -> None:
    flags = automatic_flags(RULES, "pm25", _series([30, 31, -1, 400, 33, 6000, 35], "NNNNDNN"))
    assert flags[0] == ()
    assert flags[1] == ()
    assert flags[2] == ("negative",)
    assert flags[3] == ("spike",)
    assert flags[4] == ("instrument_flag_D",)
    assert "out_of_range" in flags[5]


def test_constant_values_for_hours_are_flagged() -> None:
    values = [20.0] * RULES.constant_hours + [21.0]
    flags = automatic_flags(RULES, "pm25", _series(values))
    assert all("constant" in f for f in flags[:-1])
    assert flags[-1] == ()
    shorter = automatic_flags(RULES, "pm25", _series([20.0] * (RULES.constant_hours - 1) + [21.0]))
    assert not any("constant" in f for f in shorter)


def test_minimum_counts() -> None:
    assert daily_mean(RULES, [10.0] * 19) is None
    assert daily_mean(RULES, [10.0] * 20) == 10.0
    assert max_8h_average(RULES, dict.fromkeys(range(5), 100.0)) is None
    assert max_8h_average(RULES, {**dict.fromkeys(range(24), 50.0), 10: 130.0, 11: 130.0}) == 70.0
    assert month_is_valid(RULES, 2021, 2, 25)
    assert not month_is_valid(RULES, 2021, 3, 26)
