"""抽查比例 as dated data: the share of each category's registry to inspect per period, and the draw's count.

The proportions are the operator's numbers (a local plan may be stricter than the national one): the head enters
them as dated rows through the staff API (table ``inspection_rate``); the data file
``services/cases/data/random_inspection_rates.json`` holds the first rows, loaded when the table is empty.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from services.cases.domain.draws import MONTHS, EntityCategory, PeriodKind


@dataclass(frozen=True)
class Rate:
    """A category's share per period (``proportion``) or a fixed number of entities per period (``number``)."""

    per: PeriodKind
    proportion: Decimal | None = None
    number: int | None = None

    def count(self, registry_size: int, period: PeriodKind) -> int:
        """Entities to draw for a period of ``period`` length: the proportion (or number) scaled to it, rounded up."""
        base = self.proportion * registry_size if self.proportion is not None else Decimal(self.number or 0)
        share = base * MONTHS[period] / MONTHS[self.per]
        return min(registry_size, math.ceil(share))

    def as_json(self) -> dict[str, str | int]:
        """The stored and published form: ``per`` with ``proportion`` (a decimal string) or ``count``."""
        if self.proportion is not None:
            return {"per": self.per.value, "proportion": str(self.proportion)}
        return {"per": self.per.value, "count": int(self.number or 0)}


def rate_of(raw: dict[str, Any]) -> Rate:
    """A rate from its stored form; exactly one of ``proportion`` (0..1) and ``count`` (≥ 0)."""
    has_proportion, has_count = raw.get("proportion") is not None, raw.get("count") is not None
    if has_proportion == has_count:
        raise ValueError("a rate gives either proportion or count")
    if has_proportion:
        proportion = Decimal(str(raw["proportion"]))
        if not 0 <= proportion <= 1:
            raise ValueError("a proportion outside 0..1")
        return Rate(PeriodKind(raw["per"]), proportion=proportion)
    number = int(raw["count"])
    if number < 0:
        raise ValueError("a negative count")
    return Rate(PeriodKind(raw["per"]), number=number)


@dataclass(frozen=True)
class RateRow:
    effective_from: date
    rates: dict[EntityCategory, Rate]
    basis: str
    confirmed: bool
    skip_inspected_within_months: int
    document_number: str = ""


def load_rates(path: Path) -> tuple[RateRow, ...]:
    """The dated rows, oldest first; a malformed file raises ``ValueError`` naming the problem."""
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        rows = tuple(
            RateRow(
                effective_from=date.fromisoformat(row["effective_from"]),
                rates={EntityCategory(name): rate_of(rate) for name, rate in row["rates"].items()},
                basis=str(row["basis"]),
                confirmed=bool(row.get("confirmed", False)),
                skip_inspected_within_months=int(row.get("skip_inspected_within_months", 0)),
                document_number=str(row.get("document_number", "")),
            )
            for row in raw["rows"]
        )
    except (OSError, KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise ValueError(f"random inspection rates {path}: {exc}") from exc
    return tuple(sorted(rows, key=lambda r: r.effective_from))


def rate_row_on(rows: tuple[RateRow, ...], day: date) -> RateRow | None:
    """The row in force on ``day`` (the latest that has taken effect); ``None`` before every row."""
    in_force = [r for r in rows if r.effective_from <= day]
    return in_force[-1] if in_force else None
