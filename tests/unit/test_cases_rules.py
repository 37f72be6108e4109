"""Pure rules around the case: numbering, identifiers (property tests), thresholds, statistics shape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.cases.domain.identifiers import CREDIT_ALPHABET, credit_code_check_char, is_valid_credit_code
from services.cases.domain.numbering import format_document_number
from services.cases.domain.statistics import empty_report, period_of, report_rows
from services.cases.domain.thresholds import load_thresholds, threshold_hints
from services.cases.settings import DATA_DIR

pytestmark = pytest.mark.unit

body17 = st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17)


@given(body17)
def test_credit_code_with_its_check_character_is_valid(body: str) -> None:
    assert is_valid_credit_code(body + credit_code_check_char(body))


@given(body17, st.sampled_from(CREDIT_ALPHABET))
def test_any_other_check_character_is_refused(body: str, wrong: str) -> None:
    right = credit_code_check_char(body)
    assert is_valid_credit_code(body + wrong) == (wrong == right)


@given(body17, st.integers(0, 16), st.sampled_from(CREDIT_ALPHABET))
def test_a_single_changed_character_is_detected(body: str, position: int, replacement: str) -> None:
    code = body + credit_code_check_char(body)
    changed = code[:position] + replacement + code[position + 1 :]
    assert is_valid_credit_code(changed) == (changed == code)


@given(st.text(alphabet="津西青环罚查扣", min_size=1, max_size=8), st.integers(2000, 2100), st.integers(1, 10**6))
def test_document_numbers_are_unique_and_parse_back(prefix: str, year: int, seq: int) -> None:
    number = format_document_number(prefix, year, seq)
    match = re.fullmatch(r"(.+)〔(\d{4})〕(\d+)号", number)
    assert match is not None
    assert (match[1], int(match[2]), int(match[3])) == (prefix, year, seq)


@given(st.lists(st.sampled_from(["penalty", "seizure", "order"]), max_size=60))
def test_per_kind_counters_allocate_gapless_sequences(kinds: list[str]) -> None:
    counters: dict[str, int] = {}
    issued: dict[str, list[int]] = {}
    for kind in kinds:  # the model of next_document_seq: bump-and-return per (kind, year)
        counters[kind] = counters.get(kind, 0) + 1
        issued.setdefault(kind, []).append(counters[kind])
    for numbers in issued.values():
        assert numbers == list(range(1, len(numbers) + 1))


def test_bad_numbers_refused() -> None:
    with pytest.raises(ValueError):
        format_document_number("津西青环罚", 2021, 0)
    with pytest.raises(ValueError):
        format_document_number("", 2021, 1)


def test_threshold_hints_from_the_data_file() -> None:
    table = load_thresholds(DATA_DIR / "serious_pollution.json")
    assert table.effective_from.year == 2023
    assert threshold_hints(table, {}) == []
    hints = threshold_hints(table, {"hazardous_waste_tonnes": 4.0, "heavy_metal_multiple": {"Cd": 3.2, "Cu": 9}})
    assert any("三吨" in h for h in hints)
    assert any("镉" in h for h in hints)
    assert not any("镍" in h for h in hints)
    assert len(threshold_hints(table, {"illegal_gains_fen": 150_000_000})) == 2


def test_a_broken_threshold_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text('{"rules": []}')
    with pytest.raises(ValueError, match="threshold table"):
        load_thresholds(bad)


def test_statistics_shape_and_csv() -> None:
    report = empty_report(2021, 3)
    assert set(report["decisions_by_kind"]) == {
        "penalty",
        "seizure",
        "yellow_card",
        "order_to_correct",
        "daily_penalty",
        "production_restriction",
    }
    assert set(report["referrals_by_medium"]) == {"water", "air", "soil", "solid_waste", "noise", "radiation", "other"}
    assert ("decisions_by_kind.penalty", 0) in report_rows(report)
    assert period_of(2021, 3) == (period_of(2021, 3)[0], period_of(2021, 4)[0])
    assert period_of(2021, None)[1].year == 2022


def test_the_surcharge_base_is_the_fine_without_confiscation() -> None:
    from services.cases.handlers.decision_terms import fine_fen_of
    from services.cases.tables import Decision

    assert fine_fen_of(Decision(penalty={"fine_fen": 1_000_000, "confiscation_fen": 15_000_000}, terms={})) == 1_000_000
    daily = {"recheck_on": "2021-07-01", "daily_amount_fen": 50_000, "days": 30}
    assert fine_fen_of(Decision(penalty={}, terms={"daily_penalty": daily})) == 1_500_000  # 按日连续处罚 is a fine
    assert fine_fen_of(Decision(penalty={"confiscation_fen": 9}, terms=None)) == 0
