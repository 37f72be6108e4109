"""Document numbers (文书编号): ``{prefix}〔{year}〕{seq}号``, per year and per document kind, gapless."""

from __future__ import annotations


def format_document_number(prefix: str, year: int, seq: int) -> str:
    """e.g. ``format_document_number("津西青环罚", 2021, 12) == "津西青环罚〔2021〕12号"``."""
    if seq < 1:
        raise ValueError("document sequence numbers start at 1")
    if not prefix:
        raise ValueError("a document number needs a prefix")
    return f"{prefix}〔{year}〕{seq}号"
