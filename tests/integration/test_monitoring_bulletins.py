"""Air bulletins against a hand computation (HJ 633-2012), their titles, and the automatic publication once a
period is reviewed (the annual noise bulletin once the year's measurements are). Handlers on a real, migrated
SQLite copy (tests/support/units.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from services.monitoring.data.loader import STANDARDS_DIR, load_standards
from services.monitoring.domain.standards import Standards
from services.monitoring.handlers import bulletins, noise, stations
from services.monitoring.handlers.batch import ingest_batch
from services.monitoring.handlers.bulletin_schedule import publish_ready_bulletins, ready_periods
from services.monitoring.handlers.review import review_day
from services.monitoring.schemas import NoiseMeasurementCreate, StationCreate
from services.monitoring.tables import Bulletin
from shared.auth import Principal, Role
from shared.messaging.tables import OutboxRecord
from tests.support.units import Units, units_of

pytestmark = pytest.mark.integration

MONDAY = date(2021, 6, 7)
REVIEWER = Principal(subject="reviewer-1", roles=frozenset({Role.MONITORING_REVIEWER}), zone="staff")
# 甲镇 has two stations (its values are their means), 乙镇 one.
STATIONS = {"J1": "甲镇", "J2": "甲镇", "Y1": "乙镇"}


@pytest.fixture(scope="module")
def standards() -> Standards:
    return load_standards([STANDARDS_DIR])


@pytest.fixture
async def units(tmp_path: Path) -> AsyncIterator[Units]:
    async with units_of("monitoring", tmp_path) as found:
        for code, town in STATIONS.items():
            body = {"code": code, "kind": "air_station", "name": f"{town}站", "town": town, "level": "district"}
            async with found() as uow:
                await stations.create_station(uow, StationCreate.model_validate(body), actor=REVIEWER)
                await uow.commit()
        yield found


def day_rows(day: date, values: dict[str, tuple[float, float]]) -> list[dict[str, Any]]:
    """24 hourly PM2.5 and PM10 values per station, one above and one below by turns (a flat line would be flagged
    as a stuck instrument): the 24h means are exactly the values given."""
    return [
        {"station": code, "parameter": parameter, "time": f"{day.isoformat()}T{h:02d}:00:00+08:00",
         "value": value + (1 if h % 2 else -1)}
        for code, (pm25, pm10) in values.items()
        for parameter, value in (("pm25", pm25), ("pm10", pm10))
        for h in range(24)
    ]  # fmt: skip


async def ingest(units: Units, standards: Standards, rows: list[dict[str, Any]]) -> None:
    async with units() as uow:
        result = await ingest_batch(uow, standards, rows, caller_station=None, actor="tester", correlation_id=None)
        await uow.commit()
    assert not result.rejected


async def review(units: Units, standards: Standards, code: str, day: date) -> None:
    async with units() as uow:
        await review_day(
            uow, standards, station_code=code, day=day, decision="confirm", reason="核查无误", reviewer=REVIEWER,
            correlation_id=None,
        )  # fmt: skip
        await uow.commit()


async def build(units: Units, standards: Standards, kind: str, start: date) -> Bulletin:
    async with units() as uow:
        bulletin = await bulletins.build_bulletin(uow, standards, kind=kind, start=start, actor=REVIEWER)
        await uow.commit()
    return bulletin


async def test_the_daily_bulletin_matches_a_hand_computation(units: Units, standards: Standards) -> None:
    await ingest(units, standards, day_rows(MONDAY, {"J1": (30, 50), "J2": (50, 70), "Y1": (20, 40)}))
    # The same day a year earlier: only J1 sent data, so 甲镇 was J1 alone; 乙镇 has nothing to compare with.
    await ingest(units, standards, day_rows(date(2020, 6, 7), {"J1": (50, 100)}))
    daily = await build(units, standards, "air_daily", MONDAY)

    assert daily.title == "2021年6月7日空气质量日报"
    first, second = daily.content["towns"]  # type: ignore[misc]
    # 乙镇: PM2.5 20 → IAQI 50·20/35 = 28.6 → 29; PM10 40 → 40·50/50 = 40; AQI 40 (优), no primary pollutant (≤ 50).
    assert (first["rank"], first["town"], first["aqi"], first["category"]) == (1, "乙镇", 40, "优")
    assert (first["primary_pollutant"], first["pm25_mean"], first["pm10_mean"]) == (None, 20.0, 40.0)
    assert first["aqi_change_from_last_year"] is None
    # 甲镇: station means PM2.5 (30+50)/2 = 40 → 50 + (40−35)·50/40 = 56.25 → 57; PM10 60 → 50 + 10·50/100 = 55.
    assert (second["rank"], second["town"], second["aqi"], second["category"]) == (2, "甲镇", 57, "良")
    assert (second["primary_pollutant"], second["pm25_mean"], second["pm10_mean"]) == ("pm25", 40.0, 60.0)
    # A year earlier: PM2.5 50 → 68.75 → 69, PM10 100 → 75: AQI 75. Change 57 − 75; PM2.5 (40−50)/50; PM10 (60−100)/100.
    assert second["aqi_change_from_last_year"] == -18
    assert (second["pm25_change_from_last_year"], second["pm10_change_from_last_year"]) == (-0.2, -0.4)
    assert daily.summary == "2021年6月7日，2个镇街参与排名，空气质量最好的是乙镇。"
    assert "<th>PM10 均值 (µg/m³)</th>" in daily.html
    assert "<td>-18</td>" in daily.html


async def test_the_weekly_bulletin_counts_good_days_and_means(units: Units, standards: Standards) -> None:
    rows: list[dict[str, Any]] = []
    for n in range(7):
        # Wednesday is polluted in 甲镇: PM2.5 120 → 150 + (120−115)·50/35 = 157.1 → 158 (中度污染).
        jia = (120.0, 60.0) if n == 2 else (40.0, 60.0)
        rows += day_rows(MONDAY + timedelta(days=n), {"J1": jia, "J2": jia, "Y1": (20, 40)})
    await ingest(units, standards, rows)
    weekly = await build(units, standards, "air_weekly", MONDAY)

    assert weekly.title == "2021年6月7日至13日空气质量周报"
    towns = {t["town"]: t for t in weekly.content["towns"]}  # type: ignore[union-attr]
    jia = towns["甲镇"]
    # Mean AQI (6·57 + 158)/7 = 71.4 → 71; good days 6/7; PM2.5 (6·40 + 120)/7 = 51.43.
    assert (jia["rank"], jia["aqi"], jia["valid_days"], jia["good_days_share"]) == (2, 71, 7, 0.8571)
    assert (jia["pm25_mean"], jia["pm10_mean"]) == (51.4, 60.0)
    assert (towns["乙镇"]["rank"], towns["乙镇"]["good_days_share"]) == (1, 1.0)
    assert jia["aqi_change_from_last_year"] is None  # no data a year earlier


async def test_ready_periods_are_published_automatically_once(units: Units, standards: Standards) -> None:
    sunday = MONDAY - timedelta(days=1)
    await ingest(units, standards, day_rows(MONDAY, {"J1": (30, 50), "J2": (50, 70), "Y1": (20, 40)}))
    tuesday = MONDAY + timedelta(days=1)
    async with units() as uow:
        assert await ready_periods(uow, tuesday, lookback_days=3) == []  # the day is still pending
    for code in ("J1", "J2"):
        await review(units, standards, code, MONDAY)
    async with units() as uow:
        assert await ready_periods(uow, tuesday, lookback_days=3) == []  # Y1's day is still pending
    await review(units, standards, "Y1", MONDAY)
    async with units() as uow:
        # Monday is reviewed; Sunday had no data at all, so nothing was reviewed and it waits.
        assert await ready_periods(uow, tuesday, lookback_days=3) == [("air_daily", MONDAY)]
        assert sunday not in [first for _, first in await ready_periods(uow, tuesday, lookback_days=3)]

    [published] = await publish_ready_bulletins(units, standards, today=tuesday, lookback_days=3)
    assert await publish_ready_bulletins(units, standards, today=tuesday, lookback_days=3) == []
    async with units() as uow:
        bulletin = await bulletins.get_bulletin(uow, published)
        events = (await uow.session.execute(select(OutboxRecord))).scalars().all()
    assert (bulletin.kind, bulletin.status, bulletin.title) == ("air_daily", "published", "2021年6月7日空气质量日报")
    assert [e.event_type for e in events if "bulletin" in e.event_type] == ["monitoring.bulletin.published.v1"]


NOISE_YEAR = 2021
# Two grid points measured once by day each (steady levels: the Leq is the level): the grid's day mean is 54.0.
NOISE_POINTS = {"NR01": 52.0, "NR02": 56.0}


async def measure_noise(units: Units, standards: Standards, day: date) -> None:
    rows = [
        NoiseMeasurementCreate.model_validate(
            {
                "station": code,
                "started_at": f"{day.isoformat()}T10:00:00+08:00",
                "samples": [level] * 100,
                "sample_interval_seconds": 5,
            }
        )
        for code, level in NOISE_POINTS.items()
    ]
    async with units() as uow:
        await noise.record_measurements(uow, standards, rows, actor=REVIEWER)
        await uow.commit()


async def test_the_noise_year_is_published_automatically_once_reviewed(units: Units, standards: Standards) -> None:
    for code in NOISE_POINTS:
        body = {"code": code, "kind": "noise_point", "noise_kind": "regional", "name": f"网格{code}", "town": "甲镇",
                "level": "district"}  # fmt: skip
        async with units() as uow:
            await stations.create_station(uow, StationCreate.model_validate(body), actor=REVIEWER)
            await uow.commit()
    spring, autumn = date(NOISE_YEAR, 4, 14), date(NOISE_YEAR, 10, 13)
    await measure_noise(units, standards, spring)
    await measure_noise(units, standards, autumn)
    next_year = date(NOISE_YEAR + 1, 1, 4)

    async def ready(today: date) -> list[tuple[str, date]]:
        async with units() as uow:
            return [(kind, first) for kind, first in await ready_periods(uow, today, 3) if kind == "noise_annual"]

    assert await ready(next_year) == []  # nothing reviewed yet
    for code in NOISE_POINTS:
        await review(units, standards, code, spring)
    await review(units, standards, "NR01", autumn)
    assert await ready(next_year) == []  # NR02's autumn day is still pending
    await review(units, standards, "NR02", autumn)
    assert await ready(date(NOISE_YEAR, 12, 31)) == []  # the year has not ended
    assert await ready(date(NOISE_YEAR + 2, 1, 4)) == []  # only the year that ended last; older ones by hand
    assert await ready(next_year) == [("noise_annual", date(NOISE_YEAR, 1, 1))]

    published = await publish_ready_bulletins(units, standards, today=next_year, lookback_days=3)
    assert await publish_ready_bulletins(units, standards, today=next_year, lookback_days=3) == []
    async with units() as uow:
        [bulletin] = [await bulletins.get_bulletin(uow, found) for found in published]
    assert (bulletin.kind, bulletin.status, bulletin.title) == ("noise_annual", "published", "2021年声环境质量年报")
    assert "区域声环境昼间平均等效声级54.0 dB(A)" in bulletin.summary  # (52 + 56) / 2
