"""Reads across a station's parameters with the primary key as the reading table's only index: the open series
(one page per parameter, merged) and the reviewer's day counts (the parameters the station has stored) give what one
plain query over all the station's readings gives, at every cursor position and page size. SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import col

from services.monitoring.handlers import open_data
from services.monitoring.handlers.open_data import SERIES_COLUMNS, day_confirmed, reviewed_series
from services.monitoring.handlers.queries import dialect_of, local_period, stored_parameters, value_is_clean
from services.monitoring.handlers.review import day_counts
from services.monitoring.tables import DayReview, Reading
from shared.keyset import Key, keyset
from tests.stack import Stack
from tests.support.monitoring import (  # noqa: F401 - monitoring_on_both_databases: the ``local`` fixture
    client,
    create_station,
    hourly,
    monitoring_on_both_databases,
)

pytestmark = pytest.mark.integration

DAYS = [date(2021, 6, 1), date(2021, 6, 2), date(2021, 6, 3)]
PARAMETERS = ("pm10", "pm25", "so2")


def readings(station: str, rng: random.Random) -> list[dict[str, Any]]:
    """Hourly values with gaps per parameter, and a daily value of one parameter on some days."""
    rows: list[dict[str, Any]] = []
    for day in DAYS:
        for parameter in PARAMETERS:
            values = [10.0 + h for h in range(24)]
            rows += [row for row in hourly(station, parameter, day, values) if rng.random() < 0.7]
        if rng.random() < 0.7:
            rows += [{**hourly(station, "pm25", day, [30.0])[0], "interval": "day"}]
    return rows


async def reference_series(stack: Stack, code: str, interval: str, after: Any, limit: int) -> list[tuple[Any, ...]]:
    """The page as one query over every reading of the station (what an index led by station and time served)."""
    start, end = datetime(2021, 5, 31, 16, tzinfo=UTC), datetime(2021, 6, 3, 16, tzinfo=UTC)
    async with stack.runtime("monitoring").uow() as uow:
        query = sa_select(*SERIES_COLUMNS).where(
            col(Reading.station_code) == code,
            col(Reading.interval) == interval,
            col(Reading.time) >= start,
            col(Reading.time) < end,
            day_confirmed(dialect_of(uow)),
        )
        keys = (Key(col(Reading.time)), Key(col(Reading.parameter)))
        return [tuple(row) for row in (await uow.session.execute(keyset(query, keys, after, limit))).all()]


async def test_series_pages_and_day_counts_match_one_plain_query(local: Stack) -> None:
    rng = random.Random(20)
    async with client(local, "monitoring_reviewer") as staff:
        air = (await create_station(staff, "air_station"))["code"]
        other = (await create_station(staff, "air_station"))["code"]
        silent = (await create_station(staff, "air_station"))["code"]
        answer = await staff.post("/api/v1/monitoring/readings:batch", json=readings(air, rng) + readings(other, rng))
        assert answer.status_code == 200, answer.text
        for day in (DAYS[0], DAYS[2]):  # the middle day stays pending: never in a reviewed series
            body = {"station": air, "day": day.isoformat(), "decision": "confirm", "reason": "数据正常"}
            assert (await staff.post("/api/v1/monitoring/reviews", json=body)).status_code == 200

    runtime = local.runtime("monitoring")
    start, end = datetime(2021, 5, 31, 16, tzinfo=UTC), datetime(2021, 6, 3, 16, tzinfo=UTC)
    async with runtime.uow() as uow:
        station = await open_data.open_station(uow, air)
        assert await stored_parameters(uow, [air]) == sorted(PARAMETERS)
        assert await stored_parameters(uow, [silent]) == []
        assert await stored_parameters(uow, []) == []
        nothing = await open_data.open_station(uow, silent)  # no readings: no parameter, no page
        assert await reviewed_series(
            uow, station=nothing, parameter=None, interval="hour", start=start, end=end, after=None, limit=10
        ) == []  # fmt: skip
        for interval in ("hour", "day", "minute"):
            everything = await reference_series(local, air, interval, None, 10_000)
            positions = [None, *((row[2], row[0]) for row in rng.sample(everything, min(len(everything), 8)))]
            for after in positions:
                for limit in (1, 5, 37, 1000):
                    got = await reviewed_series(
                        uow, station=station, parameter=None, interval=interval, start=start, end=end,
                        after=after, limit=limit,
                    )  # fmt: skip
                    expected = await reference_series(local, air, interval, after, limit)
                    assert [tuple(row) for row in got] == expected, (interval, after, limit)
        # Paged to the end from the start, each row once, in order.
        seen: list[tuple[Any, ...]] = []
        after = None
        while True:
            page = await reviewed_series(
                uow, station=station, parameter=None, interval="hour", start=start, end=end, after=after, limit=7
            )
            seen += [tuple(row) for row in page[:7]]
            if len(page) <= 7:
                break
            after = (page[6].time, page[6].parameter)
        assert seen == await reference_series(local, air, "hour", None, 10_000)
        assert {row[0] for row in seen} == set(PARAMETERS)

        days = [DayReview(station_code=code, day=day) for code in (air, other, silent) for day in DAYS]
        counted = await day_counts(uow, days)
        day_column = local_period(dialect_of(uow), "day").label("day")
        flagged = func.sum(case((~value_is_clean(), 1), else_=0))
        plain = (
            sa_select(col(Reading.station_code), day_column, func.count(), flagged)
            .where(col(Reading.station_code).in_([air, other, silent]))
            .where(col(Reading.time) >= start, col(Reading.time) < end + timedelta(days=1))
            .group_by(col(Reading.station_code), day_column)
        )
        counts = {
            (code, date.fromisoformat(d)): (int(n), int(f or 0)) for code, d, n, f in (await uow.session.execute(plain))
        }
        assert counted == counts
        assert {code for code, _ in counted} == {air, other}
        assert await day_counts(uow, [DayReview(station_code=silent, day=DAYS[0])]) == {}
