"""噪声等级: daytime equivalent sound level → grade (regional or road traffic)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

NoiseKind = Literal["regional", "road_traffic"]


@dataclass(frozen=True)
class NoiseTable:
    name: str
    effective_from: date
    grades: tuple[str, ...]
    bounds: Mapping[str, tuple[float, ...]]
    daytime_hours: tuple[int, int] = (6, 22)

    def is_daytime(self, hour: int) -> bool:
        return self.daytime_hours[0] <= hour < self.daytime_hours[1]


def noise_grade(table: NoiseTable, kind: NoiseKind, leq: float) -> tuple[int, str]:
    """(grade number from 1, its name). Levels are reported to 0.1 dB, so 50.04 reads as 50.0 (grade 1)."""
    if not math.isfinite(leq):
        raise ValueError("Leq must be a finite number")
    reported = Decimal(str(leq)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    for number, bound in enumerate(table.bounds[kind], start=1):
        if reported <= Decimal(str(bound)):
            return number, table.grades[number - 1]
    return len(table.grades), table.grades[-1]
