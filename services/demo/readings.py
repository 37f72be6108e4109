"""Plausible monitoring values for the demo: hourly air data with the seasons of a north-China plain district
(PM2.5 high in winter, ozone high on summer afternoons, traffic peaks in NO2), gaps and faulty instrument flags; and
monthly surface-water samples around each section's typical class. Deterministic per seed and station."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from services.demo.plan import AIR_PARAMETERS, AIR_START, SHANGHAI, WATER_PARAMETERS, AirStation, Section
from shared.workdays import WorkCalendar

# Monthly district means (μg/m³; CO mg/m³), January first.
PM25 = (75, 68, 55, 42, 35, 33, 30, 27, 32, 42, 55, 62)
SO2 = (14, 12, 9, 7, 6, 5, 5, 5, 6, 8, 11, 14)
NO2 = (48, 40, 36, 30, 26, 22, 20, 22, 30, 40, 48, 50)
CO = (1.3, 1.1, 0.8, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.8, 1.1, 1.3)
O3_PEAK = (55, 70, 95, 125, 160, 175, 165, 150, 125, 90, 60, 50)
UNITS = {"co": "mg/m³"}
MISSING_HOUR_SHARE = 0.004

# GB 3838-2002 class limits I…V (mg/L), as the monitoring standards file has them.
WATER_LIMITS: dict[str, tuple[float, ...]] = {
    "do": (7.5, 6, 5, 3, 2),
    "codmn": (2, 4, 6, 10, 15),
    "cod": (15, 15, 20, 30, 40),
    "bod5": (3, 3, 4, 6, 10),
    "nh3n": (0.15, 0.5, 1.0, 1.5, 2.0),
    "tp": (0.02, 0.1, 0.2, 0.3, 0.4),
}
LAKE_LIMITS: dict[str, tuple[float, ...]] = {"tp": (0.01, 0.025, 0.05, 0.1, 0.2), "tn": (0.2, 0.5, 1.0, 1.5, 2.0)}


def weather(seed: int, days: int) -> list[float]:
    """A district-wide daily dispersion factor (stagnant days ≫ 1, windy days ≪ 1), shared by every station."""
    rng = random.Random(f"{seed}-weather")  # noqa: S311 - demo data, reproducible on purpose
    level, out = 0.0, []
    for _ in range(days):
        level = 0.7 * level + rng.gauss(0, 0.35)
        out.append(math.exp(level))
    return out


def _hour_values(rng: random.Random, station: AirStation, moment: datetime, dispersion: float) -> dict[str, float]:
    month, hour = moment.month - 1, moment.hour

    def noise(sigma: float) -> float:
        return math.exp(rng.gauss(0, sigma))

    night = 1 + 0.18 * math.cos(2 * math.pi * (hour - 22) / 24)
    traffic = 1 + 0.25 * (math.exp(-((hour - 8) ** 2) / 4) + math.exp(-((hour - 19) ** 2) / 5))
    pm25 = PM25[month] * station.factor * dispersion * night * noise(0.12)
    dust = 1.7 + (0.5 if 2 <= month <= 4 else 0.0)
    sun = max(0.0, math.sin(math.pi * (hour - 7) / 14)) if 7 <= hour <= 21 else 0.0
    o3 = O3_PEAK[month] * (0.22 + 0.78 * sun) * dispersion**-0.25 * noise(0.1)
    return {
        "so2": round(SO2[month] * station.factor * dispersion**0.5 * noise(0.15), 1),
        "no2": round(NO2[month] * station.factor * dispersion**0.6 * traffic * noise(0.12), 1),
        "co": round(CO[month] * station.factor * dispersion**0.7 * noise(0.1), 2),
        "pm10": round(pm25 * dust * noise(0.08), 1),
        "pm25": round(pm25, 1),
        "o3": round(o3, 1),
    }


def air_rows(seed: int, station: AirStation, first_hour: int, last_hour: int) -> Iterator[dict[str, str | float]]:
    """Readings of hours [first_hour, last_hour) counted from 1 January 2021 00:00 (Beijing time)."""
    rng = random.Random(f"{seed}-air-{station.code}-{first_hour}")  # noqa: S311 - reproducible demo data
    dispersion = weather(seed, last_hour // 24 + 1)
    outage = {h for start, length in station.outages for h in range(start, start + length)}
    faults = {(h, p): flag for start, length, p, flag in station.faults for h in range(start, start + length)}
    start = datetime.combine(AIR_START, time(), tzinfo=SHANGHAI)
    for hour in range(first_hour, last_hour):
        moment = start + timedelta(hours=hour)
        values = _hour_values(rng, station, moment, dispersion[hour // 24])
        if hour in outage or rng.random() < MISSING_HOUR_SHARE:
            continue
        stamp = moment.isoformat()
        for parameter in AIR_PARAMETERS:
            yield {
                "station": station.code,
                "parameter": parameter,
                "time": stamp,
                "value": values[parameter],
                "unit": UNITS.get(parameter, "μg/m³"),
                "flag": faults.get((hour, parameter), "N"),
            }


def _upper_value(limits: tuple[float, ...], grade: float) -> float:
    """A value of an upper-bound parameter that falls in class ``grade`` (1.0–5.x; above 5 is 劣V)."""
    if grade > 5:
        return limits[4] * (1 + (grade - 5) * 0.6)
    k = max(1, math.ceil(grade))
    low = limits[k - 2] if k >= 2 else limits[0] * 0.5
    high = limits[k - 1]
    return low + (high - low) * (grade - (k - 1))


def _lower_value(limits: tuple[float, ...], grade: float) -> float:
    """Dissolved oxygen: a lower bound, better water holds more."""
    if grade > 5:
        return max(0.5, limits[4] - (grade - 5) * 1.5)
    k = max(1, math.ceil(grade))
    high = limits[k - 2] if k >= 2 else limits[0] + 1.5
    low = limits[k - 1]
    return high - (high - low) * (grade - (k - 1))


def water_rows(seed: int, section: Section, month: date) -> list[dict[str, str | float]]:
    """One monthly sample (a working day between the 5th and the 20th) of every parameter of the section."""
    rng = random.Random(f"{seed}-water-{section.code}-{month.isoformat()}")  # noqa: S311 - reproducible demo data
    calendar = WorkCalendar()
    day = month.replace(day=rng.randint(5, 16))
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    summer = 0.35 if month.month in (6, 7, 8) else 0.0
    grade = min(6.3, max(1.2, section.quality + summer + rng.gauss(0, 0.4)))
    stamp = datetime.combine(day, time(), tzinfo=SHANGHAI).isoformat()
    parameters = [*WATER_PARAMETERS, *(("tn",) if section.water_body == "lake" else ())]
    rows: list[dict[str, str | float]] = []
    for parameter in parameters:
        own = min(6.3, max(1.0, grade + rng.gauss(0, 0.45)))
        if parameter == "ph":
            value = round(rng.uniform(7.1, 8.6), 2)
            unit = "无量纲"
        else:
            limits = (LAKE_LIMITS if section.water_body == "lake" else {}).get(parameter) or WATER_LIMITS.get(
                parameter, LAKE_LIMITS.get(parameter, (1, 1, 1, 1, 1))
            )
            raw = _lower_value(limits, own) if parameter == "do" else _upper_value(limits, own)
            value = round(raw, 3)
            unit = "mg/L"
        rows.append(
            {"station": section.code, "parameter": parameter, "time": stamp, "value": value, "unit": unit,
             "flag": "N", "interval": "day"}
        )  # fmt: skip
    return rows
