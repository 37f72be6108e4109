"""抽查比例 as dated data: the share of each category's registry to inspect per period, and the draw's count.

The proportions are the operator's numbers (a local plan may be stricter than the national one), so they live in
``services/cases/data/random_inspection_rates.json`` with the date each row takes effect.
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
    per: PeriodKind
    proportion: Decimal

    def count(self, registry_size: int, period: PeriodKind) -> int:
        """Entities to draw for a period of ``period`` length: the proportion scaled to it, rounded up."""
        share = self.proportion * registry_size * MONTHS[period] / MONTHS[self.per]
        return min(registry_size, math.ceil(share))


@dataclass(frozen=True)
class RateRow:
    effective_from: date
    rates: dict[EntityCategory, Rate]
    basis: str
    confirmed: bool
    skip_inspected_within_months: int


def load_rates(path: Path) -> tuple[RateRow, ...]:
    """The dated rows, oldest first; a malformed file raises ``ValueError`` naming the problem."""
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        rows = tuple(
            RateRow(
                effective_from=date.fromisoformat(row["effective_from"]),
                rates={
                    EntityCategory(name): Rate(PeriodKind(rate["per"]), Decimal(str(rate["proportion"])))
                    for name, rate in row["rates"].items()
                },
                basis=str(row["basis"]),
                confirmed=bool(row.get("confirmed", False)),
                skip_inspected_within_months=int(row.get("skip_inspected_within_months", 0)),
            )
            for row in raw["rows"]
        )
    except (OSError, KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise ValueError(f"random inspection rates {path}: {exc}") from exc
    if any(r.proportion < 0 or r.proportion > 1 for row in rows for r in row.rates.values()):
        raise ValueError(f"random inspection rates {path}: a proportion outside 0..1")
    return tuple(sorted(rows, key=lambda r: r.effective_from))


def rate_row_on(rows: tuple[RateRow, ...], day: date) -> RateRow | None:
    """The row in force on ``day`` (the latest that has taken effect); ``None`` before every row."""
    in_force = [r for r in rows if r.effective_from <= day]
    return in_force[-1] if in_force else None
