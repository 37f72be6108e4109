"""Check characters of the unified social credit code and the resident ID number; document numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.cases.domain.identifiers import (
    CREDIT_ALPHABET,
    credit_code_check_char,
    id_number_check_char,
    is_valid_credit_code,
    is_valid_id_number,
)
from services.cases.domain.numbering import format_document_number

pytestmark = pytest.mark.unit

credit_bodies = st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17)


def test_known_valid_identifiers() -> None:
    assert is_valid_credit_code("91350100M000100Y43")  # published example code
    assert is_valid_id_number("11010519491231002X")  # GB 11643 example
    assert not is_valid_id_number("110105194912310021")


@given(credit_bodies)
def test_a_code_with_its_check_character_is_valid(body: str) -> None:
    assert is_valid_credit_code(body + credit_code_check_char(body))


@given(credit_bodies, st.integers(min_value=0, max_value=16), st.sampled_from(CREDIT_ALPHABET))
def test_changing_one_character_is_detected(body: str, position: int, replacement: str) -> None:
    code = body + credit_code_check_char(body)
    changed = code[:position] + replacement + code[position + 1 :]
    assert is_valid_credit_code(changed) == (changed == code)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_id_number_check_character(body: str) -> None:
    assert is_valid_id_number(body + id_number_check_char(body))


def test_document_number_format() -> None:
    assert format_document_number("津西青环罚", 2021, 12) == "津西青环罚〔2021〕12号"
    with pytest.raises(ValueError):
        format_document_number("津西青环罚", 2021, 0)
