"""Statistics from valid data: daily air concentrations (GB 3095 counts), monthly water means, noise Leq."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from services.monitoring.domain.validity import ValidityRules, daily_mean, max_8h_average

# Air parameters as stored (hourly values) → their daily statistic's name in the AQI input.
DAILY_MEANS = ("so2", "no2", "co", "pm10", "pm25")
AIR_PARAMETERS = (*DAILY_MEANS, "o3")


def daily_air_concentrations(rules: ValidityRules, hourly: Mapping[str, Mapping[int, float]]) -> dict[str, float]:
    """From one local day's valid hourly values (hour 0–23 → value) per parameter: the 24h inputs of the AQI.

    24h means need ≥ 20 hours; O3 gives its 1h daily maximum (also ≥ 20 hours) and its maximum 8h moving average.
    A statistic without enough data is left out rather than guessed.
    """
    out: dict[str, float] = {}
    for parameter in DAILY_MEANS:
        mean = daily_mean(rules, list(hourly.get(parameter, {}).values()))
        if mean is not None:
            out[parameter] = round(mean, 3)
    ozone = hourly.get("o3", {})
    if len(ozone) >= rules.min_hourly_values_per_day:
        out["o3_1h"] = max(ozone.values())
    eight = max_8h_average(rules, ozone)
    if eight is not None and len(ozone) >= rules.min_hourly_values_per_day:
        out["o3_8h"] = round(eight, 3)
    return out


def hourly_air_concentrations(values: Mapping[str, float], *, so2_24h: float | None = None) -> dict[str, float]:
    """One hour's values as 1h AQI inputs (O3 is its 1h value; PM read against the 24h rows).

    ``so2_24h``, the day's SO2 24-hour average, is the source of the SO2 sub-index when the hourly SO2 is above the
    last 1h breakpoint (800 µg/m³, HJ 633 table 1 note); without it such an hour leaves SO2 out.
    """
    renamed = {"o3": "o3_1h"}
    out = {renamed.get(k, k): v for k, v in values.items() if k in (*DAILY_MEANS, "o3")}
    if so2_24h is not None:
        out["so2_24h"] = so2_24h
    return out


def mean_of_stations(per_station: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """A town's concentrations: the arithmetic mean of its stations' values, pollutant by pollutant."""
    sums: dict[str, list[float]] = {}
    for values in per_station:
        for name, value in values.items():
            sums.setdefault(name, []).append(value)
    return {name: round(sum(v) / len(v), 3) for name, v in sums.items()}


def energetic_mean(levels: Sequence[float]) -> float | None:
    """Equivalent continuous level of several Leq values (dB are averaged as energy, not arithmetically)."""
    if not levels:
        return None
    return round(10 * math.log10(sum(10 ** (lv / 10) for lv in levels) / len(levels)), 1)
