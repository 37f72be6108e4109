"""噪声等级 (HJ 640-2012): a day or night equivalent sound level → grade (regional or road traffic); the zone class
limits of GB 3096-2008 (声环境功能区)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

NoiseKind = Literal["regional", "road_traffic"]
Period = Literal["day", "night"]
ZONE_CLASSES = ("0", "1", "2", "3", "4a", "4b")


@dataclass(frozen=True)
class NoiseTable:
    name: str
    effective_from: date
    grades: tuple[str, ...]
    bounds: Mapping[str, tuple[float, ...]]
    daytime_hours: tuple[int, int] = (6, 22)
    night_bounds: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    def is_daytime(self, hour: int) -> bool:
        return self.daytime_hours[0] <= hour < self.daytime_hours[1]


def reported(level: float) -> Decimal:
    """A level as it is reported: to 0.1 dB, half up (50.04 → 50.0, 50.05 → 50.1)."""
    if not math.isfinite(level):
        raise ValueError("Leq must be a finite number")
    return Decimal(str(level)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def noise_grade(table: NoiseTable, kind: NoiseKind, leq: float, period: Period = "day") -> tuple[int, str]:
    """(grade number from 1, its name). Levels are reported to 0.1 dB, so 50.04 reads as 50.0 (grade 1)."""
    level = reported(leq)
    bounds = table.bounds[kind] if period == "day" else table.night_bounds[kind]
    for number, bound in enumerate(bounds, start=1):
        if level <= Decimal(str(bound)):
            return number, table.grades[number - 1]
    return len(table.grades), table.grades[-1]


@dataclass(frozen=True)
class NoiseZoneTable:
    """环境噪声限值 (GB 3096-2008 table 1): per 声环境功能区 class, the day and night limits, dB(A)."""

    name: str
    effective_from: date
    limits: Mapping[str, tuple[float, float]]

    def limit(self, zone_class: str, period: Period) -> float:
        day, night = self.limits[zone_class]
        return day if period == "day" else night

    def complies(self, zone_class: str, period: Period, level: float) -> bool:
        """达标: the reported level (0.1 dB) is at or below the class limit."""
        return reported(level) <= Decimal(str(self.limit(zone_class, period)))
