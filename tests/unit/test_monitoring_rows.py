"""Batch rows, statistics and bulletin figures: pure rules, no I/O."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from services.monitoring.data.loader import STANDARDS_DIR, load_standards
from services.monitoring.domain.bulletins import (
    SectionMonth,
    TownDay,
    air_by_town,
    bulletin_title,
    period_of,
    same_period_last_year,
    water_by_town,
)
from services.monitoring.domain.readings import (
    CSV_COLUMNS,
    Columns,
    RowError,
    day_bounds,
    decode_columns,
    parse_columns,
    parse_row,
    parse_rows,
    rows_from_csv,
)
from services.monitoring.domain.statistics import daily_air_concentrations, energetic_mean, mean_of_stations
from services.monitoring.domain.validity import HOUR, Point, ValidityRules, automatic_flags, series_flags
from shared.json_guard import parse_json
from shared.problems import Problem

pytestmark = pytest.mark.unit

STANDARDS = load_standards([STANDARDS_DIR])
RULES = STANDARDS.validity.in_force(date(2021, 6, 1))
GB3838 = STANDARDS.water.in_force(date(2021, 6, 1))


def test_a_row_without_offset_is_beijing_time() -> None:
    row = parse_row({"station": "S1", "parameter": "pm25", "time": "2021-06-01T08:00:00", "value": "12.5"})
    assert row.time == datetime(2021, 6, 1, 0, tzinfo=UTC)
    assert (row.interval, row.flag, row.value) == ("hour", "N", 12.5)
    assert row.local_day == date(2021, 6, 1)
    assert day_bounds(date(2021, 6, 1))[0] == datetime(2021, 5, 31, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"value": "x"}, "not a number"),
        ({"value": float("inf")}, "finite"),
        ({"value": True}, "must be a number"),
        ({"value": None}, "missing value"),
        ({"time": "2021-13-01"}, "time"),
        ({"flag": "Q"}, "HJ 212"),
        ({"interval": "week"}, "interval"),
        ({"station": ""}, "missing station"),
        ({"station": 5}, "text"),
        ({"extra": 1}, "unknown fields"),
    ],
)
def test_bad_rows_say_why(change: dict[str, object], reason: str) -> None:
    row = {"station": "S1", "parameter": "pm25", "time": "2021-06-01T08:00:00+08:00", "value": 1} | change
    with pytest.raises(RowError, match=reason):
        parse_row(row)


@given(st.lists(st.one_of(st.none(), st.integers(), st.text(), st.dictionaries(st.text(max_size=10), st.text()))))
def test_any_json_rows_are_either_readings_or_reasons(rows: list[object]) -> None:
    good, bad = parse_rows(rows)
    assert sorted([i for i, _ in good] + [i for i, _ in bad]) == list(range(len(rows)))


FIELD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6),
    st.sampled_from(["S1", " S1 ", "pm25", "hour", "day", "N", "F", "Q", "µg/m³", "12.5", "", "x" * 70]),
    st.sampled_from(["2021-06-01T08:00:00", "2021-06-01T08:00:00+08:00", "0001-01-01T00:00:00+08:00", "2021-13-01"]),
)  # fmt: skip


@given(st.lists(st.dictionaries(st.sampled_from([*CSV_COLUMNS, "extra"]), FIELD_VALUES), max_size=8))
def test_the_batch_fast_path_agrees_with_parse_row(rows: list[dict[str, object]]) -> None:
    good, bad = parse_rows(rows)
    for index, reading in good:
        assert reading == parse_row(rows[index])
    for index, reason in bad:
        with pytest.raises(RowError) as refused:
            parse_row(rows[index])
        assert str(refused.value) == reason


WELL_FORMED = st.fixed_dictionaries(
    {"station": st.sampled_from(["S1", " S1 ", "S2"]), "parameter": st.sampled_from(["pm25", "so2 "]),
     "time": st.sampled_from(["2021-06-01T08:00:00", "2021-06-01T08:00:00+08:00", " 2021-06-01T09:00:00Z"]),
     "value": st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(10**6), 10**6),
                        st.sampled_from(["12.5", " 3 ", "1e3"]))},
    optional={"unit": st.sampled_from(["", "µg/m³", " mg/m³"]), "flag": st.sampled_from(["", "N", "D", " F"]),
              "interval": st.sampled_from(["", "hour", "day", " rtd"])},
)  # fmt: skip
ANY_ROW = st.dictionaries(st.sampled_from([*CSV_COLUMNS, "extra"]), FIELD_VALUES)


@given(st.lists(st.one_of(WELL_FORMED, WELL_FORMED, WELL_FORMED, ANY_ROW, st.none(), st.text(max_size=3)), max_size=8))
def test_the_column_path_takes_a_batch_exactly_when_every_row_parses_and_gives_the_same_readings(
    rows: list[object],
) -> None:
    columns = parse_columns(rows)
    readings = []
    for row in rows:
        try:
            readings.append(parse_row(row))
        except RowError:
            assert columns is None
            return
    assert columns is not None
    assert columns.readings() == readings
    assert [columns.row(i) for i in range(columns.size)] == readings
    assert Columns.of(readings) == columns


# Number literals as a client may write them: each must read as the general JSON parser reads it.
NUMBER_LITERALS = st.sampled_from(
    ["-0", "-0.0", "0e0", "1E5", "0.1e1", "1e-400", "1e308", "1e309", "-1e999", "123456789012345678901234",
     "9007199254740993", "2.5e-324", "1.7976931348623157e308", "00", "1.", ".5", "NaN", "Infinity"]
)  # fmt: skip


def _body(rows: list[object], literals: list[str], ascii_only: bool) -> bytes:
    """The rows as JSON; a value "@n" is written as the n-th number literal, as it stands."""
    text = json.dumps(rows, ensure_ascii=ascii_only)
    for n, literal in enumerate(literals):
        text = text.replace(f'"@{n}"', literal)
    return text.encode()


@given(
    st.lists(
        st.one_of(
            WELL_FORMED, WELL_FORMED, WELL_FORMED, ANY_ROW, st.none(), st.text(max_size=3), st.lists(st.integers()),
            WELL_FORMED.map(lambda row: row | {"value": "@0"}), WELL_FORMED.map(lambda row: row | {"value": "@1"}),
            WELL_FORMED.map(lambda row: row | {"station": {"nested": [1]}}),
        ),
        max_size=8,
    ),
    st.lists(NUMBER_LITERALS, min_size=2, max_size=2),
    st.booleans(),
)  # fmt: skip
@example([{"station": "S1", "parameter": "so2", "time": "2021-06-01T08:00:00", "value": "@0"}], ["-0", "1"], True)
def test_a_json_batch_decoded_straight_to_columns_gives_what_the_general_parse_gives(
    rows: list[object], literals: list[str], ascii_only: bool
) -> None:
    body = _body(rows, literals, ascii_only)
    decoded = decode_columns(body)
    try:
        document = parse_json(body)
    except (Problem, ValueError):  # out of range or malformed: only the general path may answer
        assert decoded is None
        return
    general = parse_columns(document) if isinstance(document, list) and document else None
    if decoded is not None:
        assert decoded == general
        # The same floats to the bit: -0.0 is not 0.0 to a reader of the stored value.
        assert [math.copysign(1, v) for v in decoded.value] == [math.copysign(1, v) for v in general.value]
    elif general is not None:
        # The decoder leaves a batch to the general path only for what it cannot type: a field of another type.
        assert any(not isinstance(row, dict) or not all(isinstance(v, str | None) for k, v in row.items()
                   if k != "value") for row in document)  # fmt: skip


def test_the_usual_json_batch_is_decoded_straight_to_columns() -> None:
    rows = [{"station": "S1", "parameter": p, "time": "2021-06-01T08:00:00+08:00", "value": v, "unit": "µg/m³",
             "flag": "N", "interval": "hour"} for p, v in (("so2", 12), ("pm25", 3.5))]  # fmt: skip
    for body in (json.dumps(rows).encode(), json.dumps(rows, ensure_ascii=False).encode()):
        columns = decode_columns(body)
        assert columns is not None
        assert columns == parse_columns(rows)
        assert columns.value == [12.0, 3.5]
    # Not for this decoder: nothing, no rows, one row of another shape, a body that is no JSON.
    for other in (b"", b"[]", b"{}", json.dumps([*rows, [1]]).encode(), b"[{", "[{}]".encode("utf-16")):
        assert decode_columns(other) is None


def test_the_column_path_reads_fields_times_and_values_as_parse_row_does() -> None:
    full = {"station": "S1", "parameter": "pm25", "interval": "hour", "time": "2021-06-01T08:00:00+08:00",
            "value": 1e308, "unit": "µg/m³", "flag": "N"}  # fmt: skip
    # Finite values whose sum overflows are still values.
    columns = parse_columns([full, full | {"value": 1e308}])
    assert columns is not None
    assert columns.value == [1e308, 1e308]
    for bad in ({"extra": 1}, {"value": "inf"}, {"value": float("nan")}, {"time": "2021-06-01T08:00:00+08:00\n"}):
        assert parse_columns([full, full | bad]) is None
    # Seven fields, one of them unknown (no unit): every field counted, not seven.
    unknown = {k: v for k, v in full.items() if k != "unit"} | {"extra": ""}
    assert parse_columns([full, unknown]) is None
    assert parse_rows([full, unknown])[1] == [(1, "unknown fields: extra")]
    # The same instant written three ways, without an offset read as Beijing time; the optional fields defaulted.
    times = [" 2021-06-01T08:00:00", "2021-06-01T00:00:00Z", "2021-06-01T08:00:00+08:00"]
    rows: list[object] = [{"station": "S1", "parameter": "so2", "time": t, "value": i} for i, t in enumerate(times)]
    columns = parse_columns(rows)
    assert columns is not None
    assert columns.readings() == [parse_row(row) for row in rows]
    assert set(columns.time) == {datetime(2021, 6, 1, tzinfo=UTC)}
    assert (
        parse_columns([{"station": "S1", "parameter": "so2", "time": "0001-01-01T00:00:00+08:00", "value": 1}]) is None
    )


def _reference_flags(rules: ValidityRules, parameter: str, series: list[Point]) -> list[tuple[str, ...]]:
    """The rules one point at a time, as they read in the standard: the column path must give the same."""
    low, high = rules.physical_ranges.get(parameter, (float("-inf"), float("inf")))
    out: list[list[str]] = [[] for _ in series]
    for i, (_, value, instrument_flag) in enumerate(series):
        if instrument_flag not in rules.valid_instrument_flags:
            out[i].append(f"instrument_flag_{instrument_flag}")
        if value < 0:
            out[i].append("negative")
        elif not low <= value <= high:
            out[i].append("out_of_range")
    start = 0
    for i in range(1, len(series) + 1):
        if i < len(series) and series[i].value == series[start].value and series[i].time - series[i - 1].time == HOUR:
            continue
        if i - start >= rules.constant_hours:
            for j in range(start, i):
                out[j].append("constant")
        start = i
    for i in range(1, len(series) - 1):
        value = series[i].value
        neighbours = max(series[i - 1].value, series[i + 1].value, 0.0)
        if value > rules.spike_floor and value > rules.spike_factor * neighbours:
            out[i].append("spike")
    return [tuple(reasons) for reasons in out]


@given(
    st.lists(
        st.tuples(st.sampled_from([1, 1, 1, 2]), st.sampled_from([-1.0, 0.0, 2.0, 10.0, 20.0, 20.0, 150.0, 4000.0]),
                  st.sampled_from("NNNND")),
        max_size=40,
    ),
    st.sampled_from(["pm25", "co", "unknown"]),
    st.integers(1, 7),
    # The standard's spike rule (5 ×, above 10), and others a table may hold: the column rule has one way for a
    # factor from 0 up and another for the rest.
    st.sampled_from([(5.0, 10.0), (5.0, 10.0), (0.0, 0.0), (1.0, -5.0), (0.5, 10.0), (1e308, 0.0), (-1.0, 0.0)]),
)  # fmt: skip
@example([(1, 0.0, "N"), (1, 10.0, "N"), (1, 0.0, "N"), (1, 10.5, "N"), (1, 2.0, "N")], "pm25", 6, (5.0, 10.0))
@example([(1, 20.0, "N")] * 6 + [(2, 20.0, "N")] + [(1, 20.0, "N")] * 5, "pm25", 6, (5.0, 10.0))  # a gap
@example([(1, -2.0, "N"), (1, -1.0, "N"), (1, -2.0, "N")], "unknown", 7, (1.0, -5.0))  # above both, not above 0
def test_the_column_rules_flag_what_the_point_by_point_rules_flag(
    steps: list[tuple[int, float, str]], parameter: str, constant_hours: int, spike: tuple[float, float]
) -> None:
    rules = replace(RULES, constant_hours=constant_hours, spike_factor=spike[0], spike_floor=spike[1])
    moment = datetime(2021, 6, 1, tzinfo=UTC)
    series = []
    for gap, value, flag in steps:
        moment += gap * HOUR
        series.append(Point(moment, value, flag))
    expected = _reference_flags(rules, parameter, series)
    assert automatic_flags(rules, parameter, series) == expected
    columns = [p.time for p in series], [p.value for p in series], [p.instrument_flag for p in series]
    assert series_flags(rules, parameter, *columns) == {i: f for i, f in enumerate(expected) if f}


def test_a_time_without_a_local_day_is_a_bad_row() -> None:
    for moment in ("0001-01-01T00:00:00+08:00", "9999-12-31T23:00:00+00:00"):
        with pytest.raises(RowError, match="time"):
            parse_row({"station": "S1", "parameter": "pm25", "time": moment, "value": 1})


def test_csv_needs_its_header() -> None:
    assert rows_from_csv("station,parameter,time,value\nS1,cod,2021-06-01T00:00:00,3\n")[0]["value"] == "3"
    with pytest.raises(RowError):
        rows_from_csv("a,b\n1,2\n")


def test_daily_concentrations_need_twenty_hours() -> None:
    hourly = {
        "pm25": dict.fromkeys(range(20), 40.0),
        "so2": dict.fromkeys(range(19), 5.0),
        "o3": dict.fromkeys(range(24), 100.0),
    }
    out = daily_air_concentrations(RULES, hourly)
    assert out == {"pm25": 40.0, "o3_1h": 100.0, "o3_8h": 100.0}


def test_town_means_and_noise_energy_average() -> None:
    assert mean_of_stations([{"pm25": 30.0}, {"pm25": 50.0, "so2": 6.0}]) == {"pm25": 40.0, "so2": 6.0}
    assert energetic_mean([60.0, 60.0]) == 60.0
    assert energetic_mean([50.0, 60.0]) == 57.4  # dB average as energy, not 55
    assert energetic_mean([]) is None


def test_bulletin_periods() -> None:
    assert period_of("air_weekly", date(2021, 5, 31)) == (date(2021, 5, 31), date(2021, 6, 6))
    assert period_of("water_monthly", date(2021, 2, 1)) == (date(2021, 2, 1), date(2021, 2, 28))
    with pytest.raises(ValueError, match="Monday"):
        period_of("air_weekly", date(2021, 6, 1))


def test_bulletin_titles_share_one_style() -> None:
    def title(kind: str, start: date) -> str:
        return bulletin_title(kind, *period_of(kind, start))

    assert title("air_daily", date(2021, 6, 7)) == "2021年6月7日空气质量日报"
    assert title("air_weekly", date(2021, 6, 7)) == "2021年6月7日至13日空气质量周报"
    assert title("air_weekly", date(2021, 5, 31)) == "2021年5月31日至6月6日空气质量周报"
    assert title("air_weekly", date(2018, 12, 31)) == "2018年12月31日至2019年1月6日空气质量周报"
    assert title("air_monthly", date(2021, 6, 1)) == "2021年6月空气质量月报"
    assert title("water_monthly", date(2021, 12, 1)) == "2021年12月地表水水质月报"


def test_the_same_period_last_year() -> None:
    assert same_period_last_year("air_daily", date(2024, 2, 29), date(2024, 2, 29)) == (date(2023, 2, 28),) * 2
    assert same_period_last_year("air_weekly", date(2021, 6, 7), date(2021, 6, 13)) == (
        date(2020, 6, 7),
        date(2020, 6, 13),
    )
    assert same_period_last_year("air_monthly", date(2021, 3, 1), date(2021, 3, 31)) == (
        date(2020, 3, 1),
        date(2020, 3, 31),
    )


def test_water_ranking_and_change_from_last_month() -> None:
    now = [
        SectionMonth("a", "A", "甲镇", "II", "III"),
        SectionMonth("b", "B", "甲镇", "IV", "III"),
        SectionMonth("c", "C", "乙镇", "III", "III"),
    ]
    before = [SectionMonth("a", "A", "甲镇", "II", "III"), SectionMonth("b", "B", "甲镇", "II", "III")]
    towns = water_by_town(GB3838, now, before)
    assert [(t["rank"], t["town"], t["share_meeting_target"]) for t in towns] == [(1, "乙镇", 1.0), (2, "甲镇", 0.5)]
    assert towns[1]["change_from_last_month"] == -0.5
    assert towns[0]["change_from_last_month"] is None
    assert towns[1]["distribution"]["IV"] == 1


def test_air_ranking() -> None:
    days = [
        TownDay("甲镇", date(2021, 6, 1), 120, "轻度污染", ("pm25",), 90.0),
        TownDay("甲镇", date(2021, 6, 2), 80, "良", ("pm10",), 50.0),
        TownDay("乙镇", date(2021, 6, 1), 40, "优", (), 20.0),
        TownDay("乙镇", date(2021, 6, 2), None, None, (), None),
    ]
    towns = air_by_town(days, good_upper=100)
    assert [(t["rank"], t["town"], t["aqi"], t["good_days_share"]) for t in towns] == [
        (1, "乙镇", 40, 1.0),
        (2, "甲镇", 100, 0.5),
    ]
    assert towns[1]["pm25_mean"] == 70.0
