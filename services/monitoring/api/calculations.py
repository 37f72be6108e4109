"""Calculators: AQI (HJ 633) and surface-water class (GB 3838) of given values."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request

from services.monitoring.api.deps import Reader, standards_of
from services.monitoring.domain.aqi import AqiInputError, compute_aqi
from services.monitoring.domain.noise import noise_grade
from services.monitoring.domain.readings import LOCAL
from services.monitoring.domain.standards import NoStandardInForce
from services.monitoring.domain.water import WaterInputError, classify
from services.monitoring.schemas import (
    AqiAnswer,
    AqiRequest,
    NoiseAnswer,
    NoiseRequest,
    WaterClassAnswer,
    WaterClassRequest,
)
from shared.problems import Problem

router = APIRouter(prefix="/api/v1/monitoring/calculations", tags=["calculations"])


@router.post("/aqi", operation_id="calculate_aqi", response_model=AqiAnswer)
async def calculate_aqi(body: AqiRequest, request: Request, _caller: Reader) -> AqiAnswer:
    """空气质量指数: the table in force on ``on`` applies."""
    try:
        table = standards_of(request).aqi.in_force(body.on)
        result = compute_aqi(table, body.averaging, body.concentrations)
    except (AqiInputError, NoStandardInForce) as exc:
        raise Problem(422, f"无法计算 AQI {exc}", slug="invalid-concentrations") from exc
    return AqiAnswer(
        aqi=result.aqi,
        category=result.category,
        level=result.level,
        primary_pollutants=list(result.primary_pollutants),
        over_standard=list(result.over_standard),
        iaqi=result.iaqi,
        standard=result.standard,
    )


@router.post(
    "/water-class", operation_id="calculate_water_class", response_model=WaterClassAnswer, response_model_by_alias=True
)
async def calculate_water_class(body: WaterClassRequest, request: Request, _caller: Reader) -> WaterClassAnswer:
    """地表水水质类别: the worst parameter's class; TN is left out for rivers."""
    try:
        table = standards_of(request).water.in_force(body.on or datetime.now(LOCAL).date())
        result = classify(table, body.water_body, body.values)
    except (WaterInputError, NoStandardInForce) as exc:
        raise Problem(422, f"无法评价水质 {exc}", slug="invalid-water-values") from exc
    return WaterClassAnswer(
        water_class=result.water_class,
        worst_parameters=list(result.worst_parameters),
        by_parameter=result.by_parameter,
        left_out=list(result.left_out),
        notes=result.notes,
        standard=result.standard,
    )


@router.post("/noise-grade", operation_id="calculate_noise_grade", response_model=NoiseAnswer)
async def calculate_noise_grade(body: NoiseRequest, request: Request, _caller: Reader) -> NoiseAnswer:
    """噪声等级 of a daytime Leq (regional or road traffic)."""
    table = standards_of(request).noise.in_force(body.on or datetime.now(LOCAL).date())
    grade, name = noise_grade(table, body.kind, body.leq)
    return NoiseAnswer(grade=grade, name=name, standard=table.name)
