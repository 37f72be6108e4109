"""Monitoring's use cases called directly on a unit of work (tests/support/units.py): no HTTP app, no listener; the
database is a real, migrated SQLite copy. Ingest, review and bulletins, with the domain errors they refuse with."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from services.monitoring.data.loader import STANDARDS_DIR, load_standards
from services.monitoring.domain.readings import day_bounds
from services.monitoring.domain.standards import Standards
from services.monitoring.handlers import bulletins, stations
from services.monitoring.handlers.batch import ingest_batch
from services.monitoring.handlers.review import review_day, review_page
from services.monitoring.handlers.statistics import valid_series
from services.monitoring.schemas import StationCreate
from services.monitoring.tables import Reading, Station
from shared.auth import Principal, Role
from shared.errors import Conflict, Invalid, NotFound
from shared.messaging.tables import OutboxRecord
from tests.support.units import Units, units_of

pytestmark = pytest.mark.integration

DAY = date(2021, 6, 1)
REVIEWER = Principal(subject="reviewer-1", roles=frozenset({Role.MONITORING_REVIEWER}), zone="staff")


@pytest.fixture(scope="module")
def standards() -> Standards:
    return load_standards([STANDARDS_DIR])


@pytest.fixture
async def units(tmp_path: Path) -> AsyncIterator[Units]:
    async with units_of("monitoring", tmp_path) as found:
        yield found


async def new_station(units: Units, code: str, **fields: Any) -> Station:
    body = {"code": code, "kind": "air_station", "name": "测试站点", "town": "杨柳青镇", "level": "district"} | fields
    async with units() as uow:
        station = await stations.create_station(uow, StationCreate.model_validate(body), actor=REVIEWER)
        await uow.commit()
    return station


def hourly(station: str, parameter: str, values: list[float], flag: str = "N") -> list[dict[str, Any]]:
    return [
        {"station": station, "parameter": parameter, "time": f"{DAY.isoformat()}T{h:02d}:00:00+08:00", "value": v,
         "flag": flag}
        for h, v in enumerate(values)
    ]  # fmt: skip


def around(value: float, hours: int = 24) -> list[float]:
    return [value + (1 if h % 2 else -1) for h in range(hours)]


async def ingest(units: Units, standards: Standards, rows: list[Any], caller: Station | None = None) -> Any:
    async with units() as uow:
        result = await ingest_batch(uow, standards, rows, caller_station=caller, actor="tester", correlation_id=None)
        await uow.commit()
    return result


async def stored(units: Units, station: str) -> list[tuple[str, str]]:
    async with units() as uow:
        query = select(Reading.parameter, Reading.auto_flags).where(Reading.station_code == station)
        return [(p, f) for p, f in (await uow.session.execute(query.order_by(col(Reading.time)))).all()]


async def test_ingest_stores_good_rows_reports_bad_ones_and_refuses_a_batch_with_none(
    units: Units, standards: Standards
) -> None:
    await new_station(units, "A1")
    other = await new_station(units, "A2")
    rows: list[Any] = hourly("A1", "pm25", [30.0, -5.0, 31.0])
    rows += [{"station": "A1", "parameter": "pm25", "time": "yesterday", "value": 1}, "not a row"]
    rows += hourly("NOPE", "pm25", [1.0])
    result = await ingest(units, standards, rows)
    assert result.stored == 3
    assert [(r.index, r.reason) for r in result.rejected] == [
        (3, "time: Invalid isoformat string: 'yesterday'"),
        (4, "a reading must be an object"),
        (5, "unknown station NOPE"),
    ]
    assert await stored(units, "A1") == [("pm25", ""), ("pm25", "negative"), ("pm25", "")]

    # A station signed in with its own credentials writes only its own rows.
    mixed = await ingest(units, standards, hourly("A1", "pm10", [20.0]) + hourly("A2", "pm10", [21.0]), caller=other)
    assert (mixed.stored, [r.reason for r in mixed.rejected]) == (1, ["station A1 is not the authenticated station"])

    with pytest.raises(Invalid) as refused:
        await ingest(units, standards, hourly("NOPE", "pm25", [1.0, 2.0]))
    assert refused.value.slug == "no-valid-readings"
    assert refused.value.extensions["rejected"] == [
        {"index": 0, "reason": "unknown station NOPE"},
        {"index": 1, "reason": "unknown station NOPE"},
    ]


async def test_review_refuses_a_day_without_data_and_an_invalidated_day_leaves_the_valid_series(
    units: Units, standards: Standards
) -> None:
    await new_station(units, "R1")
    with pytest.raises(NotFound):
        async with units() as uow:
            await review_day(uow, standards, station_code="NOPE", day=DAY, decision="confirm", reason="ok",
                             reviewer=REVIEWER, correlation_id=None)  # fmt: skip
    with pytest.raises(Conflict) as nothing:
        async with units() as uow:
            await review_day(uow, standards, station_code="R1", day=DAY, decision="confirm", reason="ok",
                             reviewer=REVIEWER, correlation_id=None)  # fmt: skip
    assert nothing.value.slug == "nothing-to-review"

    await ingest(units, standards, hourly("R1", "pm25", around(40.0)) + hourly("R1", "pm10", around(60.0), flag="D"))
    async with units() as uow:
        items, last = await review_page(uow, status="pending", station="R1", after=None, limit=10)
    assert last is None
    assert [(i.day, i.readings, i.flagged) for i in items] == [(DAY, 48, 24)]  # the D-flagged pm10 hours

    async with units() as uow:
        before = await valid_series(uow, ["R1"], ["pm25", "pm10"], *day_bounds(DAY))
        review = await review_day(uow, standards, station_code="R1", day=DAY, decision="invalidate",
                                  reason="仪器故障", reviewer=REVIEWER, correlation_id=None)  # fmt: skip
        await uow.commit()
    assert (review.status, review.reviewer, review.version) == ("invalidated", "reviewer-1", 2)
    assert {key: len(points) for key, points in before.items()} == {("R1", "pm25"): 24}
    async with units() as uow:
        assert await valid_series(uow, ["R1"], ["pm25", "pm10"], *day_bounds(DAY)) == {}
        queue = await review_page(uow, status="invalidated", station=None, after=None, limit=10)
    assert [i.station_code for i in queue[0]] == ["R1"]

    # New data on an invalidated day is stored, and the day stays invalidated.
    await ingest(units, standards, hourly("R1", "so2", around(10.0)))
    async with units() as uow:
        pending = await review_page(uow, status="pending", station="R1", after=None, limit=10)
    assert pending == ([], None)


async def test_a_bulletin_is_drafted_rebuilt_published_once_and_then_kept(units: Units, standards: Standards) -> None:
    await new_station(units, "B1", town="中北镇")
    await ingest(units, standards, hourly("B1", "pm25", around(40.0)) + hourly("B1", "pm10", around(60.0)))
    with pytest.raises(Invalid) as period:
        async with units() as uow:
            await bulletins.build_bulletin(uow, standards, kind="air_weekly", start=DAY, actor=REVIEWER)  # a Tuesday
    assert period.value.slug == "invalid-period"

    for _ in range(2):  # building again replaces the draft
        async with units() as uow:
            draft = await bulletins.build_bulletin(uow, standards, kind="air_daily", start=DAY, actor=REVIEWER)
            await uow.commit()
    assert (draft.status, draft.version) == ("draft", 2)
    assert [t["town"] for t in draft.content["towns"]] == ["中北镇"]  # type: ignore[union-attr]

    async with units() as uow:
        found = await bulletins.get_bulletin(uow, draft.id)
        published = await bulletins.publish_bulletin(uow, found, actor=REVIEWER, correlation_id="c-1")
        await uow.commit()
    assert (published.status, published.version) == ("published", 3)
    async with units() as uow:
        with pytest.raises(Conflict):
            await bulletins.publish_bulletin(
                uow, await bulletins.get_bulletin(uow, draft.id), actor=REVIEWER, correlation_id=None
            )
        with pytest.raises(Conflict) as kept:
            await bulletins.build_bulletin(uow, standards, kind="air_daily", start=DAY, actor=REVIEWER)
        assert kept.value.extensions == {"id": draft.id}
        with pytest.raises(NotFound):
            await bulletins.get_bulletin(uow, "no-such-bulletin")
        listed = await bulletins.list_bulletins(uow, kind="air_daily", after=None, limit=5)
        events = (await uow.session.execute(select(OutboxRecord))).scalars().all()
    assert [b.id for b in listed] == [draft.id]
    assert [e.event_type for e in events] == ["monitoring.bulletin.published.v1"]
    assert json.loads(events[0].payload)["data"]["bulletin_id"] == draft.id
