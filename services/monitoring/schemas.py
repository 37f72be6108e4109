"""Request and answer schemas of the monitoring API, grouped by resource."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from services.monitoring.domain.aqi import AqiResult, Averaging
from services.monitoring.domain.water import WaterBody
from shared.bounds import LegalAwareDateTime, LegalDate
from shared.fields import Name, Text

StationKind = Literal["water_section", "air_station", "noise_point", "pollution_source"]
Level = Literal["national", "municipal", "district"]
WaterClass = Literal["I", "II", "III", "IV", "V"]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _utc(moment: datetime) -> datetime:
    """Naive means UTC: every stored time is UTC, and SQLite keeps no offset."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


StoredInstant = Annotated[datetime, AfterValidator(_utc)]
"""A stored time answered as UTC with its offset, whichever database it was read from."""


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


# --- Calculators (计算器)


class AqiRequest(Input):
    averaging: Averaging = Field(description="24h 日均 or 1h 小时")
    on: LegalDate = Field(description="observation date: picks the breakpoint table in force")
    concentrations: dict[str, float] = Field(
        description="µg/m³ (CO mg/m³): so2 no2 pm10 pm25 co o3_8h o3_1h. 24h 日均: the 24-hour averages, o3_1h the "
        "daily maximum 1-hour O3 and o3_8h the daily maximum 8-hour O3 (above 800 o3_1h is needed). 1h: the 1-hour "
        "values, and so2_24h, the SO2 24-hour average, needed when so2 is above 800 (HJ 633: no hourly sub-index)"
    )


class AqiPublic(BaseModel):
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


class WaterClassPublic(BaseModel):
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
    leq: float = Field(description="equivalent level of the period, dB(A)", ge=0, le=200)
    period: Literal["day", "night"] = Field(default="day", description="昼间 day (default) or 夜间 night")


class NoiseGradePublic(BaseModel):
    grade: int
    name: str
    standard: str


# --- Stations (监测站点)


class EmissionLimit(Input):
    limit: float = Field(gt=0)
    unit: Text = Field(max_length=20)


class StationBase(Input):
    name: Name = Field(min_length=1, max_length=200)
    town: Name = Field(min_length=1, max_length=100, description="镇街")
    level: Level = Field(description="国控 / 市控 / 区控")
    water_body: WaterBody | None = None
    target_class: WaterClass | None = Field(default=None, description="考核目标水质类别 (sections)")
    noise_kind: Literal["regional", "road_traffic", "functional_zone"] | None = Field(
        default=None, description="噪声监测点: 区域 regional (grid), 道路交通 road_traffic, 功能区 functional_zone"
    )
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    parameters: list[Text] = Field(default_factory=list, max_length=100)
    emission_limits: dict[str, EmissionLimit] = Field(default_factory=dict, description="排放限值 (sources)")
    noise_zone_class: Literal["0", "1", "2", "3", "4a", "4b"] | None = Field(
        default=None, description="声环境功能区 class of GB 3096-2008 (functional-zone points; needed for them)"
    )
    road_length_m: float | None = Field(
        default=None, gt=0, le=1_000_000, description="道路交通 section length, m (weights the traffic mean)"
    )


class StationCreate(StationBase):
    code: Text = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="HJ 212 MN")
    kind: StationKind
    password: Text | None = Field(default=None, min_length=6, max_length=64, description="HJ 212 PW")

    @model_validator(mode="after")
    def _kind_fields(self) -> StationCreate:
        if self.kind == "water_section" and (self.water_body is None or self.target_class is None):
            raise ValueError("断面需要水体类型和考核目标 a water section needs water_body and target_class")
        if self.noise_kind == "functional_zone" and self.noise_zone_class is None:
            raise ValueError("功能区监测点需要功能区类别 a functional-zone point needs noise_zone_class")
        return self


class StationUpdate(StationBase):
    password: Text | None = Field(default=None, min_length=6, max_length=64)


class StationPublic(BaseModel):
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
    noise_zone_class: str | None = Field(default=None, description="GB 3096 声环境功能区 class (noise points)")
    road_length_m: float | None = Field(default=None, description="道路交通 section length, m")
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class StationList(BaseModel):
    items: list[StationPublic]
    next_cursor: str | None


# --- Readings (监测数据)


class ReadingCreate(Input):
    """One row of a batch (批量上报), in JSON or as a CSV line under a header naming these columns. Rows are checked
    one by one: a bad row is reported by its index in ``rejected``, the others are stored."""

    station: str = Field(max_length=64, description="the station's MN")
    parameter: str = Field(max_length=30, description="HJ 212 code or name, e.g. a21026 (SO₂) or PM2.5")
    time: str = Field(
        max_length=64,
        description="start of the period, ISO 8601; without an offset it is Beijing time (as HJ 212 stations send)",
        examples=["2021-06-01T10:00:00+08:00"],
    )
    value: float | str = Field(description="a finite number (CSV: its text)")
    unit: str = Field(default="", max_length=20)
    flag: Literal["N", "F", "M", "S", "D", "C", "T", "B"] = Field(
        default="N",
        description="HJ 212 data flag: N normal, F stopped, M maintenance, S manual, D fault, C calibration, "
        "T over range, B communication",
    )
    interval: Literal["rtd", "minute", "hour", "day"] = Field(
        default="hour", description="实时 rtd, 分钟 minute, 小时 hour, 日 day"
    )


class RejectedReadingPublic(BaseModel):
    index: int
    reason: str


class ReadingBatchPublic(BaseModel):
    stored: int
    rejected: list[RejectedReadingPublic]


class ReadingPublic(BaseModel):
    """One stored value (监测数据) as sent, with the automatic flags it got."""

    station_code: str = Field(description="the station's MN")
    parameter: str
    interval: Literal["rtd", "minute", "hour", "day"] = Field(description="实时 rtd, 分钟 minute, 小时 hour, 日 day")
    time: datetime = Field(description="start of the period (UTC)")
    value: float
    unit: str
    instrument_flag: str = Field(description="HJ 212 data flag (N normal, D fault, M maintenance, …)")
    auto_flags: str = Field(description="automatic validity reasons, comma-separated; empty when none")


class ReadingAggregatePublic(BaseModel):
    """Valid values of one local period (hour, day or month, Asia/Shanghai)."""

    period: str = Field(description="the local period: 2021-06-01T10:00, 2021-06-01 or 2021-06")
    mean: float
    min: float
    max: float
    count: int = Field(description="valid values in the period")


class ReadingList(BaseModel):
    """Values of one station and parameter in a time range: raw, or per period when ``aggregation`` is given."""

    station: str = Field(description="the station's MN")
    parameter: str
    aggregation: Literal["hour", "day", "month"] | None = Field(description="null: the values as stored")
    items: list[ReadingPublic] | list[ReadingAggregatePublic] = Field(
        description="in time order: stored values (with their flags), or one row per period with valid values"
    )


class LatestReadingPublic(BaseModel):
    """The newest value of a station's parameter (最新数据)."""

    station_code: str = Field(description="the station's MN")
    parameter: str
    interval: str = Field(description="rtd, minute, hour or day: the interval of the newest value")
    time: datetime = Field(description="start of the period (UTC)")
    value: float
    unit: str
    instrument_flag: str = Field(description="HJ 212 data flag as sent")
    valid: bool = Field(
        description="有效: instrument flag N, no automatic flag, and its day not invalidated by a reviewer"
    )


class LatestReadingList(BaseModel):
    items: list[LatestReadingPublic] = Field(description="by station, then parameter")


# --- Computed from stored data: AQI, water class, noise


class HourlyAqiPublic(BaseModel):
    time: datetime = Field(description="start of the hour (Beijing time)")
    aqi: int | None = Field(description="小时 AQI (1h rows), null when no pollutant has a sub-index")
    category: str | None = Field(description="空气质量指数类别")


class _DailyAqi(BaseModel):
    day: date = Field(description="the local day")
    aqi: int | None = Field(description="日 AQI (24h rows), null without any valid daily value")
    category: str | None = Field(description="空气质量指数类别, e.g. 良")
    level: str | None = Field(description="级别, e.g. 二级")
    primary_pollutants: list[str] = Field(description="首要污染物 (AQI > 50)")
    over_standard: list[str] = Field(description="超标污染物 (IAQI > 100)")
    iaqi: dict[str, int] = Field(description="空气质量分指数 per pollutant")
    standard: str = Field(description="the AQI table applied (HJ 633 edition in force on the day)")
    not_indexed: list[str] = Field(description="pollutants left out of an hour for want of the value they fall back on")
    hourly: list[HourlyAqiPublic] = Field(description="hourly AQI of each hour with valid values")


def daily_aqi_fields(result: AqiResult, hourly: Sequence[tuple[datetime, AqiResult]]) -> dict[str, Any]:
    """The fields of a daily AQI answer (a station's or a town's) from the computed results."""
    return {
        "aqi": result.aqi,
        "category": result.category,
        "level": result.level,
        "primary_pollutants": list(result.primary_pollutants),
        "over_standard": list(result.over_standard),
        "iaqi": result.iaqi,
        "standard": result.standard,
        "not_indexed": list(result.not_indexed),
        "hourly": [HourlyAqiPublic(time=m, aqi=r.aqi, category=r.category) for m, r in hourly],
    }


class StationAqiPublic(_DailyAqi):
    """日 AQI of an air station from valid data (each 24h mean from ≥ 20 valid hours)."""

    station: str = Field(description="the station's MN")
    concentrations: dict[str, float] = Field(
        description="daily values: 24h means of so2 no2 pm10 pm25 co, o3_1h (max 1h), o3_8h (max 8h moving mean)"
    )


class TownAqiPublic(_DailyAqi):
    """A town's (镇街) daily AQI from the mean of its air stations' daily concentrations."""

    town: str = Field(description="镇街")
    stations: int = Field(description="air stations of the town")
    pm25: float | None = Field(description="the town's PM2.5 24h mean, µg/m³")


class StationWaterClassPublic(BaseModel):
    """月度水质类别 of a section from the monthly means of valid values."""

    model_config = ConfigDict(populate_by_name=True)

    station: str = Field(description="the section's MN")
    month: str = Field(description="YYYY-MM")
    means: dict[str, float] = Field(description="monthly mean of each parameter's valid values")
    valid_days: int = Field(description="days with at least one valid value")
    water_class: str | None = Field(alias="class", description="水质类别 I…V or 劣V; null without data")
    worst_parameters: list[str] = Field(description="定类项目: the parameters that set the class")
    target_class: str | None = Field(description="考核目标水质类别")
    by_parameter: dict[str, str] = Field(description="the class of each evaluated parameter")
    standard: str = Field(description="the GB 3838 table applied")


class StationNoisePublic(BaseModel):
    """昼间等效声级 of a noise point on a day, from valid values."""

    station: str = Field(description="the noise point's MN")
    day: date = Field(description="the local day")
    daytime_leq: float | None = Field(description="daytime Leq, dB(A); null without valid daytime values")
    grade: str | None = Field(description="噪声等级 name; null without a Leq")


# --- Review (数据审核)


class ReviewRequest(Input):
    station: Text = Field(max_length=64)
    day: LegalDate
    decision: Literal["confirm", "invalidate"]
    reason: Text = Field(min_length=1, max_length=500, description="审核理由")


class ReviewRangeRequest(Input):
    """The same decision on every pending day of each station from first_day to last_day (≤ 366 days)."""

    stations: list[Annotated[Text, Field(max_length=64)]] = Field(min_length=1, max_length=500)
    first_day: LegalDate
    last_day: LegalDate
    decision: Literal["confirm", "invalidate"]
    reason: Text = Field(min_length=1, max_length=500, description="审核理由")


class ReviewRangePublic(BaseModel):
    decision: str
    days: dict[str, int] = Field(description="per station, how many pending days the decision was applied to")


class ReviewPublic(BaseModel):
    station_code: str
    day: date
    status: str
    reason: str
    reviewer: str | None
    reviewed_at: datetime | None
    version: int


class ReviewItemPublic(ReviewPublic):
    readings: int = Field(description="values stored for the day (a noise point: its measurements too)")
    flagged: int = Field(description="values with an instrument flag other than N or an automatic flag")


class ReviewList(BaseModel):
    items: list[ReviewItemPublic]
    next_cursor: str | None


# --- Exceedances (超标)


class ExceedancePublic(BaseModel):
    """One recorded exceedance: a station's parameter over its limit in one period (each announced once)."""

    id: str
    station_code: str = Field(description="the station's MN")
    parameter: str = Field(description="the pollutant or water parameter")
    period_start: StoredInstant = Field(description="start of the period (UTC): an hour, a day or a month")
    period_end: StoredInstant = Field(description="end of the period (UTC, exclusive)")
    value: float = Field(description="the valid value (or mean) found")
    limit: float = Field(description="the limit it exceeded: emission limit, IAQI 100 concentration or class limit")
    unit: str
    detected_at: StoredInstant = Field(description="when it was recorded (and announced to cases, UTC)")


class ExceedanceList(BaseModel):
    items: list[ExceedancePublic] = Field(description="oldest period first")
    next_cursor: str | None = Field(description="the next page's cursor; null on the last page")


class DetectionPublic(BaseModel):
    detected: int = Field(description="exceedances newly recorded by this run (already recorded ones not counted)")


class ExceedanceDetect(Input):
    period: Literal["day", "month"]
    on: LegalDate = Field(description="the day, or any day of the month")


# --- Bulletins (监测简报)


class BulletinCreate(Input):
    kind: Literal["air_daily", "air_weekly", "air_monthly", "water_monthly", "noise_annual"]
    period_start: LegalDate = Field(description="day, Monday of the week, first of the month, or 1 January")


class BulletinPublic(BaseModel):
    """A bulletin (监测简报), draft or published; its HTML is at ``/bulletins/{id}/html``."""

    id: str
    kind: str = Field(
        description="air_daily 日报, air_weekly 周报, air_monthly 月报, water_monthly 水质月报, noise_annual 声环境年报"
    )
    period_start: date = Field(description="first day of the period")
    period_end: date = Field(description="last day of the period (inclusive)")
    title: str = Field(description="标题, in Chinese")
    summary: str = Field(description="摘要, in Chinese")
    content: dict[str, object] = Field(
        description="the figures: the standard applied and per town (镇街) the ranking, AQI or class distribution"
    )
    status: Literal["draft", "published"] = Field(description="draft 草稿 or published 已发布")
    version: int = Field(description="changes with each rebuild and on publishing (the ETag follows it)")
    published_at: datetime | None = Field(description="when it was published; null for a draft")


class BulletinList(BaseModel):
    items: list[BulletinPublic] = Field(description="newest period first")
    next_cursor: str | None = Field(description="the next page's cursor; null on the last page")


# --- Open monitoring data (公开监测数据, /public/v1/monitoring): no token; series and aggregates are reviewed data

REVIEWED_ONLY = (
    "审核后数据: only station-days a reviewer confirmed; pending days are not yet published, invalidated ones never"
)


class OpenStationPosition(Input):
    """Cursor of the open station list: the last station's code."""

    code: str = Field(max_length=64)


class OpenSeriesPosition(Input):
    """Cursor of an open series: the last value's time and parameter."""

    time: LegalAwareDateTime
    parameter: str = Field(max_length=30)


class OpenStationPublic(BaseModel):
    """An ambient monitoring station (环境质量监测点位): an air station, a surface-water section or a noise point."""

    code: str = Field(description="the station's MN (HJ 212), its identifier in every open route")
    name: str
    kind: Literal["air_station", "water_section", "noise_point"] = Field(
        description="空气自动站 / 地表水断面 / 噪声监测点"
    )
    town: str = Field(description="镇街")
    level: str = Field(description="国控 national / 市控 municipal / 区控 district")
    latitude: float | None = Field(description="WGS 84")
    longitude: float | None = Field(description="WGS 84")
    parameters: list[str] = Field(description="what the station measures")
    water_body: str | None = Field(description="river 河流 or lake 湖库 (sections)")
    target_class: str | None = Field(description="考核目标水质类别 (sections)")
    active: bool = Field(description="false: decommissioned; its published data stays readable")
    noise_kind: str | None = Field(
        default=None, description="noise points: regional 区域, road_traffic 道路交通 or functional_zone 功能区"
    )
    noise_zone_class: str | None = Field(default=None, description="GB 3096 声环境功能区 class (functional zones)")


class OpenStationList(BaseModel):
    items: list[OpenStationPublic]
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last page")


class OpenLatestPublic(BaseModel):
    """The newest value of a parameter as it arrived (实时数据)."""

    parameter: str
    interval: str = Field(description="rtd, minute, hour or day")
    time: datetime = Field(description="start of the period (UTC)")
    value: float
    unit: str
    valid: bool = Field(description="有效: instrument flag N, no automatic flag, its day not invalidated")
    reviewed: bool = Field(description="审核通过: its station-day is confirmed; false for data not yet reviewed")


class OpenLatestList(BaseModel):
    station: str = Field(description="the station's MN")
    notice: str = Field(description="实时数据未经审核: what these values are")
    items: list[OpenLatestPublic] = Field(description="by parameter")


class OpenReadingPublic(BaseModel):
    """A value of a confirmed station-day, with its flags and unit."""

    parameter: str
    interval: str = Field(description="实时 rtd, 分钟 minute, 小时 hour, 日 day")
    time: datetime = Field(description="start of the period (UTC)")
    value: float
    unit: str = Field(description="µg/m³ for air (CO mg/m³), mg/L for water (pH none), dB(A) for noise")
    instrument_flag: str = Field(description="HJ 212 data flag (N normal, D fault, M maintenance, …)")
    auto_flags: str = Field(description="automatic validity reasons, comma-separated; empty when none")
    valid: bool = Field(description="有效: instrument flag N and no automatic flag (the day is confirmed)")


class OpenReadingList(BaseModel):
    station: str = Field(description="the station's MN")
    reviewed_only: Literal[True] = Field(description=REVIEWED_ONLY)
    items: list[OpenReadingPublic] = Field(description="by time, then parameter")
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last page")


class OpenDailyAqiPublic(BaseModel):
    day: date = Field(description="the local day (Asia/Shanghai)")
    aqi: int | None = Field(description="日 AQI (HJ 633, 24h), null without any valid daily value")
    category: str | None = Field(description="空气质量指数类别, e.g. 良")
    primary_pollutants: list[str] = Field(description="首要污染物 (AQI > 50)")
    iaqi: dict[str, int] = Field(description="空气质量分指数 per pollutant")
    concentrations: dict[str, float] = Field(
        description="daily values: 24h means of so2 no2 pm10 pm25 (µg/m³) co (mg/m³), o3_1h (max 1h), o3_8h"
    )
    standard: str = Field(description="the AQI table applied")


class OpenDailyAqiList(BaseModel):
    station: str = Field(description="the station's MN")
    reviewed_only: Literal[True] = Field(description=REVIEWED_ONLY)
    items: list[OpenDailyAqiPublic] = Field(description="confirmed days, oldest first")


class OpenWaterMonthPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    month: str = Field(description="YYYY-MM")
    water_class: str | None = Field(alias="class", description="水质类别 I…V or 劣V; null without data")
    worst_parameters: list[str] = Field(description="定类项目: the parameters that set the class")
    means: dict[str, float] = Field(description="monthly mean of each parameter's valid values, mg/L (pH none)")
    valid_days: int = Field(description="days with at least one valid value")
    standard: str = Field(description="the GB 3838 table applied")


class OpenWaterMonthList(BaseModel):
    station: str = Field(description="the section's MN")
    target_class: str | None = Field(description="考核目标水质类别")
    reviewed_only: Literal[True] = Field(
        description="审核后数据: a month is given once it has confirmed days and no day of it is still pending"
    )
    items: list[OpenWaterMonthPublic] = Field(description="by month")


# --- Noise monitoring (声环境监测: 区域, 道路交通, 功能区)

NOISE_BATCH_MAX = 500
NOISE_SAMPLES_MAX = 3600


class NoiseMeasurementCreate(Input):
    """一次测量 of a noise point. Regional (区域) and traffic (道路交通) points send ``samples``: instantaneous
    A-weighted levels read every ``sample_interval_seconds`` (HJ 640: e.g. 100 readings of a grid point, 200 of a road
    section, every 5 s); the period (昼间 06–22 h / 夜间) follows the start time. Functional-zone (功能区) points send
    ``hourly_leq``: 24 consecutive hourly Leq values from ``started_at`` (24 h continuous)."""

    station: str = Field(max_length=64, description="the noise point's code")
    started_at: LegalAwareDateTime = Field(
        description="start of the measurement, ISO 8601 with its offset", examples=["2021-05-12T09:30:00+08:00"]
    )
    samples: list[float] | None = Field(
        default=None, min_length=1, max_length=NOISE_SAMPLES_MAX, description="瞬时 A 声级 readings, dB(A)"
    )
    sample_interval_seconds: float | None = Field(default=None, gt=0, le=600, description="seconds between readings")
    hourly_leq: list[float] | None = Field(default=None, min_length=1, max_length=24, description="小时 Leq, dB(A)")
    vehicles_per_hour: int | None = Field(default=None, ge=0, le=100_000, description="车流量 (traffic sections)")

    @model_validator(mode="after")
    def _one_method(self) -> NoiseMeasurementCreate:
        if (self.samples is None) == (self.hourly_leq is None):
            raise ValueError("either samples (regional, traffic) or hourly_leq (functional zones), not both")
        if self.samples is not None and self.sample_interval_seconds is None:
            raise ValueError("samples need sample_interval_seconds")
        return self


class NoiseBatchPublic(BaseModel):
    stored: int = Field(description="measurements stored (a repeated station and start time replaces the earlier)")
    ids: list[str] = Field(description="their ids, in the order sent")


class NoiseMeasurementPublic(BaseModel):
    """A measurement's indicators (dB(A), to 0.1): Leq, L10/L50/L90, Lmax, Lmin and σ from the samples; Ld and Ln."""

    id: str
    station: str = Field(description="the noise point's code")
    started_at: StoredInstant
    day: date = Field(description="its day, Beijing time (the day reviewed)")
    period: Literal["day", "night", "full"] = Field(description="昼间 day, 夜间 night, or full (24 hours)")
    duration_seconds: int
    sample_count: int = Field(description="readings (samples) or hours (hourly_leq)")
    sample_interval_seconds: float | None
    leq: float = Field(description="等效声级 of the measurement (24 h for a functional-zone point)")
    l10: float | None = Field(description="累积百分声级 L10: exceeded 10 % of the time")
    l50: float | None
    l90: float | None
    lmax: float | None
    lmin: float | None
    sd: float | None = Field(description="standard deviation σ of the readings")
    ld: float | None = Field(description="昼间等效声级 Ld")
    ln: float | None = Field(description="夜间等效声级 Ln")
    vehicles_per_hour: int | None
    review_status: Literal["pending", "confirmed", "invalidated"] = Field(description="its station-day's review")


class NoiseMeasurementPosition(Input):
    """Cursor of the measurement list: the last row's start and id."""

    started_at: LegalAwareDateTime
    id: str = Field(max_length=36)


class NoiseMeasurementList(BaseModel):
    reviewed_only: bool = Field(default=False, description="true: only measurements of confirmed station-days")
    items: list[NoiseMeasurementPublic] = Field(description="by start time")
    next_cursor: str | None = Field(description="the next page's cursor; null on the last page")


class NoiseGradedPublic(BaseModel):
    mean: float | None = Field(description="the mean level, dB(A); null without data")
    grade: int | None = Field(description="HJ 640 grade 1 (一级) … 5 (五级)")
    grade_name: str | None
    count: int = Field(description="points or sections in the mean")


class NoiseRegionalPublic(BaseModel):
    """区域声环境: the arithmetic mean of the grid points (S_d, S_n), graded."""

    points: int
    day: NoiseGradedPublic
    night: NoiseGradedPublic
    day_points_by_grade: dict[str, int] = Field(description="grid points per grade of their own Ld")


class NoiseTrafficPublic(BaseModel):
    """道路交通声环境: the mean weighted by section length, graded."""

    sections: int
    length_km: float = Field(description="length of the sections in the mean")
    day: NoiseGradedPublic
    night: NoiseGradedPublic
    left_out: list[str] = Field(description="sections measured but without a length, so not in the weighted mean")


class NoiseZoneCompliancePublic(BaseModel):
    """功能区声环境: one class in one period."""

    zone_class: str = Field(description="GB 3096 class 0, 1, 2, 3, 4a, 4b")
    period: Literal["day", "night"]
    limit: float = Field(description="the class limit, dB(A)")
    measured: int = Field(description="measurements (点次)")
    compliant: int = Field(description="at or below the limit (达标点次)")
    rate: float | None = Field(description="达标率, 0–1")


class NoiseSummaryPublic(BaseModel):
    """The year's noise monitoring (声环境质量): regional, traffic and functional zones."""

    year: int
    standard: str = Field(description="the grading standard (HJ 640-2012)")
    zone_standard: str = Field(description="the zone limits (GB 3096-2008)")
    reviewed_only: bool = Field(description="true: only measurements of confirmed station-days")
    regional: NoiseRegionalPublic
    traffic: NoiseTrafficPublic
    functional_zones: list[NoiseZoneCompliancePublic]


# --- Enterprises (排污单位) and their emission data (自行监测信息公开)

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Medium = Literal["water", "air"]
Frequency = Literal["hour", "day", "month", "quarter"]


class PermitLimitCreate(Input):
    """排污许可限值: in force for the local days valid_from … valid_to (inclusive; open-ended without valid_to)."""

    parameter: str = Field(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9_.]+$", description="e.g. cod, nh3n")
    limit: float = Field(gt=0, le=1e9, description="排放限值")
    unit: Text = Field(min_length=1, max_length=20, description="mg/L for water, mg/m³ for air")
    valid_from: LegalDate = Field(description="first local day in force (许可证生效日)")
    valid_to: LegalDate | None = Field(default=None, description="last local day in force; null: until replaced")


class PermitLimitPublic(BaseModel):
    parameter: str
    limit: float
    unit: str
    valid_from: date
    valid_to: date | None


class OutletCreate(Input):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$", description="排放口编号, e.g. DW001")
    name: Name = Field(min_length=1, max_length=200)
    medium: Medium = Field(description="water 废水 or air 废气")
    station_code: Code = Field(description="the pollution-source station (HJ 212 MN) measuring the outlet")
    frequency: Frequency = Field(description="监测频次: hour (automatic), day, month or quarter (manual)")
    limits: list[PermitLimitCreate] = Field(default_factory=list, max_length=50)


class OutletPublic(BaseModel):
    enterprise_code: str
    code: str
    name: str
    medium: str
    station_code: str = Field(description="the station (MN) whose readings are the outlet's")
    frequency: str
    limits: list[PermitLimitPublic] = Field(description="by pollutant, then valid_from")


class EnterpriseCreate(Input):
    code: Code = Field(description="the bureau's code of the enterprise, its identifier in every route")
    name: Name = Field(min_length=1, max_length=200)
    town: Name = Field(min_length=1, max_length=100, description="镇街")
    industry: Name = Field(min_length=1, max_length=100, description="行业类别, e.g. 化学原料和化学制品制造业")
    credit_code: str | None = Field(default=None, pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$", description="统一社会信用代码")
    permit_number: str | None = Field(
        default=None, max_length=40, pattern=r"^[A-Za-z0-9-]+$", description="排污许可证编号"
    )
    key_unit: bool = Field(default=False, description="重点排污单位")


class EnterpriseUpdate(Input):
    """The enterprise's register entry as it now stands (its code does not change)."""

    name: Name = Field(min_length=1, max_length=200)
    town: Name = Field(min_length=1, max_length=100, description="镇街")
    industry: Name = Field(min_length=1, max_length=100, description="行业类别")
    credit_code: str | None = Field(default=None, pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$", description="统一社会信用代码")
    permit_number: str | None = Field(
        default=None, max_length=40, pattern=r"^[A-Za-z0-9-]+$", description="排污许可证编号"
    )
    key_unit: bool = Field(default=False, description="重点排污单位")


class EnterprisePublic(BaseModel):
    id: str
    code: str
    name: str
    town: str
    industry: str
    credit_code: str | None
    permit_number: str | None
    key_unit: bool
    version: int
    outlets: list[OutletPublic]
    created_at: StoredInstant
    updated_at: StoredInstant


class EnterpriseList(BaseModel):
    items: list[EnterprisePublic] = Field(description="by code")
    next_cursor: str | None = Field(description="the next page's cursor; null on the last page")


class EnterpriseImportPublic(BaseModel):
    created: int = Field(description="enterprises registered")
    rejected: list[RejectedReadingPublic] = Field(description="CSV lines refused (index from 0), with the reason")


class OpenOutletPublic(BaseModel):
    """An outlet (排放口) with its permit limits, current and past."""

    code: str
    name: str
    medium: str = Field(description="water 废水 or air 废气")
    frequency: str = Field(description="监测频次: hour (automatic), day, month or quarter")
    limits: list[PermitLimitPublic]


class OpenEnterprisePublic(BaseModel):
    """排污单位: what it discloses about itself (no personal data)."""

    code: str
    name: str
    town: str
    industry: str
    credit_code: str | None
    permit_number: str | None
    key_unit: bool = Field(description="重点排污单位")
    outlets: list[OpenOutletPublic]


class OpenEnterpriseList(BaseModel):
    items: list[OpenEnterprisePublic] = Field(description="by code")
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last page")


class OpenEmissionPublic(OpenReadingPublic):
    """A reviewed value of an outlet, with the permit limit in force on its day."""

    limit: float | None = Field(description="排污许可限值 in force on the value's local day; null without one")
    over_limit: bool = Field(description="超标: a valid value above the limit in force")


class OpenEmissionList(BaseModel):
    enterprise: str
    outlet: str
    reviewed_only: Literal[True] = Field(description=REVIEWED_ONLY)
    items: list[OpenEmissionPublic] = Field(description="by time, then parameter")
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null on the last page")


class OpenEnterpriseExceedancePublic(BaseModel):
    outlet: str
    parameter: str
    period_start: StoredInstant
    period_end: StoredInstant
    value: float
    limit: float
    unit: str


class OpenEnterpriseExceedanceList(BaseModel):
    enterprise: str
    year: int
    reviewed_only: Literal[True] = Field(description=REVIEWED_ONLY)
    items: list[OpenEnterpriseExceedancePublic] = Field(description="by period")


class OpenCompletenessPublic(BaseModel):
    outlet: str
    month: str = Field(description="YYYY-MM")
    reported: int = Field(description="有效数据: reviewed valid results of the limited pollutants, at most as due")
    expected: int = Field(description="应报: results due by the outlet's frequency, times its limited pollutants")
    ratio: float | None = Field(description="数据完整率 reported / expected; null when nothing is due")


class OpenCompletenessList(BaseModel):
    enterprise: str
    year: int
    reviewed_only: Literal[True] = Field(description=REVIEWED_ONLY)
    items: list[OpenCompletenessPublic] = Field(description="by outlet, then month")
