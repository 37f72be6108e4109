"""Keyset paging (游标分页): a list ordered by a few columns, continued after the last row a page showed.

``(a, b) after (x, y)`` is ``a > x or (a = x and b > y)`` (``<`` for a descending column), so a page costs an index
range scan however deep it is, and rows added meanwhile neither repeat nor shift the pages. The last column must be
unique (an id). The cursor's position is decoded and bounded by the caller (``shared.http.decode_position``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

S = TypeVar("S", bound=Any)
T = TypeVar("T")


@dataclass(frozen=True)
class Key:
    column: Any
    descending: bool = False

    def ordering(self) -> Any:
        return self.column.desc() if self.descending else self.column

    def beyond(self, value: object) -> ColumnElement[bool]:
        return self.column < value if self.descending else self.column > value  # type: ignore[no-any-return]


def after(keys: Sequence[Key], position: Sequence[object]) -> ColumnElement[bool]:
    """Rows that come after ``position`` in the order of ``keys``."""
    clauses = [
        and_(*(keys[j].column == position[j] for j in range(i)), keys[i].beyond(position[i])) for i in range(len(keys))
    ]
    return or_(*clauses)


def keyset(statement: S, keys: Sequence[Key], position: Sequence[object] | None, limit: int) -> S:
    """``statement`` ordered by ``keys``, after ``position``, one row more than a page (to tell if one follows)."""
    if position is not None:
        statement = statement.where(after(keys, position))
    return statement.order_by(*(key.ordering() for key in keys)).limit(limit + 1)  # type: ignore[no-any-return]


def split(rows: Sequence[T], limit: int) -> tuple[list[T], T | None]:
    """The page, and its last row when another page follows (the next cursor's position), else None."""
    if len(rows) <= limit:
        return list(rows), None
    return list(rows[:limit]), rows[limit - 1]
