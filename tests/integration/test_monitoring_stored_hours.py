"""A writer that remembers stored hours (the HJ 212 group commit) flags exactly as one that reads them back, while
another writer, rolled-back writes and re-sent or old hours come in between; on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from services.monitoring.domain.readings import Columns, ReadingIn
from services.monitoring.handlers.checks import READING, check_columns
from services.monitoring.handlers.ingest import bump_reading_versions, store_columns, store_readings
from services.monitoring.handlers.neighbours import stored_around
from services.monitoring.handlers.stored_hours import StoredHours
from shared.messaging import UnitOfWork
from tests.stack import Stack
from tests.support.monitoring import monitoring_on_both_databases  # noqa: F401 - the ``local`` fixture

pytestmark = pytest.mark.integration

START = datetime(2021, 6, 1, tzinfo=UTC)
STATIONS = ("S1", "S2", "S3", "S4")
PARAMETERS = ("pm25", "so2")


async def test_each_write_counts_once_per_station(local: Stack) -> None:
    runtime = local.runtime("monitoring")
    async with runtime.uow() as uow:
        assert await bump_reading_versions(uow, {"B", "A"}) == {"A": 1, "B": 1}
        await uow.commit()
    async with runtime.uow() as uow:
        assert await bump_reading_versions(uow, ["A"]) == {"A": 2}
        # not committed: the count is as before
    async with runtime.uow() as uow:
        assert await bump_reading_versions(uow, ["A", "C"]) == {"A": 2, "C": 1}
        await uow.commit()


def _value(chance: random.Random) -> float:
    """Runs of one value (the constant rule, re-flagging stored hours), spikes, and ordinary values."""
    return chance.choice([12.0, 12.0, 12.0, 12.0, 300.0, round(chance.uniform(5, 60), 1)])


async def test_remembered_hours_flag_as_hours_read_back(local: Stack) -> None:
    runtime, standards = local.runtime("monitoring"), local.apps["monitoring"].state.standards
    chance = random.Random(20)
    memory = StoredHours()
    remembered = read = 0  # series answered from memory / read back, over every write
    next_hour = {"S1": 0, "S2": 7, "S3": 30, "S4": 50}  # S4 sends from the 80th step on
    for step in range(160):
        sending = STATIONS if step >= 80 else STATIONS[:3]
        if chance.random() < 0.15:  # another writer (the batch API, another process): no memory
            station = chance.choice(sending)
            hour = next_hour[station] + chance.randrange(-14, 3)
            other = [ReadingIn(station, p, "hour", START + timedelta(hours=hour), _value(chance), "µg/m³", "N")
                     for p in PARAMETERS]  # fmt: skip
            async with runtime.uow() as uow:
                await store_readings(uow, standards, other, source="batch")
                await uow.commit()
            continue
        readings = []
        for station in chance.sample(sending, chance.randrange(1, len(sending) + 1)):
            shape = chance.random()
            if shape < 0.75:  # the next hour, as a station sends
                hours = [next_hour[station]]
                next_hour[station] += 1
            elif shape < 0.9:  # an hour sent again
                hours = [next_hour[station] - chance.randrange(1, 4)]
            else:  # a backlog of older hours
                first = next_hour[station] - chance.randrange(20, 40)
                hours = list(range(first, first + 3))
            instrument_flag = "D" if chance.random() < 0.05 else "N"
            readings += [
                ReadingIn(station, parameter, "hour", START + timedelta(hours=hour), _value(chance), "µg/m³",
                          instrument_flag)
                for hour in hours
                for parameter in chance.sample(PARAMETERS, chance.randrange(1, 3))
            ]  # fmt: skip
        columns = Columns.of(readings)
        commit = chance.random() > 0.1
        async with runtime.uow() as uow:
            plain = await check_columns(uow, standards, columns)  # the stored hours read back
            ingested = await store_columns(
                uow, standards, columns, source="hj212", read_stored=stored_around, memory=memory
            )
            checks = ingested.checks
            assert ingested.hours is not None
            remembered, read = remembered + ingested.hours.remembered, read + ingested.hours.read
            assert (checks.order, checks.flags, checks.last, checks.fresh) == (
                plain.order, plain.flags, plain.last, plain.fresh,
            ), step  # fmt: skip
            assert sorted(checks.reflagged) == sorted(plain.reflagged), step
            if commit:  # else rolled back: the memory must not take it in
                await uow.commit()
        if commit and ingested.hours is not None:
            ingested.hours.committed(columns, checks)
        async with runtime.uow() as uow:
            await _assert_remembered_is_stored(uow, memory)
    assert remembered > 100  # both paths taken
    assert read > 20


async def _assert_remembered_is_stored(uow: UnitOfWork, memory: StoredHours) -> None:
    """What the memory would still use (its station's count unchanged since) is what is stored."""
    c = READING.c
    counts = dict((await uow.session.execute(text("SELECT station_code, version FROM station_reading_version"))).all())
    for code, station in memory.stations.items():
        if station.version != counts[code]:  # written by another since: read again when next needed
            continue
        for key, known in station.series.items():
            query = (
                READING.select()
                .with_only_columns(c.time, c.value, c.instrument_flag, c.auto_flags)
                .where(c.station_code == code, c.parameter == key[1], c.interval == "hour")
                .where(c.time >= known.low, c.time <= known.high)
                .order_by(c.time)
            )
            stored = [(row[0], row[1], row[2], row[3]) for row in (await uow.session.execute(query)).all()]
            assert stored == list(zip(*known.series, strict=True)), key
