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


# Values that are no pollutant's index of their own, only the source of a fall-back (HJ 633 table 1 note: an hourly
# SO2 above 800 has no hourly sub-index; the SO2 sub-index reported is the one of its 24-hour average).
SOURCES: dict[Averaging, dict[str, str]] = {"24h": {}, "1h": {"so2_24h": "so2_24h"}}


class AqiInputError(ValueError):
    """The concentrations cannot give an index (unknown pollutant, negative value, missing fall-back)."""


class MissingFallbackSource(AqiInputError):
    """A value above its row's last breakpoint whose fall-back needs another concentration that was not given."""


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
    # Pollutants left out because their fall-back's source was missing (only when the caller asked to omit them).
    not_indexed: tuple[str, ...] = ()


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
    # HJ 633 table 1 notes: SO2 1h above 800 reports the index of the SO2 24h average; O3 8h above 800 reports the
    # 1h index.
    source = concentration if fallback.concentration == "same" else others.get(fallback.concentration)
    if source is None:
        raise MissingFallbackSource(
            f"{row_name} above {row[-1]:g} has no sub-index of its own: {fallback.concentration} is needed"
        )
    return sub_index(table, fallback.row, source, {})


def category_of(table: AqiTable, aqi: int) -> Category:
    for category in table.categories:
        if category.upper is None or aqi <= category.upper:
            return category
    return table.categories[-1]


def compute_aqi(
    table: AqiTable, averaging: Averaging, concentrations: Mapping[str, float], *, omit_unindexable: bool = False
) -> AqiResult:
    """AQI = max IAQI; primary pollutants are all those at the maximum when AQI > 50 (ties all count).

    A value whose fall-back needs a concentration not given raises :class:`MissingFallbackSource`, or, with
    ``omit_unindexable`` (stored data, where the source may lack enough hours), is left out and named.
    """
    iaqi, not_indexed = _sub_indices(table, averaging, concentrations, omit_unindexable)
    if not iaqi:
        return AqiResult(None, None, None, (), {}, (), table.name, not_indexed)
    aqi = max(iaqi.values())
    category = category_of(table, aqi)
    primary = tuple(sorted(p for p, v in iaqi.items() if v == aqi)) if aqi > table.primary_threshold else ()
    over = tuple(sorted(p for p, v in iaqi.items() if v > table.exceedance_threshold))
    return AqiResult(aqi, category.name, category.level, primary, iaqi, over, table.name, not_indexed)


def _sub_indices(
    table: AqiTable, averaging: Averaging, concentrations: Mapping[str, float], omit_unindexable: bool
) -> tuple[dict[str, int], tuple[str, ...]]:
    rows, sources = ROWS[averaging], SOURCES[averaging]
    unknown = sorted(set(concentrations) - set(rows) - set(sources))
    if unknown:
        raise AqiInputError(f"unknown pollutants: {', '.join(unknown)}")
    invalid = sorted(p for p, v in concentrations.items() if v < 0 or not math.isfinite(v))
    if invalid:
        raise AqiInputError(f"concentrations must be finite numbers ≥ 0: {', '.join(invalid)}")
    by_row = {(rows | sources)[p]: v for p, v in concentrations.items()}
    iaqi: dict[str, int] = {}
    not_indexed: list[str] = []
    for pollutant in sorted(set(concentrations) & set(rows)):
        try:
            iaqi[pollutant] = sub_index(table, rows[pollutant], concentrations[pollutant], by_row)
        except MissingFallbackSource:
            if not omit_unindexable:
                raise
            not_indexed.append(pollutant)
    return iaqi, tuple(not_indexed)
