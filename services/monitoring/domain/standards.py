"""Versioned standard tables: each has an effective date; the one in force on an observation's date applies.
``Standards`` holds every kind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Generic, Protocol, TypeVar

from services.monitoring.domain.aqi import AqiTable
from services.monitoring.domain.noise import NoiseTable, NoiseZoneTable
from services.monitoring.domain.validity import ValidityRules
from services.monitoring.domain.water import WaterTable


class Dated(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def effective_from(self) -> date: ...


T = TypeVar("T", bound=Dated)


class NoStandardInForce(ValueError):
    """No table of this kind was in force on the date asked for."""


@dataclass(frozen=True)
class Versions(Generic[T]):
    """The tables of one kind (e.g. AQI breakpoints), ordered by effective date."""

    tables: tuple[T, ...]

    @classmethod
    def of(cls, tables: Iterable[T]) -> Versions[T]:
        ordered = tuple(sorted(tables, key=lambda t: t.effective_from))
        dates = [t.effective_from for t in ordered]
        if len(set(dates)) != len(dates):
            raise ValueError("two tables of one kind take effect on the same date")
        return cls(ordered)

    def covers(self, on: date) -> bool:
        return bool(self.tables) and self.tables[0].effective_from <= on

    def in_force(self, on: date) -> T:
        """The latest table whose effective date is on or before ``on``."""
        chosen = None
        for table in self.tables:
            if table.effective_from <= on:
                chosen = table
        if chosen is None:
            raise NoStandardInForce(f"no standard in force on {on.isoformat()}")
        return chosen


@dataclass(frozen=True)
class Standards:
    """Every kind of table the service computes with, each in all its editions."""

    aqi: Versions[AqiTable]
    water: Versions[WaterTable]
    noise: Versions[NoiseTable]
    validity: Versions[ValidityRules]
    noise_zones: Versions[NoiseZoneTable]
