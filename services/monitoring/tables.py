"""SQLModel tables of the monitoring service.

Readings are keyed by (station, parameter, interval, time) with no surrogate id: the primary key is the index the
range queries use, and the upsert target, so re-sent data updates in place.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.guessing import FailureCount
from shared.messaging.tables import utcnow


class Station(SQLModel, table=True):
    """监测站点: a surface-water section, air station, noise point or pollution source."""

    __tablename__ = "station"

    id: str = Field(primary_key=True, max_length=36)
    code: str = Field(max_length=64, unique=True, description="HJ 212 MN")
    name: str = Field(max_length=200)
    kind: str = Field(max_length=30, index=True)
    town: str = Field(max_length=100, index=True)
    level: str = Field(max_length=20)
    water_body: str | None = Field(default=None, max_length=10)
    target_class: str | None = Field(default=None, max_length=4)
    noise_kind: str | None = Field(default=None, max_length=20)
    noise_zone_class: str | None = Field(default=None, max_length=4, description="GB 3096 声环境功能区 class")
    road_length_m: float | None = Field(default=None, description="道路交通 section length, m")
    latitude: float | None = None
    longitude: float | None = None
    parameters: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    emission_limits: dict[str, dict[str, object]] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    password_hash: str | None = Field(default=None, max_length=200)
    active: bool = True
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Reading(SQLModel, table=True):
    """One value: ``time`` is the start of its period (UTC); ``interval`` is rtd, minute, hour or day."""

    __tablename__ = "reading"
    # No other index: each would cost every stored reading an insertion; reads name their series (handlers/queries).

    station_code: str = Field(primary_key=True, max_length=64)
    parameter: str = Field(primary_key=True, max_length=30)
    interval: str = Field(primary_key=True, max_length=10)
    time: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    value: float
    unit: str = Field(default="", max_length=20)
    instrument_flag: str = Field(default="N", max_length=4)
    auto_flags: str = Field(default="", max_length=200, description="automatic validity reasons, comma-separated")
    source: str = Field(default="batch", max_length=10)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StationReadingVersion(SQLModel, table=True):
    """How many times a station's readings have been written: every writer of ``reading`` adds one to each of its
    stations' counts in its own transaction, before it reads any stored hours (``handlers/ingest``). A writer that
    remembers a station's stored hours (``handlers/stored_hours``) knows by it whether anyone else wrote them since."""

    __tablename__ = "station_reading_version"

    station_code: str = Field(primary_key=True, max_length=64)
    version: int = Field(sa_type=BigInteger)


class LatestReading(SQLModel, table=True):
    """The newest value per station and parameter, kept at ingest so 'latest' never scans readings. A row for every
    station and parameter with readings (never deleted): it lists the parameters a station has stored."""

    __tablename__ = "latest_reading"
    # Pages half empty on PostgreSQL: each stored reading updates its row, and with room the update stays on its
    # page (HOT) instead of adding a primary-key entry and a dead version elsewhere (migration 0010).
    __table_args__ = {"postgresql_with": {"fillfactor": 50}}

    station_code: str = Field(primary_key=True, max_length=64)
    parameter: str = Field(primary_key=True, max_length=30)
    interval: str = Field(max_length=10)
    time: datetime = Field(sa_type=UTCDateTime)
    value: float
    unit: str = Field(default="", max_length=20)
    instrument_flag: str = Field(default="N", max_length=4)


class DayReview(SQLModel, table=True):
    """数据审核: one station's data of one day (Asia/Shanghai): pending, confirmed or invalidated."""

    __tablename__ = "day_review"
    __table_args__ = (Index("ix_day_review_status_day", "status", "day"),)

    station_code: str = Field(primary_key=True, max_length=64)
    day: date = Field(primary_key=True)
    status: str = Field(default="pending", max_length=12)
    reason: str = Field(default="", max_length=500)
    reviewer: str | None = Field(default=None, max_length=200)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class Exceedance(SQLModel, table=True):
    """超标: at most one per station, parameter and period (the event is emitted with the row)."""

    __tablename__ = "exceedance"
    __table_args__ = (
        UniqueConstraint("station_code", "parameter", "period_start", name="uq_exceedance_station_param_period"),
    )

    id: str = Field(primary_key=True, max_length=36)
    station_code: str = Field(max_length=64)
    parameter: str = Field(max_length=30)
    period_start: datetime = Field(sa_type=UTCDateTime)
    period_end: datetime = Field(sa_type=UTCDateTime)
    value: float
    limit: float
    unit: str = Field(max_length=20)
    detected_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Bulletin(SQLModel, table=True):
    """监测简报: built from reviewed data, published once."""

    __tablename__ = "bulletin"
    __table_args__ = (UniqueConstraint("kind", "period_start", name="uq_bulletin_kind_period"),)

    id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(max_length=20)
    period_start: date
    period_end: date
    title: str = Field(max_length=200)
    summary: str
    content: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    html: str
    status: str = Field(default="draft", max_length=12)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StationAuthFailure(FailureCount, table=True):
    """Failed station sign-ins (HTTP Basic and HJ 212 PW) per MN (``mn:…``) and per address (``ip:…``): shared by
    every monitoring replica, so guessing is throttled alike whichever replica is asked."""

    __tablename__ = "station_auth_failure"


class NoiseMeasurement(SQLModel, table=True):
    """声环境监测 一次测量: a regional or traffic measurement's readings (``samples``, equal intervals), or a
    functional-zone point's 24 hourly Leq (``hourly_leq``), with the indicators computed from them. Its day (Beijing
    time) is reviewed with the station's other data (``day_review``)."""

    __tablename__ = "noise_measurement"
    __table_args__ = (
        UniqueConstraint("station_code", "started_at", name="uq_noise_measurement_station_start"),
        Index("ix_noise_measurement_day", "day"),
    )

    id: str = Field(primary_key=True, max_length=36)
    station_code: str = Field(max_length=64)
    started_at: datetime = Field(sa_type=UTCDateTime)
    day: date
    period: str = Field(max_length=8, description="day 昼间, night 夜间, or full (24 hours)")
    duration_seconds: int
    sample_interval_seconds: float | None = None
    samples: list[float] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    hourly_leq: list[float] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    leq: float
    l10: float | None = None
    l50: float | None = None
    l90: float | None = None
    lmax: float | None = None
    lmin: float | None = None
    sd: float | None = None
    ld: float | None = None
    ln: float | None = None
    vehicles_per_hour: int | None = None
    recorded_by: str = Field(max_length=200)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Enterprise(SQLModel, table=True):
    """排污单位 (pollution source enterprise): its outlets and permit limits are what it discloses (自行监测信息公开).
    No personal data: a legal representative's name is not kept."""

    __tablename__ = "enterprise"

    id: str = Field(primary_key=True, max_length=36)
    code: str = Field(max_length=64, unique=True, description="the bureau's code of the enterprise")
    name: str = Field(max_length=200)
    town: str = Field(max_length=100, index=True)
    industry: str = Field(max_length=100, index=True, description="行业类别")
    credit_code: str | None = Field(default=None, max_length=18, description="统一社会信用代码")
    permit_number: str | None = Field(default=None, max_length=40, description="排污许可证编号")
    key_unit: bool = Field(default=False, description="重点排污单位")
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Outlet(SQLModel, table=True):
    """排放口: measured by one pollution-source station (its HJ 212 MN), whose readings are the outlet's."""

    __tablename__ = "outlet"
    __table_args__ = (UniqueConstraint("enterprise_id", "code", name="uq_outlet_enterprise_code"),)

    id: str = Field(primary_key=True, max_length=36)
    enterprise_id: str = Field(max_length=36, index=True)
    code: str = Field(max_length=32, description="排放口编号, e.g. DW001")
    name: str = Field(max_length=200)
    medium: str = Field(max_length=10, description="water 废水 or air 废气")
    station_code: str = Field(max_length=64, unique=True, description="the station (MN) measuring it")
    frequency: str = Field(max_length=10, description="hour (automatic), day, month or quarter")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PermitLimit(SQLModel, table=True):
    """排污许可限值: a pollutant's limit at an outlet for the local days valid_from … valid_to (open: None)."""

    __tablename__ = "permit_limit"
    __table_args__ = (Index("ix_permit_limit_outlet_parameter", "outlet_id", "parameter"),)

    id: str = Field(primary_key=True, max_length=36)
    outlet_id: str = Field(max_length=36)
    parameter: str = Field(max_length=30)
    limit: float
    unit: str = Field(max_length=20)
    valid_from: date
    valid_to: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
