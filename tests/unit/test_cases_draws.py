"""The random draw (双随机抽查) as a pure function: uniform over the eligible entities, exclusions and conflicts
respected, two distinct officers per inspection, the same answer from the same revealed inputs."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.cases.domain.draw_rates import Rate, load_rates, rate_of, rate_row_on
from services.cases.domain.draws import (
    DrawInputs,
    EntityCategory,
    PeriodKind,
    commitment,
    draw,
    draw_key,
    officers_for,
    period_range,
    understaffed,
)

DATA = Path(__file__).parents[2] / "services" / "cases" / "data" / "random_inspection_rates.json"


def _seed(i: int) -> bytes:
    return hashlib.sha256(f"seed-{i}".encode()).digest()


def test_every_eligible_entity_is_drawn_at_its_expected_rate() -> None:
    entities = [f"e{i:02d}" for i in range(20)]
    excluded = {"e03": "inspected_recently", "e11": "drawn_this_period"}
    inputs = DrawInputs(entities, excluded, officers=["a", "b", "c"], count=5)
    runs = 4000
    hits = Counter(a.entity_id for i in range(runs) for a in draw(_seed(i), inputs))
    eligible = inputs.eligible()
    assert set(hits) == set(eligible)  # never an excluded one
    expected = runs * inputs.count / len(eligible)
    chi_square = sum((hits[e] - expected) ** 2 / expected for e in eligible)
    # 17 degrees of freedom; 40.79 is the 0.999 quantile: a fair draw fails this 1 time in 1000 (seeds are fixed,
    # so the test is deterministic); one entity drawn a fifth more often than the others fails it.
    assert chi_square < 40.79, chi_square


def test_a_biased_draw_would_fail_the_chi_square_check() -> None:
    eligible = [f"e{i:02d}" for i in range(18)]
    hits = Counter(dict.fromkeys(eligible, 1111) | {"e00": 1333, "e01": 889})
    expected = sum(hits.values()) / len(eligible)
    assert sum((hits[e] - expected) ** 2 / expected for e in eligible) > 40.79


def test_the_result_depends_on_the_seed_and_not_on_the_order_of_the_ids() -> None:
    entities = [f"e{i}" for i in range(30)]
    inputs = DrawInputs(entities, {}, officers=["o1", "o2", "o3", "o4"], count=4)
    shuffled = DrawInputs(list(reversed(entities)), {}, officers=["o4", "o2", "o3", "o1"], count=4)
    assert draw(_seed(1), inputs) == draw(_seed(1), shuffled)
    assert draw(_seed(1), inputs) != draw(_seed(2), inputs)
    assert draw_key(_seed(1), "") == _seed(1)
    assert draw_key(_seed(1), "2021050") != draw_key(_seed(1), "2021051")
    assert commitment(b"\x00" * 32) == hashlib.sha256(b"\x00" * 32).hexdigest()


ids = st.lists(st.sampled_from([f"x{i}" for i in range(12)]), unique=True)


@st.composite
def draw_inputs(draw_: st.DrawFn) -> DrawInputs:
    entities = draw_(st.lists(st.sampled_from([f"e{i}" for i in range(15)]), unique=True, min_size=1))
    officers = draw_(st.lists(st.sampled_from([f"o{i}" for i in range(8)]), unique=True, min_size=2))
    excluded = dict.fromkeys(draw_(st.lists(st.sampled_from(entities), unique=True)), "inspected_recently")
    conflicts = {
        e: draw_(st.lists(st.sampled_from(officers), unique=True, max_size=len(officers) - 2)) for e in entities
    }
    last = {e: draw_(st.lists(st.sampled_from(officers), unique=True, max_size=2)) for e in entities}
    count = draw_(st.integers(min_value=0, max_value=len(entities) + 2))
    return DrawInputs(entities, excluded, officers, conflicts, last, count)


@settings(max_examples=200, deadline=None)
@given(inputs=draw_inputs(), seed=st.binary(min_size=32, max_size=32))
def test_conflicts_and_exclusions_are_respected(inputs: DrawInputs, seed: bytes) -> None:
    result = draw(seed, inputs)
    assert len(result) == min(inputs.count, len(inputs.eligible()))
    assert len({a.entity_id for a in result}) == len(result)
    for assignment in result:
        assert assignment.entity_id not in inputs.excluded
        first, second = assignment.officer_ids
        assert first != second
        assert {first, second} <= set(inputs.officers)
        assert not {first, second} & set(inputs.conflicts.get(assignment.entity_id, ()))
        fresh = set(officers_for(inputs, assignment.entity_id)) - set(inputs.last_officers[assignment.entity_id])
        if len(fresh) >= 2:  # the last inspectors only where the pool leaves no one else
            assert not {first, second} & set(inputs.last_officers[assignment.entity_id])


def test_an_entity_every_officer_but_one_is_conflicted_with_cannot_be_drawn() -> None:
    inputs = DrawInputs(["e1", "e2"], {}, ["o1", "o2", "o3"], conflicts={"e2": ["o1", "o2"]}, count=1)
    assert understaffed(inputs) == ["e2"]
    excluded = DrawInputs(["e1", "e2"], {"e2": "x"}, ["o1", "o2", "o3"], conflicts={"e2": ["o1", "o2"]}, count=1)
    assert understaffed(excluded) == []


def test_periods_and_counts() -> None:
    assert period_range(PeriodKind.QUARTER, 2021, 4) == (date(2021, 10, 1), date(2021, 12, 31))
    assert period_range(PeriodKind.MONTH, 2024, 2) == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_range(PeriodKind.YEAR, 2021, None) == (date(2021, 1, 1), date(2021, 12, 31))
    quarterly = Rate(PeriodKind.QUARTER, Decimal("0.25"))
    assert quarterly.count(10, PeriodKind.QUARTER) == 3  # 2.5 rounded up
    assert quarterly.count(10, PeriodKind.YEAR) == 10
    assert Rate(PeriodKind.YEAR, Decimal("0.05")).count(41, PeriodKind.MONTH) == 1
    row = rate_row_on(load_rates(DATA), date(2021, 6, 1))
    assert row is not None
    assert set(row.rates) == set(EntityCategory)
    assert rate_row_on(load_rates(DATA), date(2000, 1, 1)) is None


def test_a_count_per_period_is_scaled_and_a_rate_gives_one_of_proportion_or_count() -> None:
    yearly = rate_of({"per": "year", "count": 10})
    assert yearly == Rate(PeriodKind.YEAR, number=10)
    assert yearly.count(40, PeriodKind.QUARTER) == 3  # 2.5 rounded up
    assert yearly.count(40, PeriodKind.YEAR) == 10
    assert yearly.count(4, PeriodKind.YEAR) == 4  # never more than the registry
    assert yearly.as_json() == {"per": "year", "count": 10}
    assert rate_of({"per": "quarter", "proportion": "0.25"}).as_json() == {"per": "quarter", "proportion": "0.25"}
    for bad in (
        {"per": "year"},
        {"per": "year", "count": 1, "proportion": "0.1"},
        {"per": "year", "proportion": "1.01"},
        {"per": "year", "count": -1},
        {"per": "week", "count": 1},
    ):
        with pytest.raises(ValueError):
            rate_of(bad)
