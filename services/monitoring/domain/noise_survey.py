"""声环境监测 (GB 3096-2008, GB/T 3222, HJ 640-2012): a measurement's indicators from its samples, and the year's
assessment of regional (区域), road traffic (道路交通) and functional-zone (功能区) monitoring.

- A regional or traffic measurement is a series of instantaneous A-weighted levels read at equal intervals (HJ 640:
  e.g. 100 readings for a grid point, 200 for a road section, every 5 s, or the meter's own samples). From them:
  Leq, the energy mean ``10·lg(Σ 10^(0.1·Li) / n)``; the percentile levels L10, L50, L90 — the levels exceeded 10 %,
  50 %, 90 % of the time: with the n readings sorted from loudest, the ⌈n·10/100⌉-th, ⌈n·50/100⌉-th, ⌈n·90/100⌉-th
  (the 10th, 50th and 90th of 100); Lmax, Lmin and the standard deviation σ (n − 1 in the denominator).
- A functional-zone measurement is 24 consecutive hourly Leq values (HJ 640 §功能区: 24 h continuous): Ld is the
  energy mean of the daytime hours (昼间 06:00–22:00, GB 3096 §3), Ln of the night hours (夜间).
- The year: regional — the arithmetic mean of the grid points' Ld (S_d) and Ln (S_n), graded on HJ 640's regional
  table; traffic — the mean weighted by section length ``Σ li·Li / Σ li``, graded on the traffic table; functional
  zones — per class, day and night, the compliance rate (达标率) = measurements at or below the class limit / all.
  HJ 640 grades on these, so Ldn (not used by GB 3096 or HJ 640) is not computed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from services.monitoring.domain.noise import (
    ZONE_CLASSES,
    NoiseKind,
    NoiseTable,
    NoiseZoneTable,
    Period,
    noise_grade,
    reported,
)

MIN_SAMPLES = 10
HOURS_PER_MEASUREMENT = 24
LEVEL_RANGE = (0.0, 200.0)
PERIODS: tuple[Period, ...] = ("day", "night")


class NoiseInputError(ValueError):
    """Samples or hourly levels that cannot be a measurement."""


def _levels(values: Sequence[float], what: str) -> list[float]:
    for value in values:
        if not (math.isfinite(value) and LEVEL_RANGE[0] <= value <= LEVEL_RANGE[1]):
            raise NoiseInputError(f"{what}: {value!r} is not a level in dB(A) between 0 and 200")
    return list(values)


def energy_mean(levels: Sequence[float]) -> float:
    """等效声级 of equally weighted levels: ``10·lg(Σ 10^(0.1·Li) / n)``, unrounded."""
    return 10 * math.log10(sum(10 ** (level / 10) for level in levels) / len(levels))


def _tenth(value: float) -> float:
    """To 0.1 dB, half up (as levels are reported)."""
    return float(reported(value))


def percentile_level(samples: Sequence[float], percent: int) -> float:
    """Lx: the level exceeded ``percent`` % of the time, the ⌈n·x/100⌉-th reading from the loudest."""
    loudest_first = sorted(samples, reverse=True)
    return loudest_first[math.ceil(len(samples) * percent / 100) - 1]


@dataclass(frozen=True)
class SampleIndicators:
    leq: float
    l10: float
    l50: float
    l90: float
    lmax: float
    lmin: float
    sd: float


def sample_indicators(samples: Sequence[float]) -> SampleIndicators:
    """The indicators of one measurement's readings, each to 0.1 dB."""
    levels = _levels(samples, "sample")
    if len(levels) < MIN_SAMPLES:
        raise NoiseInputError(f"a measurement needs at least {MIN_SAMPLES} samples, got {len(levels)}")
    mean = sum(levels) / len(levels)
    sd = math.sqrt(sum((level - mean) ** 2 for level in levels) / (len(levels) - 1))
    return SampleIndicators(
        leq=_tenth(energy_mean(levels)),
        l10=percentile_level(levels, 10),
        l50=percentile_level(levels, 50),
        l90=percentile_level(levels, 90),
        lmax=max(levels),
        lmin=min(levels),
        sd=_tenth(sd),
    )


def day_and_night(table: NoiseTable, start_hour: int, hourly: Sequence[float]) -> tuple[float, float]:
    """(Ld, Ln) of 24 hourly Leq values, the first for the local hour ``start_hour``."""
    levels = _levels(hourly, "hourly Leq")
    if len(levels) != HOURS_PER_MEASUREMENT:
        raise NoiseInputError(f"a 24-hour measurement has {HOURS_PER_MEASUREMENT} hourly values, got {len(levels)}")
    day = [v for i, v in enumerate(levels) if table.is_daytime((start_hour + i) % 24)]
    night = [v for i, v in enumerate(levels) if not table.is_daytime((start_hour + i) % 24)]
    return _tenth(energy_mean(day)), _tenth(energy_mean(night))


@dataclass(frozen=True)
class Graded:
    """A period's mean level and its HJ 640 grade."""

    mean: float | None
    grade: int | None
    grade_name: str | None
    count: int


def _graded(table: NoiseTable, kind: NoiseKind, period: Period, mean: float | None, count: int) -> Graded:
    if mean is None:
        return Graded(None, None, None, count)
    grade, name = noise_grade(table, kind, mean, period)
    return Graded(_tenth(mean), grade, name, count)


def regional_mean(table: NoiseTable, period: Period, levels: Sequence[float]) -> Graded:
    """S_d or S_n: the arithmetic mean of the grid points' levels, graded on the regional table."""
    mean = sum(levels) / len(levels) if levels else None
    return _graded(table, "regional", period, mean, len(levels))


def traffic_mean(table: NoiseTable, period: Period, sections: Sequence[tuple[float, float]]) -> Graded:
    """L_d or L_n: the mean of (length, level) sections weighted by length, graded on the traffic table."""
    total = sum(length for length, _ in sections)
    mean = sum(length * level for length, level in sections) / total if total > 0 else None
    return _graded(table, "road_traffic", period, mean, len(sections))


@dataclass(frozen=True)
class Compliance:
    """达标率 of one class in one period: measurements at or below the limit, of all."""

    zone_class: str
    period: Period
    limit: float
    measured: int
    compliant: int

    @property
    def rate(self) -> float | None:
        return None if self.measured == 0 else round(self.compliant / self.measured, 4)


def zone_compliance(zones: NoiseZoneTable, measured: Sequence[tuple[str, Period, float]]) -> list[Compliance]:
    """Per class (0 … 4b, those measured) and period: (class, period, level) measurements against the limits."""
    out: list[Compliance] = []
    for zone_class in ZONE_CLASSES:
        for period in PERIODS:
            levels = [level for c, p, level in measured if c == zone_class and p == period]
            if levels:
                compliant = sum(zones.complies(zone_class, period, level) for level in levels)
                out.append(Compliance(zone_class, period, zones.limit(zone_class, period), len(levels), compliant))
    return out
