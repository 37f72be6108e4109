"""The one keyset-paging helper: walking every page gives each row once, in order, for any mix of directions."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from shared.keyset import Key, keyset, split

ROWS = [(day, code) for day in (3, 1, 2, 1, 3) for code in ("b", "a")][:9]


def walk(descending: tuple[bool, bool], limit: int) -> list[tuple[int, str]]:
    engine = sa.create_engine("sqlite://")
    table = sa.Table("t", sa.MetaData(), sa.Column("day", sa.Integer), sa.Column("code", sa.String))
    table.metadata.create_all(engine)
    unique = sorted(set(ROWS))
    keys = [Key(table.c.day, descending[0]), Key(table.c.code, descending[1])]
    seen: list[tuple[int, str]] = []
    with engine.begin() as connection:
        connection.execute(table.insert(), [{"day": d, "code": c} for d, c in unique])
        position = None
        for _ in range(len(unique) + 2):
            rows = [tuple(r) for r in connection.execute(keyset(sa.select(table), keys, position, limit))]
            page, last = split(rows, limit)
            seen += page
            if last is None:
                return seen
            position = last
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize(
    ("descending", "limit"), list(itertools.product(itertools.product((False, True), repeat=2), (1, 2, 4)))
)
def test_pages_give_every_row_once_in_order(descending: tuple[bool, bool], limit: int) -> None:
    unique = sorted(set(ROWS))
    for index in reversed(range(2)):  # stable sorts, last key first
        unique.sort(key=lambda row: row[index], reverse=descending[index])
    assert walk(descending, limit) == unique


def test_a_page_that_ends_the_list_has_no_next_position() -> None:
    assert split([1, 2], 2) == ([1, 2], None)
    assert split([1, 2, 3], 2) == ([1, 2], 2)
