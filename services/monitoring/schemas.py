"""Request and response models of the monitoring API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.monitoring.domain.aqi import Averaging
from services.monitoring.domain.water import WaterBody
from shared.bounds import LegalAwareDateTime, LegalDate
from shared.fields import Name, Text

StationKind = Literal["water_section", "air_station", "noise_point", "pollution_source"]
Level = Literal["national", "municipal", "district"]
WaterClass = Literal["I", "II", "III", "IV", "V"]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExceedancePosition(Input):
    """Cursor of the exceedance list: the last row's period start and id."""

    period_start: LegalAwareDateTime
    id: str = Field(max_length=36)


class BulletinPosition(Input):
    """Cursor of the bulletin list: the last row's period start and id."""

    period_start: LegalDate
    id: str = Field(max_length=36)


class ReviewPosition(Input):
    """Cursor of the review queue: the last row's day and station."""

    day: LegalDate
    station: str = Field(max_length=64)


class AqiRequest(Input):
    averaging: Averaging = Field(description="24h 日均 or 1h 小时")
    on: LegalDate = Field(description="observation date: picks the breakpoint table in force")
    concentrations: dict[str, float] = Field(
        description="µg/m³ (CO mg/m³): so2 no2 pm10 pm25 co o3_8h o3_1h. 24h 日均: the 24-hour averages, o3_1h the "
        "daily maximum 1-hour O3 and o3_8h the daily maximum 8-hour O3 (above 800 o3_1h is needed). 1h: the 1-hour "
        "values, and so2_24h, the SO2 24-hour average, needed when so2 is above 800 (HJ 633: no hourly sub-index)"
    )


class AqiAnswer(BaseModel):
    aqi: int | None
    category: str | None = Field(description="空气质量指数类别, e.g. 良")
    level: str | None = Field(description="级别, e.g. 二级")
    primary_pollutants: list[str] = Field(description="首要污染物 (AQI > 50)")
    over_standard: list[str] = Field(description="超标污染物 (IAQI > 100)")
    iaqi: dict[str, int]
    standard: str


class WaterClassRequest(Input):
    water_body: WaterBody = Field(description="river 河流 or lake 湖库")
    on: LegalDate | None = Field(default=None, description="sampling date (default today): picks the table in force")
    values: dict[str, float] = Field(
        description="GB 3838-2002 table 1 basic items, mg/L (pH unitless, temperature ℃, fecal_coliform 个/L): "
        "temperature ph do codmn cod bod5 nh3n tp tn cu zn fluoride se as hg cd cr6 pb cyanide volatile_phenol "
        "petroleum las sulfide fecal_coliform; an unknown name is a 422 naming it"
    )


class WaterClassAnswer(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    water_class: str | None = Field(alias="class", description="水质类别 I…V or 劣V")
    worst_parameters: list[str]
    by_parameter: dict[str, str]
    left_out: list[str] = Field(
        description="parameters given but not evaluated: TN and faecal coliform for rivers, water temperature always"
    )
    notes: dict[str, str] = Field(default_factory=dict, description="why each left-out parameter is left out")
    standard: str


class NoiseRequest(Input):
    kind: Literal["regional", "road_traffic"] = Field(description="区域 or 道路交通")
    on: LegalDate | None = Field(default=None, description="measurement date (default today): picks the table in force")
    leq: float = Field(description="daytime equivalent level, dB(A)", ge=0, le=200)


class NoiseAnswer(BaseModel):
    grade: int
    name: str
    standard: str


class EmissionLimit(Input):
    limit: float = Field(gt=0)
    unit: Text = Field(max_length=20)


class StationBase(Input):
    name: Name = Field(min_length=1, max_length=200)
    town: Name = Field(min_length=1, max_length=100, description="镇街")
    level: Level = Field(description="国控 / 市控 / 区控")
    water_body: WaterBody | None = None
    target_class: WaterClass | None = Field(default=None, description="考核目标水质类别 (sections)")
    noise_kind: Literal["regional", "road_traffic"] | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    parameters: list[Text] = Field(default_factory=list, max_length=100)
    emission_limits: dict[str, EmissionLimit] = Field(default_factory=dict, description="排放限值 (sources)")


class StationCreate(StationBase):
    code: Text = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="HJ 212 MN")
    kind: StationKind
    password: Text | None = Field(default=None, min_length=6, max_length=64, description="HJ 212 PW")

    @model_validator(mode="after")
    def _kind_fields(self) -> StationCreate:
        if self.kind == "water_section" and (self.water_body is None or self.target_class is None):
            raise ValueError("断面需要水体类型和考核目标 a water section needs water_body and target_class")
        return self


class StationUpdate(StationBase):
    password: Text | None = Field(default=None, min_length=6, max_length=64)


class StationOut(BaseModel):
    id: str
    code: str
    kind: StationKind
    name: str
    town: str
    level: str
    water_body: str | None
    target_class: str | None
    noise_kind: str | None
    latitude: float | None
    longitude: float | None
    parameters: list[str]
    emission_limits: dict[str, dict[str, object]]
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class StationList(BaseModel):
    items: list[StationOut]
    next_cursor: str | None


class RejectedRow(BaseModel):
    index: int
    reason: str


class BatchResult(BaseModel):
    stored: int
    rejected: list[RejectedRow]


class ReviewRequest(Input):
    station: Text = Field(max_length=64)
    day: LegalDate
    decision: Literal["confirm", "invalidate"]
    reason: Text = Field(min_length=1, max_length=500, description="审核理由")


class ReviewOut(BaseModel):
    station_code: str
    day: date
    status: str
    reason: str
    reviewer: str | None
    reviewed_at: datetime | None
    version: int


class ReviewQueueItem(ReviewOut):
    readings: int = Field(description="values stored for the day")
    flagged: int = Field(description="values with an instrument flag other than N or an automatic flag")


class ReviewQueue(BaseModel):
    items: list[ReviewQueueItem]
    next_cursor: str | None


class BulletinRequest(Input):
    kind: Literal["air_daily", "air_weekly", "air_monthly", "water_monthly"]
    period_start: LegalDate = Field(description="day, Monday of the week, or first of the month")


class BulletinOut(BaseModel):
    id: str
    kind: str
    period_start: date
    period_end: date
    title: str
    summary: str
    content: dict[str, object]
    status: str
    version: int
    published_at: datetime | None


class DetectRequest(Input):
    period: Literal["day", "month"]
    on: LegalDate = Field(description="the day, or any day of the month")
