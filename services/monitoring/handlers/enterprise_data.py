"""Read models of enterprises' public emission data (自行监测信息公开): reviewed data only.

An outlet's values are its station's readings on confirmed station-days (审核通过), each shown with the permit limit
in force on its local day; exceedances are shown once their day is confirmed; completeness (数据完整率) counts the
reviewed valid results of the limited pollutants against the results due by the outlet's frequency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from services.monitoring.domain.enterprises import (
    INTERVAL_OF,
    Limit,
    MonthCompleteness,
    MonthProfile,
    completeness,
    limit_in_force,
    month_profiles,
    quarter_month,
)
from services.monitoring.domain.readings import LOCAL, day_bounds, local_day
from services.monitoring.domain.validity import CONFIRMED
from services.monitoring.handlers.enterprises import EnterpriseView, OutletView, as_limit, get_enterprise, view
from services.monitoring.handlers.open_data import SERIES_COLUMNS, day_confirmed, reading_row
from services.monitoring.handlers.queries import (
    day_statuses,
    dialect_of,
    each_series,
    series_page,
    stored_parameters,
    value_is_clean,
)
from services.monitoring.tables import DayReview, Exceedance, Reading
from shared.errors import NotFound
from shared.messaging import UnitOfWork


async def open_enterprise(uow: UnitOfWork, code: str) -> EnterpriseView:
    return await view(uow, await get_enterprise(uow, code))


def outlet_of(found: EnterpriseView, code: str) -> OutletView:
    for outlet in found.outlets:
        if outlet.outlet.code == code:
            return outlet
    raise NotFound(f"排放口不存在 Outlet {code} not found", slug="outlet-not-found")


def limits_of(outlet: OutletView) -> list[Limit]:
    return [as_limit(r) for r in outlet.limits]


def parameters_of(outlet: OutletView) -> list[str]:
    """The pollutants the permit limits (the ones whose results are due), sorted."""
    return sorted({r.parameter for r in outlet.limits})


async def latest_reviewed_year(uow: UnitOfWork, found: EnterpriseView) -> int | None:
    """The year of the enterprise's newest confirmed station-day, or None before any review."""
    stations = [o.outlet.station_code for o in found.outlets]
    if not stations:
        return None
    query = sa_select(func.max(col(DayReview.day))).where(
        col(DayReview.station_code).in_(stations), col(DayReview.status) == CONFIRMED
    )
    newest: date | None = (await uow.session.execute(query)).scalar()
    return newest.year if newest else None


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return day_bounds(date(year, 1, 1))[0], day_bounds(date(year, 12, 31))[1]


async def emission_series(
    uow: UnitOfWork,
    outlet: OutletView,
    *,
    parameter: str | None,
    interval: str | None,
    start: datetime,
    end: datetime,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Row[Any]]:
    """The outlet's values of confirmed days in [start, end), by time then parameter, a page and one more row; the
    interval is the outlet's own unless asked."""
    station = outlet.outlet.station_code
    conditions = [
        col(Reading.station_code) == station,
        col(Reading.interval) == (interval or INTERVAL_OF[outlet.outlet.frequency]),
        col(Reading.time) >= start,
        col(Reading.time) < end,
        day_confirmed(dialect_of(uow)),
    ]
    parameters = [parameter] if parameter else await stored_parameters(uow, [station])
    return await series_page(uow, SERIES_COLUMNS, conditions, parameters, after, limit)


def emission_row(row: Row[Any], limits: list[Limit]) -> dict[str, Any]:
    """A reviewed value with the limit in force on its local day, and whether it is a valid value above it."""
    shown = reading_row(row)
    permit = limit_in_force(limits, row.parameter, local_day(_utc(row.time)))
    shown["limit"] = permit.limit if permit else None
    shown["over_limit"] = bool(permit and shown["valid"] and row.value > permit.limit)
    return shown


def _utc(moment: datetime) -> datetime:
    """SQLite keeps no offset: a naive stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


async def reviewed_exceedances(uow: UnitOfWork, found: EnterpriseView, year: int) -> list[tuple[str, Exceedance]]:
    """The outlets' exceedances in ``year`` whose station-day is confirmed, by period: (outlet code, exceedance)."""
    outlet_by_station = {o.outlet.station_code: o.outlet.code for o in found.outlets}
    if not outlet_by_station:
        return []
    start, end = year_bounds(year)
    query = (
        select(Exceedance)
        .where(
            col(Exceedance.station_code).in_(list(outlet_by_station)),
            col(Exceedance.period_start) >= start,
            col(Exceedance.period_start) < end,
        )
        .order_by(col(Exceedance.period_start), col(Exceedance.parameter))
    )
    rows = list((await uow.session.execute(query)).scalars())
    days = {(r.station_code, local_day(_utc(r.period_start))) for r in rows}
    statuses = await day_statuses(uow, days) if days else {}
    return [
        (outlet_by_station[r.station_code], r)
        for r in rows
        if statuses.get((r.station_code, local_day(_utc(r.period_start)))) == CONFIRMED
    ]


@dataclass(frozen=True)
class ReviewedValue:
    parameter: str
    month: int  # local (Asia/Shanghai)
    value: float


async def reviewed_values(uow: UnitOfWork, outlet: OutletView, year: int) -> list[ReviewedValue]:
    """The outlet's reviewed valid values of its limited pollutants in ``year``, with their local month."""
    start, end = year_bounds(year)
    dialect = dialect_of(uow)
    conditions = [
        col(Reading.interval) == INTERVAL_OF[outlet.outlet.frequency],
        col(Reading.time) >= start,
        col(Reading.time) < end,
        value_is_clean(),
        day_confirmed(dialect),
    ]
    columns = (col(Reading.time), col(Reading.value))
    query = each_series(dialect, [outlet.outlet.station_code], parameters_of(outlet), columns, conditions)
    rows = (await uow.session.execute(query)).all()
    return [ReviewedValue(r.parameter, _utc(r.time).astimezone(LOCAL).month, r.value) for r in rows]


def outlet_completeness(outlet: OutletView, year: int, values: Sequence[ReviewedValue]) -> list[MonthCompleteness]:
    frequency = outlet.outlet.frequency
    reported: dict[tuple[str, int], int] = {}
    for v in values:
        key = (v.parameter, quarter_month(v.month) if frequency == "quarter" else v.month)
        reported[key] = reported.get(key, 0) + 1
    return completeness(frequency, year, limits_of(outlet), reported, today=datetime.now(LOCAL).date())


def outlet_profile(
    outlet: OutletView, parameter: str, year: int, values: Sequence[ReviewedValue]
) -> list[MonthProfile]:
    by_month: dict[int, list[float]] = {}
    for v in values:
        if v.parameter == parameter:
            by_month.setdefault(v.month, []).append(v.value)
    return month_profiles(limits_of(outlet), parameter, year, by_month)
