"""空气质量指数 AQI (HJ 633): sub-indices (IAQI) by linear interpolation between breakpoints, rounded up."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Literal

Averaging = Literal["24h", "1h"]

# Which breakpoint row each reported concentration is read against, per averaging period. PM10 and PM2.5 have
# only 24h rows; an hourly AQI reads their (moving) averages against them.
ROWS: dict[Averaging, dict[str, str]] = {
    "24h": {
        "so2": "so2_24h",
        "no2": "no2_24h",
        "co": "co_24h",
        "pm10": "pm10_24h",
        "pm25": "pm25_24h",
        "o3_8h": "o3_8h",
        "o3_1h": "o3_1h",
    },
    "1h": {
        "so2": "so2_1h",
        "no2": "no2_1h",
        "co": "co_1h",
        "pm10": "pm10_24h",
        "pm25": "pm25_24h",
        "o3_8h": "o3_8h",
        "o3_1h": "o3_1h",
    },
}


class AqiInputError(ValueError):
    """The concentrations cannot give an index (unknown pollutant, negative value, missing fall-back)."""


@dataclass(frozen=True)
class Category:
    upper: int | None
    name: str
    level: str


@dataclass(frozen=True)
class Fallback:
    """What a row reports above its last breakpoint: ``row``'s index of the same value or of ``concentration``."""

    row: str
    concentration: str = "same"


@dataclass(frozen=True)
class AqiTable:
    name: str
    effective_from: date
    iaqi_levels: tuple[int, ...]
    breakpoints: Mapping[str, tuple[float, ...]]
    fallbacks: Mapping[str, Fallback]
    categories: tuple[Category, ...]
    primary_threshold: int = 50
    exceedance_threshold: int = 100
    good_or_better_upper: int = 100
    units: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AqiResult:
    aqi: int | None
    category: str | None
    level: str | None
    primary_pollutants: tuple[str, ...]
    iaqi: dict[str, int] = field(default_factory=dict)
    over_standard: tuple[str, ...] = ()
    standard: str = ""


def _interpolate(levels: tuple[int, ...], row: tuple[float, ...], concentration: Fraction) -> int | None:
    """None above the row's last breakpoint (the caller falls back or caps)."""
    for i in range(1, len(row)):
        if concentration <= Fraction(str(row[i])):
            lo, hi = Fraction(str(row[i - 1])), Fraction(str(row[i]))
            value = Fraction(levels[i] - levels[i - 1]) / (hi - lo) * (concentration - lo) + levels[i - 1]
            return math.ceil(value)
    return None


def sub_index(table: AqiTable, row_name: str, concentration: float, others: Mapping[str, float]) -> int:
    """IAQI of one pollutant; beyond the last breakpoint a row with a fall-back uses it, the rest cap at 500."""
    if concentration < 0 or not math.isfinite(concentration):
        raise AqiInputError(f"concentration of {row_name} must be a finite number ≥ 0")
    row = table.breakpoints[row_name]
    found = _interpolate(table.iaqi_levels, row, Fraction(str(concentration)))
    if found is not None:
        return found
    fallback = table.fallbacks.get(row_name)
    if fallback is None:
        return table.iaqi_levels[-1]
    # HJ 633 table 1 notes: SO2 1h above 800 reports the 24h index; O3 8h above 800 reports the 1h index.
    source = concentration if fallback.concentration == "same" else others.get(fallback.concentration)
    if source is None:
        raise AqiInputError(f"{row_name} is above its last breakpoint: {fallback.concentration} is needed")
    return sub_index(table, fallback.row, source, {})


def category_of(table: AqiTable, aqi: int) -> Category:
    for category in table.categories:
        if category.upper is None or aqi <= category.upper:
            return category
    return table.categories[-1]


def compute_aqi(table: AqiTable, averaging: Averaging, concentrations: Mapping[str, float]) -> AqiResult:
    """AQI = max IAQI; primary pollutants are all those at the maximum when AQI > 50 (ties all count)."""
    rows = ROWS[averaging]
    unknown = sorted(set(concentrations) - set(rows))
    if unknown:
        raise AqiInputError(f"unknown pollutants: {', '.join(unknown)}")
    by_row = {rows[p]: v for p, v in concentrations.items()}
    iaqi = {p: sub_index(table, rows[p], v, by_row) for p, v in concentrations.items()}
    if not iaqi:
        return AqiResult(None, None, None, (), {}, (), table.name)
    aqi = max(iaqi.values())
    category = category_of(table, aqi)
    primary = tuple(sorted(p for p, v in iaqi.items() if v == aqi)) if aqi > table.primary_threshold else ()
    over = tuple(sorted(p for p, v in iaqi.items() if v > table.exceedance_threshold))
    return AqiResult(aqi, category.name, category.level, primary, iaqi, over, table.name)
