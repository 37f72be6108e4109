"""Reading a registry import (监管对象名录): each line checked on its own, the CSV writer's formula guard undone."""

from __future__ import annotations

from services.cases.domain.draws import EntityCategory
from services.cases.handlers.supervised_entities import read_registry_csv
from shared.csv_export import csv_text
from tests.factories import credit_code


def test_lines_are_read_and_bad_ones_named_by_line_number() -> None:
    good = credit_code()
    text = csv_text(
        ["credit_code", "category", "name", "party_type", "town", "industry"],
        [
            [good, "特殊监管对象", "=HYPERLINK(1)", "个体工商户", "中北镇", "餐饮"],
            [credit_code(), "ordinary", "某厂", "individual", "", ""],
            ["bad", "ordinary", "", "", "", ""],
            [credit_code(), "key_polluter", "x" * 201, "", "", ""],
        ],
        bom=True,
    )
    rows, bad = read_registry_csv(text)
    [row] = rows
    assert row.line == 2
    assert row.credit_code == good
    assert row.category == EntityCategory.SPECIAL
    assert row.party_type == "sole_trader"
    assert row.name == "=HYPERLINK(1)"  # the writer's leading quote is taken off again
    assert [b["line"] for b in bad] == [3, 4, 5]
    assert "party_type" in str(bad[0]["error"])


def test_a_header_without_the_required_columns_is_one_bad_line() -> None:
    assert read_registry_csv("name,town\r\n某厂,中北镇\r\n") == (
        [],
        [{"line": 1, "error": "表头缺少 header lacks credit_code, category"}],
    )
    rows, bad = read_registry_csv(f"credit_code,category\r\n{credit_code()},ordinary,extra\r\n")
    assert rows == []
    assert bad[0]["line"] == 2
