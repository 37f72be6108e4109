"""Local dates of the bureau: legal deadlines are dates in Asia/Shanghai, whatever the server's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today in Asia/Shanghai: the day a legal deadline is judged against."""
    return datetime.now(SHANGHAI).date()


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai date of a moment; a moment without a zone is taken as UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(SHANGHAI).date()


def local_period(start: datetime, end: datetime) -> str:
    """A measured period as staff read it, in Asia/Shanghai: ``2025-01-01 00:00–01:00`` within a day,
    ``2025-01-01 00:00–2025-01-02 00:00`` across midnight (a daily value)."""
    start, end = (_local(moment) for moment in (start, end))
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{until}"


def _local(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(SHANGHAI)
