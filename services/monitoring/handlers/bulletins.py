"""Bulletins (监测简报): built as drafts from valid data, published once (the event carries the HTML); the list."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, select

from services.monitoring.domain.bulletins import (
    SectionMonth,
    TownDay,
    air_by_town,
    bulletin_title,
    period_label,
    period_of,
    previous_month,
    same_period_last_year,
    water_by_town,
)
from services.monitoring.domain.standards import NoStandardInForce, Standards
from services.monitoring.handlers.bulletin_html import air_html, noise_html, water_html
from services.monitoring.handlers.noise import noise_summary, summary_public
from services.monitoring.handlers.statistics import air_series, monthly_water_many, town_daily_air
from services.monitoring.tables import Bulletin, Station
from shared.audit import append_audit
from shared.auth import Principal
from shared.contracts import CloudEvent
from shared.contracts.events import BulletinPublishedV1
from shared.errors import Conflict, Invalid, NotFound
from shared.keyset import Key, keyset
from shared.messaging import UnitOfWork
from shared.messaging.tables import utcnow


@dataclass(frozen=True)
class Drafted:
    content: dict[str, object]
    title: str
    summary: str
    html: str


async def _stations(uow: UnitOfWork, kind: str) -> list[Station]:
    query = select(Station).where(Station.kind == kind, col(Station.active)).order_by(col(Station.code))
    return list((await uow.session.execute(query)).scalars())


async def _sections(uow: UnitOfWork, standards: Standards, month: date) -> list[SectionMonth]:
    stations = await _stations(uow, "water_section")
    return [
        SectionMonth(s.code, s.name, s.town, monthly.result.water_class, s.target_class)
        for s, monthly in zip(
            stations, await monthly_water_many(uow, standards, stations, month.year, month.month), strict=True
        )
    ]


async def _water_content(uow: UnitOfWork, standards: Standards, start: date) -> Drafted:
    table = standards.water.in_force(start)
    sections = await _sections(uow, standards, start)
    towns = water_by_town(table, sections, await _sections(uow, standards, previous_month(start)))
    classes = [*table.classes, table.worse_than_all]
    evaluated = sum(t["sections"] for t in towns)
    meeting = sum(round(t["share_meeting_target"] * t["sections"]) for t in towns)
    summary = f"{start.year}年{start.month}月，{len(towns)}个镇街{evaluated}个断面参与评价，{meeting}个达到考核目标。"
    title = bulletin_title("water_monthly", start, start)
    content: dict[str, object] = {"standard": table.name, "towns": towns, "sections": [s.__dict__ for s in sections]}
    return Drafted(content, title, summary, water_html(title, summary, towns, classes))


async def _town_days(
    uow: UnitOfWork, standards: Standards, stations: list[Station], start: date, end: date
) -> list[TownDay]:
    """Each town's daily AQI, PM2.5 and PM10 over the period (镇街均值 of its stations)."""
    by_town: dict[str, list[Station]] = {}
    for station in stations:
        by_town.setdefault(station.town, []).append(station)
    days: list[TownDay] = []
    series = await air_series(uow, [s.code for s in stations], start, end)  # the period read once
    day = start
    while day <= end:
        for town, members in by_town.items():
            air = await town_daily_air(uow, standards, members, day, series=series.get(day, {}), hourly=False)
            result = air.result
            days.append(TownDay(town, day, result.aqi, result.category, result.primary_pollutants, air.pm25, air.pm10))
        day += timedelta(days=1)
    return days


async def _air_content(uow: UnitOfWork, standards: Standards, kind: str, start: date, end: date) -> Drafted:
    stations = await _stations(uow, "air_station")
    days = await _town_days(uow, standards, stations, start, end)
    try:
        last_year = await _town_days(uow, standards, stations, *same_period_last_year(kind, start, end))
    except NoStandardInForce:  # a year before the first table (2012): no comparison, not an error
        last_year = []
    towns = air_by_town(days, standards.aqi.in_force(start).good_or_better_upper, last_year)
    best = f"，空气质量最好的是{towns[0]['town']}" if towns else ""
    summary = f"{period_label(kind, start, end)}，{len(towns)}个镇街参与排名{best}。"
    title = bulletin_title(kind, start, end)
    content: dict[str, object] = {"standard": standards.aqi.in_force(start).name, "towns": towns}
    return Drafted(content, title, summary, air_html(title, summary, towns))


def _level(graded: dict[str, object]) -> str:
    return "无监测数据" if graded["mean"] is None else f"{graded['mean']} dB(A)，{graded['grade_name']}"


def _rate(zones: list[dict[str, object]], period: str) -> str:
    measured = sum(int(str(z["measured"])) for z in zones if z["period"] == period)
    compliant = sum(int(str(z["compliant"])) for z in zones if z["period"] == period)
    return "—" if measured == 0 else f"{compliant / measured * 100:.1f}%"


async def _noise_content(uow: UnitOfWork, standards: Standards, start: date) -> Drafted:
    """声环境质量年报 from the year's valid measurements (as the other bulletins: pending days count)."""
    figures = summary_public(await noise_summary(uow, standards, year=start.year, reviewed_only=False)).model_dump()
    zones = figures["functional_zones"]
    summary = (
        f"{start.year}年，区域声环境昼间平均等效声级{_level(figures['regional']['day'])}；"
        f"道路交通昼间平均等效声级{_level(figures['traffic']['day'])}；"
        f"功能区昼间达标率{_rate(zones, 'day')}，夜间达标率{_rate(zones, 'night')}。"
    )
    title = bulletin_title("noise_annual", start, start)
    return Drafted(figures, title, summary, noise_html(title, summary, figures))


async def build_bulletin(
    uow: UnitOfWork, standards: Standards, *, kind: str, start: date, actor: Principal
) -> Bulletin:
    """A draft for the period; building again replaces an unpublished draft, a published bulletin stays."""
    try:
        first, last = period_of(kind, start)
    except ValueError as exc:
        raise Invalid(f"简报期间无效 {exc}", slug="invalid-period") from exc
    if kind == "water_monthly":
        drafted = await _water_content(uow, standards, first)
    elif kind == "noise_annual":
        drafted = await _noise_content(uow, standards, first)
    else:
        drafted = await _air_content(uow, standards, kind, first, last)
    found = (
        await uow.session.execute(select(Bulletin).where(Bulletin.kind == kind, Bulletin.period_start == first))
    ).scalar_one_or_none()
    if found is not None and found.status == "published":
        raise Conflict("该期简报已发布 This bulletin is already published", slug="bulletin-published", id=found.id)
    bulletin = found or Bulletin(id=str(uuid.uuid4()), kind=kind, period_start=first, period_end=last, title="",
                                 summary="", content={}, html="")  # fmt: skip
    bulletin.title, bulletin.summary = drafted.title, drafted.summary
    bulletin.content, bulletin.html = drafted.content, drafted.html
    bulletin.version = bulletin.version + 1 if found else 1
    uow.session.add(bulletin)
    await append_audit(
        uow.session, actor=actor.subject, entity_type="bulletin", entity_id=bulletin.id, action="drafted",
        data={"kind": kind, "period_start": first.isoformat()},
    )  # fmt: skip
    return bulletin


async def list_bulletins(
    uow: UnitOfWork, *, kind: str | None, after: tuple[date, str] | None, limit: int
) -> list[Bulletin]:
    """Newest period first, a page and one more row; ``after`` is the (period_start, id) of the last row seen."""
    query = select(Bulletin)
    if kind:
        query = query.where(Bulletin.kind == kind)
    keys = (Key(col(Bulletin.period_start), descending=True), Key(col(Bulletin.id)))
    return list((await uow.session.execute(keyset(query, keys, after, limit))).scalars())


async def get_bulletin(uow: UnitOfWork, bulletin_id: str) -> Bulletin:
    found = await uow.session.get(Bulletin, bulletin_id)
    if found is None:
        raise NotFound(f"简报不存在 Bulletin {bulletin_id} not found", slug="bulletin-not-found")
    return found


async def publish_bulletin(
    uow: UnitOfWork, bulletin: Bulletin, *, actor: Principal, correlation_id: str | None
) -> Bulletin:
    if bulletin.status == "published":
        raise Conflict("简报已发布 Bulletin already published", slug="bulletin-published")
    bulletin.status = "published"
    bulletin.published_at = utcnow()
    bulletin.version += 1
    uow.session.add(bulletin)
    payload = BulletinPublishedV1(
        bulletin_id=bulletin.id, kind=bulletin.kind,
        period_start=bulletin.period_start, period_end=bulletin.period_end,
        title=bulletin.title, summary=bulletin.summary, html=bulletin.html,
    )  # fmt: skip
    uow.emit(CloudEvent.wrap(payload, subject=bulletin.id, correlation_id=correlation_id, actor=actor.subject))
    await append_audit(uow.session, actor=actor.subject, entity_type="bulletin", entity_id=bulletin.id,
                       action="published", data={"kind": bulletin.kind})  # fmt: skip
    return bulletin
