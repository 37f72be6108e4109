"""The layout model of a formal document: header (authority, title, number) and body blocks, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Heading:
    """A section heading (一、违法事实)."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """Body text, with the two-character first-line indent of official documents unless ``plain`` (an addressee
    line, a party line, a list item)."""

    text: str
    plain: bool = False


@dataclass(frozen=True)
class Table:
    """A form grid (送达回证): label and value cells, two columns."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Signature:
    """The closing: the authority and the date, right-aligned (落款)."""

    authority: str
    on: date | None


Block = Heading | Paragraph | Table | Signature


@dataclass(frozen=True)
class FormalDocument:
    """What a rendered document shows, top to bottom; ``note`` is a small line at the end (公开版本说明)."""

    authority: str
    title: str
    number: str | None
    blocks: tuple[Block, ...]
    note: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)


def chinese_date(day: date | None) -> str:
    """2026年12月6日 (GB/T 9704-2012: the date in Arabic numerals); blank spaces for a form filled by hand."""
    if day is None:
        return "    年    月    日"
    return f"{day.year}年{day.month}月{day.day}日"


def yuan(fen: int) -> str:
    """Money in fen as 100,000.00."""
    return f"{fen // 100:,}.{fen % 100:02d}"
