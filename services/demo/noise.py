"""The demo year's noise monitoring (声环境监测, 2021): regional grid points, road traffic sections and
functional-zone points of a Tianjin suburban district, with plausible levels (a grid mean of about 54 dB(A) by day,
traffic about 68 dB(A), a few class 1 and 4a nights over their limits). Deterministic per seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from services.demo.plan import SHANGHAI, TOWNS

ROAD_SECTIONS: tuple[tuple[str, str, int], ...] = (
    ("津静公路", "杨柳青镇", 4200), ("杨柳青大道", "杨柳青镇", 2600), ("中北大道", "中北镇", 3100),
    ("外环线西青段", "李七庄街", 3800), ("津涞公路", "精武镇", 2900), ("西青道", "西营门街", 1800),
    ("赛达大道", "大寺镇", 2400), ("京福公路", "王稳庄镇", 3300), ("友谊南路", "李七庄街", 1500),
    ("津同公路", "辛口镇", 2700), ("宾水西道", "张家窝镇", 2200), ("大寺镇主干道", "大寺镇", 1600),
    ("梨园头路", "杨柳青镇", 1200), ("张家窝镇中心路", "张家窝镇", 1400), ("中北镇阜盛道", "中北镇", 2000),
    ("精武镇学府道", "精武镇", 1700),
)  # fmt: skip
# Functional-zone points: (name, town, GB 3096 class); measured 24 h once a quarter.
ZONE_POINTS: tuple[tuple[str, str, str], ...] = (
    ("西青区医院", "杨柳青镇", "1"), ("大学城社区", "精武镇", "1"), ("杨柳青古镇商业街", "杨柳青镇", "2"),
    ("中北镇商住区", "中北镇", "2"), ("赛达工业园", "大寺镇", "3"), ("西青经济技术开发区", "张家窝镇", "3"),
    ("津静公路道边", "杨柳青镇", "4a"), ("外环线道边", "李七庄街", "4a"),
)  # fmt: skip
NOISE_YEAR = date(2021, 1, 1)
GRID_POINTS = 48
QUARTER_DAYS = (date(2021, 2, 23), date(2021, 5, 18), date(2021, 8, 17), date(2021, 11, 16))
# Typical day / night levels of a class's surroundings, dB(A).
ZONE_LEVELS = {"1": (52.5, 43.5), "2": (56.0, 47.0), "3": (60.5, 51.0), "4a": (65.5, 54.0)}


@dataclass(frozen=True)
class NoisePoint:
    code: str
    name: str
    town: str
    noise_kind: str
    zone_class: str | None = None
    road_length_m: int | None = None


def noise_points() -> list[NoisePoint]:
    grid = [
        NoisePoint(f"XQ-NR{n + 1:02d}", f"区域噪声网格{n + 1:02d}号", TOWNS[n % len(TOWNS)], "regional")
        for n in range(GRID_POINTS)
    ]
    roads = [
        NoisePoint(f"XQ-NT{n + 1:02d}", f"{road}路段", town, "road_traffic", road_length_m=length)
        for n, (road, town, length) in enumerate(ROAD_SECTIONS)
    ]
    zones = [
        NoisePoint(f"XQ-NF{n + 1:02d}", f"{name}功能区监测点", town, "functional_zone", zone_class=zone_class)
        for n, (name, town, zone_class) in enumerate(ZONE_POINTS)
    ]
    return grid + roads + zones


def station_body(point: NoisePoint) -> dict[str, Any]:
    body: dict[str, Any] = {"code": point.code, "kind": "noise_point", "name": point.name, "town": point.town,
                            "level": "district", "noise_kind": point.noise_kind, "parameters": ["leq"]}  # fmt: skip
    if point.zone_class:
        body["noise_zone_class"] = point.zone_class
    if point.road_length_m:
        body["road_length_m"] = point.road_length_m
    return body


def _samples(rng: random.Random, level: float, count: int, spread: float, peaks: float) -> list[float]:
    """Instantaneous levels around ``level``: a steady background and now and then a louder event (a truck)."""
    out = []
    for _ in range(count):
        value = rng.gauss(level - 2.0, spread)
        if rng.random() < peaks:
            value += rng.uniform(6, 14)
        out.append(round(min(max(value, 30.0), 110.0), 1))
    return out


def _at(day: date, hour: int, minute: int) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).isoformat()


def measurements(seed: int, points: list[NoisePoint]) -> list[dict[str, Any]]:
    """One day and one night measurement of every grid point (10 min, 120 readings) and road section (20 min, 200
    readings) in spring; four 24-hour measurements of every functional-zone point."""
    rng = random.Random(f"{seed}-noise")  # noqa: S311 - demo data, reproducible on purpose
    rows: list[dict[str, Any]] = []
    for n, point in enumerate(points):
        day = date(2021, 4, 12 + n % 16)
        if point.noise_kind == "regional":
            base = rng.gauss(53.5, 2.6)
            for hour, level in ((9 + n % 6, base), (22 + n % 2, base - rng.uniform(8, 11))):
                samples = _samples(rng, level, 120, 3.0, 0.05)
                rows.append({"station": point.code, "started_at": _at(day, hour, 5 * (n % 6)), "samples": samples,
                             "sample_interval_seconds": 5})  # fmt: skip
        elif point.noise_kind == "road_traffic":
            base = rng.gauss(64.5, 1.8)  # with the passing trucks, an Leq of about 68
            vehicles = rng.randint(900, 3200)
            for hour, level, flow in ((10 + n % 5, base, vehicles), (23, base - rng.uniform(6, 9), vehicles // 5)):
                samples = _samples(rng, level, 200, 3.5, 0.12)
                rows.append({"station": point.code, "started_at": _at(day, hour, 0), "vehicles_per_hour": flow,
                             "samples": samples, "sample_interval_seconds": 6})  # fmt: skip
        else:
            day_level, night_level = ZONE_LEVELS[point.zone_class or "2"]
            for quarter in QUARTER_DAYS:
                offset = rng.gauss(0, 1.6)
                hourly = [
                    round(rng.gauss((day_level if 6 <= h < 22 else night_level) + offset, 1.2), 1) for h in range(24)
                ]
                rows.append({"station": point.code, "started_at": _at(quarter, 0, 0), "hourly_leq": hourly})
    return rows
