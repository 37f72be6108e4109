"""地表水水质类别 (GB 3838): each parameter's class, the sample's class is its worst parameter's."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

WaterBody = Literal["river", "lake"]
Limit = float | tuple[float, float]


class WaterInputError(ValueError):
    """Unknown parameter or a value that is not a finite number."""


@dataclass(frozen=True)
class WaterParameter:
    # qualitative: a table 1 item without class limits (水温), never classified.
    bound: Literal["upper", "lower", "range", "qualitative"]
    limits: tuple[Limit, ...]
    limits_by_water_body: Mapping[str, tuple[Limit, ...]] = field(default_factory=dict)
    # Empty: evaluated for every water body.
    water_bodies: tuple[str, ...] = ()
    unit: str = "mg/L"
    note: str = ""  # why it is left out where it is

    def applies_to(self, water_body: WaterBody) -> bool:
        if self.bound == "qualitative":
            return False
        return not self.water_bodies or water_body in self.water_bodies

    def limits_for(self, water_body: WaterBody) -> tuple[Limit, ...]:
        return self.limits_by_water_body.get(water_body, self.limits)


@dataclass(frozen=True)
class WaterTable:
    name: str
    effective_from: date
    classes: tuple[str, ...]
    worse_than_all: str
    parameters: Mapping[str, WaterParameter]

    def __post_init__(self) -> None:
        # A data file with a limit missing or extra would shift every class after it.
        for name, parameter in self.parameters.items():
            wanted = 0 if parameter.bound == "qualitative" else len(self.classes)
            lists = [parameter.limits, *parameter.limits_by_water_body.values()]
            if any(len(limits) != wanted for limits in lists):
                raise ValueError(f"{self.name}: {name} needs {wanted} limits (one per class, none if qualitative)")

    def rank(self, water_class: str) -> int:
        """0 for class I … len(classes) for 劣V; larger is worse."""
        return len(self.classes) if water_class == self.worse_than_all else self.classes.index(water_class)


@dataclass(frozen=True)
class WaterResult:
    water_class: str | None
    worst_parameters: tuple[str, ...]
    by_parameter: dict[str, str]
    left_out: tuple[str, ...]
    standard: str
    notes: dict[str, str] = field(default_factory=dict)  # why each left-out parameter is left out


def _meets(bound: str, limit: Limit, value: float) -> bool:
    if bound == "range":
        assert isinstance(limit, tuple)
        return limit[0] <= value <= limit[1]
    assert not isinstance(limit, tuple)
    return value >= limit if bound == "lower" else value <= limit


def parameter_class(table: WaterTable, name: str, value: float, water_body: WaterBody) -> str:
    parameter = table.parameters[name]
    for water_class, limit in zip(table.classes, parameter.limits_for(water_body), strict=True):
        if _meets(parameter.bound, limit, value):
            return water_class
    return table.worse_than_all


def classify(table: WaterTable, water_body: WaterBody, values: Mapping[str, float]) -> WaterResult:
    """Parameters that do not count for the water body (TN for rivers) or have no class limits (water temperature)
    are reported as left out, each with its note."""
    unknown = sorted(set(values) - set(table.parameters))
    if unknown:
        raise WaterInputError(f"未知参数 unknown parameters: {', '.join(unknown)}")
    bad = sorted(k for k, v in values.items() if not math.isfinite(v))
    if bad:
        raise WaterInputError(f"values must be finite numbers: {', '.join(bad)}")
    used = {k: v for k, v in values.items() if table.parameters[k].applies_to(water_body)}
    left_out = tuple(sorted(set(values) - set(used)))
    notes = {k: table.parameters[k].note for k in left_out if table.parameters[k].note}
    by_parameter = {k: parameter_class(table, k, v, water_body) for k, v in used.items()}
    if not by_parameter:
        return WaterResult(None, (), {}, left_out, table.name, notes)
    worst = max(by_parameter.values(), key=table.rank)
    worst_parameters = tuple(sorted(k for k, c in by_parameter.items() if c == worst))
    return WaterResult(worst, worst_parameters, by_parameter, left_out, table.name, notes)


def worse_than_target(table: WaterTable, water_class: str, target: str) -> bool:
    return table.rank(water_class) > table.rank(target)
