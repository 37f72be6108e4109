"""The demo's enterprises with permits (排污单位): the plan's companies of emitting trades, their outlets and permit
limits (``data/enterprise_permits.yaml``), and a year of their self-monitoring results — daily means for the key
units (重点排污单位, automatic monitoring) and monthly or quarterly manual results for the others, with a few faulty
values, missed results and exceedances. Deterministic per seed; loaded compactly through the bulk path."""

from __future__ import annotations

import csv
import functools
import io
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from services.demo.plan import AIR_START, SHANGHAI, DemoPlan
from shared.yamlfile import load_yaml

PERMITS = Path(__file__).parent / "data" / "enterprise_permits.yaml"
MAX_ENTERPRISES = 240
KEY_UNIT_EVERY = 6  # one enterprise in six is a key unit (重点排污单位) with automatic monitoring
EXCEEDING = 6  # key units with one exceedance day in the year
FAULT_SHARE = 0.01  # daily means flagged by the instrument (D fault, M maintenance)
MISSED_SHARE = 0.02  # results that never came


@dataclass(frozen=True)
class OutletPlan:
    code: str
    name: str
    medium: str
    station: str
    frequency: str
    limits: tuple[tuple[str, float, str], ...]  # parameter, limit, unit (before any renewal)


@dataclass(frozen=True)
class EnterprisePlan:
    code: str
    name: str
    town: str
    industry: str
    credit_code: str | None
    key_unit: bool
    renewed: bool
    outlets: tuple[OutletPlan, ...]
    exceeds_on: date | None


@functools.cache
def _permits() -> dict[str, Any]:
    loaded: dict[str, Any] = load_yaml(PERMITS)
    return loaded


def renewal() -> tuple[date, float]:
    found = _permits()["renewal"]
    return date.fromisoformat(found["effective_from"]), float(found["factor"])


def enterprise_plans(plan: DemoPlan) -> list[EnterprisePlan]:
    """The plan's companies whose trade has a permit entry, at most ``MAX_ENTERPRISES``."""
    trades: dict[str, Any] = _permits()["trades"]
    rng = random.Random(f"{plan.seed}-enterprises")  # noqa: S311 - demo data, reproducible on purpose
    out: list[EnterprisePlan] = []
    for party in plan.parties:
        trade = next((t for t in trades if party.party_type == "organisation" and t in party.name), None)
        if trade is None or len(out) >= MAX_ENTERPRISES:
            continue
        index = len(out)
        key_unit = index % KEY_UNIT_EVERY == 0
        spec = trades[trade]
        outlets = tuple(
            OutletPlan(
                o["code"], o["name"], o["medium"], f"XQ-P{index + 1:03d}-{o['code']}",
                "day" if key_unit else ("month" if o["medium"] == "water" else "quarter"),
                tuple((p, float(v[0]), str(v[1])) for p, v in o["limits"].items()),
            )
            for o in spec["outlets"]
        )  # fmt: skip
        exceeds = key_unit and index // KEY_UNIT_EVERY < EXCEEDING
        out.append(
            EnterprisePlan(
                f"XQ-E{index + 1:03d}", party.name, party.town,
                spec["industry"], party.credit_code, key_unit, bool(spec.get("renewed")), outlets,
                AIR_START + timedelta(days=rng.randrange(20, 340)) if exceeds else None,
            )
        )  # fmt: skip
    return out


def limits_of(enterprise: EnterprisePlan, outlet: OutletPlan) -> list[dict[str, Any]]:
    """The outlet's permit limits: from 1 January 2020, renewed (stricter) from the renewal day when the trade's
    permits were renewed."""
    on, factor = renewal()
    out: list[dict[str, Any]] = []
    for parameter, limit, unit in outlet.limits:
        if enterprise.renewed:
            out.append({"parameter": parameter, "limit": limit, "unit": unit, "valid_from": "2020-01-01",
                        "valid_to": (on - timedelta(days=1)).isoformat()})  # fmt: skip
            out.append({"parameter": parameter, "limit": round(limit * factor, 3), "unit": unit,
                        "valid_from": on.isoformat()})  # fmt: skip
        else:
            out.append({"parameter": parameter, "limit": limit, "unit": unit, "valid_from": "2020-01-01"})
    return out


def import_csv(enterprises: list[EnterprisePlan]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "name", "town", "industry", "credit_code", "key_unit"])
    for e in enterprises:
        writer.writerow([e.code, e.name, e.town, e.industry, e.credit_code or "", "是" if e.key_unit else ""])
    return buffer.getvalue().encode()


def _result_days(outlet: OutletPlan, rng: random.Random, days: int) -> Iterator[date]:
    """The local days with a result: every day for daily means, a working-ish day of each month or quarter."""
    last = AIR_START + timedelta(days=days - 1)
    if outlet.frequency == "day":
        yield from (AIR_START + timedelta(days=n) for n in range(days))
        return
    step = 1 if outlet.frequency == "month" else 3
    for month in range(1, 13, step):
        day = date(AIR_START.year, month, rng.randint(5, 20))
        if day <= last:
            yield day


def result_rows(seed: int, enterprise: EnterprisePlan, days: int) -> list[dict[str, Any]]:
    """The enterprise's results of the first ``days`` days of the year: around a third to a half of the limit,
    with the seasons (more in winter for air), some faults and gaps, and its exceedance day if it has one."""
    rng = random.Random(f"{seed}-results-{enterprise.code}")  # noqa: S311 - reproducible demo data
    on, factor = renewal()
    rows: list[dict[str, Any]] = []
    for outlet in enterprise.outlets:
        level = rng.uniform(0.3, 0.5)
        for day in _result_days(outlet, rng, days):
            if rng.random() < MISSED_SHARE:
                continue
            season = 1 + 0.15 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)
            stamp = datetime.combine(day, time(), tzinfo=SHANGHAI).isoformat()
            flag = rng.choice("DM") if rng.random() < FAULT_SHARE else "N"
            for parameter, limit, unit in outlet.limits:
                in_force = limit * factor if enterprise.renewed and day >= on else limit
                value = in_force * level * season * math.exp(rng.gauss(0, 0.2))
                if day == enterprise.exceeds_on and parameter == outlet.limits[0][0]:
                    value = in_force * rng.uniform(1.2, 1.8)
                rows.append(
                    {"station": outlet.station, "parameter": parameter, "time": stamp, "value": round(value, 3),
                     "unit": unit, "flag": flag, "interval": "day"}
                )  # fmt: skip
    return rows
