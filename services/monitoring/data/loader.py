"""The loader of the versioned standard tables (``standards/*.yaml`` here) and the HJ 212 code map, read once at
start-up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from services.monitoring.domain.aqi import AqiTable, Category, Fallback
from services.monitoring.domain.noise import NoiseTable, NoiseZoneTable
from services.monitoring.domain.standards import Standards, Versions
from services.monitoring.domain.validity import ValidityRules
from services.monitoring.domain.water import WaterParameter, WaterTable
from shared.yamlfile import load_yaml

DATA_DIR = Path(__file__).parent
STANDARDS_DIR = DATA_DIR / "standards"


def _aqi(doc: dict[str, Any]) -> AqiTable:
    return AqiTable(
        name=doc["name"],
        effective_from=doc["effective_from"],
        iaqi_levels=tuple(doc["iaqi_levels"]),
        breakpoints={k: tuple(float(x) for x in v) for k, v in doc["breakpoints"].items()},
        fallbacks={k: Fallback(**v) for k, v in doc.get("fallbacks", {}).items()},
        categories=tuple(Category(**c) for c in doc["categories"]),
        primary_threshold=doc.get("primary_threshold", 50),
        exceedance_threshold=doc.get("exceedance_threshold", 100),
        good_or_better_upper=doc.get("good_or_better_upper", 100),
        units=doc.get("units", {}),
    )


def _limits(raw: list[Any]) -> tuple[float | tuple[float, float], ...]:
    return tuple((float(x[0]), float(x[1])) if isinstance(x, list) else float(x) for x in raw)


def _water(doc: dict[str, Any]) -> WaterTable:
    parameters = {
        name: WaterParameter(
            bound=p["bound"],
            limits=_limits(p["limits"]),
            limits_by_water_body={k: _limits(v) for k, v in p.get("limits_by_water_body", {}).items()},
            water_bodies=tuple(p.get("water_bodies", ())),
            unit=p.get("unit", "mg/L"),
            note=p.get("note", ""),
        )
        for name, p in doc["parameters"].items()
    }
    return WaterTable(doc["name"], doc["effective_from"], tuple(doc["classes"]), doc["worse_than_all"], parameters)


def _noise(doc: dict[str, Any]) -> NoiseTable:
    bounds = {k: tuple(float(x) for x in v) for k, v in doc["bounds"].items()}
    daytime = doc.get("daytime_hours", [6, 22])
    night = {k: tuple(float(x) for x in v) for k, v in doc.get("night_bounds", {}).items()}
    return NoiseTable(doc["name"], doc["effective_from"], tuple(doc["grades"]), bounds, (daytime[0], daytime[1]), night)


def _noise_zone(doc: dict[str, Any]) -> NoiseZoneTable:
    limits = {str(k): (float(v[0]), float(v[1])) for k, v in doc["limits"].items()}
    return NoiseZoneTable(doc["name"], doc["effective_from"], limits)


def _validity(doc: dict[str, Any]) -> ValidityRules:
    fields = {k: v for k, v in doc.items() if k != "kind"}
    fields["valid_instrument_flags"] = frozenset(doc["valid_instrument_flags"])
    fields["physical_ranges"] = {k: (float(v[0]), float(v[1])) for k, v in doc["physical_ranges"].items()}
    return ValidityRules(**fields)


_BUILDERS = {"aqi": _aqi, "water": _water, "noise": _noise, "validity": _validity, "noise_zone": _noise_zone}


def load_standards(directories: Iterable[Path]) -> Standards:
    """Every ``*.yaml`` in the directories; a new revision of a standard is a new file with its effective date."""
    found: dict[str, list[Any]] = {kind: [] for kind in _BUILDERS}
    for directory in directories:
        for path in sorted(Path(directory).glob("*.yaml")):
            doc = load_yaml(path)
            if not isinstance(doc.get("effective_from"), date):
                raise ValueError(f"{path}: effective_from must be a date")
            found[doc["kind"]].append(_BUILDERS[doc["kind"]](doc))
    return Standards(
        aqi=Versions.of(found["aqi"]),
        water=Versions.of(found["water"]),
        noise=Versions.of(found["noise"]),
        validity=Versions.of(found["validity"]),
        noise_zones=Versions.of(found["noise_zone"]),
    )


@dataclass(frozen=True)
class Hj212Code:
    parameter: str
    unit: str


def load_hj212_codes(path: Path = DATA_DIR / "hj212-codes.yaml") -> dict[str, Hj212Code]:
    doc = load_yaml(path)
    return {code: Hj212Code(**entry) for code, entry in doc.items()}
