"""Calculators: AQI (HJ 633), surface-water class (GB 3838) and noise grade of given values."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.monitoring.api.deps import Reader, standards_of
from services.monitoring.handlers import calculations as handlers
from services.monitoring.schemas import (
    AqiPublic,
    AqiRequest,
    NoiseGradePublic,
    NoiseRequest,
    WaterClassPublic,
    WaterClassRequest,
)

router = APIRouter(prefix="/api/v1/monitoring/calculations", tags=["calculations"])


@router.post("/aqi", operation_id="calculate_aqi", response_model=AqiPublic)
async def calculate_aqi(body: AqiRequest, request: Request, _caller: Reader) -> AqiPublic:
    """空气质量指数: the table in force on ``on`` applies."""
    result = handlers.calculate_aqi(standards_of(request), body.averaging, body.on, body.concentrations)
    return AqiPublic(
        aqi=result.aqi,
        category=result.category,
        level=result.level,
        primary_pollutants=list(result.primary_pollutants),
        over_standard=list(result.over_standard),
        iaqi=result.iaqi,
        standard=result.standard,
    )


@router.post(
    "/water-class", operation_id="calculate_water_class", response_model=WaterClassPublic, response_model_by_alias=True
)
async def calculate_water_class(body: WaterClassRequest, request: Request, _caller: Reader) -> WaterClassPublic:
    """地表水水质类别: the worst parameter's class; TN is left out for rivers."""
    result = handlers.calculate_water_class(standards_of(request), body.water_body, body.on, body.values)
    return WaterClassPublic(
        water_class=result.water_class,
        worst_parameters=list(result.worst_parameters),
        by_parameter=result.by_parameter,
        left_out=list(result.left_out),
        notes=result.notes,
        standard=result.standard,
    )


@router.post("/noise-grade", operation_id="calculate_noise_grade", response_model=NoiseGradePublic)
async def calculate_noise_grade(body: NoiseRequest, request: Request, _caller: Reader) -> NoiseGradePublic:
    """噪声等级 of a daytime Leq (regional or road traffic)."""
    grade, name, standard = handlers.calculate_noise_grade(
        standards_of(request), body.kind, body.on, body.leq, body.period
    )
    return NoiseGradePublic(grade=grade, name=name, standard=standard)
