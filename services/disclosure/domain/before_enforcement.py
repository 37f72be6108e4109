"""Rules of the before-enforcement publication (事前公开, 国办发〔2018〕118号): which officers the list shows on a
day, and when a quarter's or a year's enforcement statistics (执法统计季报、年报) may go out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal, Protocol, TypeVar

from shared.errors import Conflict, Invalid

Period = Literal["Q1", "Q2", "Q3", "Q4", "year"]
PERIODS: tuple[Period, ...] = ("Q1", "Q2", "Q3", "Q4", "year")
QUARTER_NAMES = {"Q1": "第一季度", "Q2": "第二季度", "Q3": "第三季度", "Q4": "第四季度"}


class OfficerVersion(Protocol):
    @property
    def officer_id(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def active(self) -> bool: ...


R = TypeVar("R", bound=OfficerVersion)


def officers_on_list(records: Iterable[R]) -> list[R]:
    """Each officer's latest record (highest register version, whatever order they arrived in), if still active:
    a deactivated officer leaves the list; its records stay in the history."""
    latest: dict[str, R] = {}
    for record in records:
        held = latest.get(record.officer_id)
        if held is None or record.version > held.version:
            latest[record.officer_id] = record
    return [r for r in latest.values() if r.active]


def credential_status(
    valid_from: date | None, valid_until: date | None, on: date
) -> Literal["valid", "expired", "not_yet_valid"]:
    """The credential on the list's day: both ends of its valid period included, an end not recorded open."""
    if valid_until is not None and valid_until < on:
        return "expired"
    if valid_from is not None and on < valid_from:
        return "not_yet_valid"
    return "valid"


def quarter_number(period: Period) -> int | None:
    return None if period == "year" else int(period[1])


def period_end(year: int, period: Period) -> date:
    """The last day of the quarter or the year."""
    quarter = quarter_number(period)
    if quarter is None or quarter == 4:
        return date(year, 12, 31)
    return date(year, quarter * 3 + 1, 1) - timedelta(days=1)


def release_title(year: int, period: Period) -> str:
    if period == "year":
        return f"{year}年度行政执法统计年报"
    return f"{year}年{QUARTER_NAMES[period]}行政执法统计"


def check_release(year: int, period: Period, published_on: date, *, today: date) -> None:
    """A period's statistics go out once it is over, dated (补录 too) from the day after its end to today."""
    end = period_end(year, period)
    if end >= today:
        raise Conflict(f"统计期尚未结束 {release_title(year, period)}: the period is not over", slug="period-not-over")
    if not end < published_on <= today:
        raise Invalid(
            "发布日期须在统计期结束后至今天之间 published_on must lie after the period's end and not after today"
        )
