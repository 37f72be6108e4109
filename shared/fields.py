"""Field types of request models that refuse what no honest caller sends: control characters and bidirectional
overrides in names, NUL in any text, and sums of money beyond any fine (罚款) a bureau could impose.

A refusal is a validation error on the field, so the caller gets a 422 problem naming it. Names refuse every C0/C1
control and the Unicode bidi controls (they reorder how a name is shown: U+202E before ``moc.exe`` shows
``exe.com``). Free text (facts, notes, reasons) keeps tab, line feed and carriage return and refuses the other
controls; NUL above all, which PostgreSQL cannot store. Free text is refused, not stripped: a changed fact in a legal
record would be worse than a refused request.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

# U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, and the marks U+200E, U+200F and U+061C.
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_NAME_REFUSED = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_TEXT_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# 10^13 fen = 1,000 亿元: far above any fine, confiscation or payment of a district bureau, far below where an
# integer column or a float conversion (万元 in the Credit China record) loses precision.
MAX_FEN = 10**13


def _name(value: str) -> str:
    found = _NAME_REFUSED.search(value)
    if found:
        raise ValueError(f"名称含控制字符 U+{ord(found.group()):04X} Names may not contain control or bidi characters")
    return value


def _text(value: str) -> str:
    found = _TEXT_REFUSED.search(value)
    if found:
        raise ValueError(f"文本含控制字符 U+{ord(found.group()):04X} Text may not contain control characters")
    return value


Name = Annotated[str, AfterValidator(_name)]
"""A name (当事人名称、姓名、执法队、站点名称 …): no control or bidi characters."""

Text = Annotated[str, AfterValidator(_text)]
"""Free text (违法事实、理由、备注 …): tab and line breaks allowed, other controls (NUL first) refused."""

Fen = Annotated[int, Field(ge=0, le=MAX_FEN)]
"""A sum of money in fen (分), from 0 to ``MAX_FEN``."""
