"""Calculators (计算器): AQI (HJ 633), surface-water class (GB 3838) and noise grade of values given by the caller."""

from __future__ import annotations

from datetime import date, datetime

from services.monitoring.domain.aqi import AqiInputError, AqiResult, Averaging, compute_aqi
from services.monitoring.domain.noise import NoiseKind, Period, noise_grade
from services.monitoring.domain.readings import LOCAL
from services.monitoring.domain.standards import NoStandardInForce, Standards
from services.monitoring.domain.water import WaterBody, WaterInputError, WaterResult, classify
from shared.errors import Invalid


def _today() -> date:
    return datetime.now(LOCAL).date()


def calculate_aqi(standards: Standards, averaging: Averaging, on: date, concentrations: dict[str, float]) -> AqiResult:
    """The table in force on ``on`` applies; values it cannot index are the caller's to fix (422)."""
    try:
        return compute_aqi(standards.aqi.in_force(on), averaging, concentrations)
    except (AqiInputError, NoStandardInForce) as exc:
        raise Invalid(f"无法计算 AQI {exc}", slug="invalid-concentrations") from exc


def calculate_water_class(
    standards: Standards, water_body: WaterBody, on: date | None, values: dict[str, float]
) -> WaterResult:
    """地表水水质类别 on the sampling date (default today); an unknown parameter is named in the 422."""
    try:
        return classify(standards.water.in_force(on or _today()), water_body, values)
    except (WaterInputError, NoStandardInForce) as exc:
        raise Invalid(f"无法评价水质 {exc}", slug="invalid-water-values") from exc


def calculate_noise_grade(
    standards: Standards, kind: NoiseKind, on: date | None, leq: float, period: Period = "day"
) -> tuple[int, str, str]:
    """The grade number, its name and the table applied (a date before every table: 422 no-standard-in-force)."""
    table = standards.noise.in_force(on or _today())
    grade, name = noise_grade(table, kind, leq, period)
    return grade, name, table.name
