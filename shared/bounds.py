"""Bounds every value from a request must keep, so no database, calendar or clock sees an impossible one.

PostgreSQL refuses integers beyond ``bigint`` and SQLite beyond 64 bits; ``date.max`` plus a day overflows; a
time near year 1 or 9999 overflows when it changes zone. A request outside these bounds is a 422 problem.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

from pydantic import AfterValidator, AwareDatetime, Field

from shared.fields import MAX_FEN, Fen

INT64_MAX = 2**63 - 1
# 法定日期 from the founding of the People's Republic to a horizon no legal deadline or record reaches.
LEGAL_DATE_MIN = date(1949, 10, 1)
LEGAL_DATE_MAX = date(2199, 12, 31)
# Day counts added to dates (terms, periods): a century keeps every sum inside LEGAL_DATE_MAX + 100 years.
MAX_DAYS = 36_500
# MAX_FEN (shared.fields) times MAX_DAYS (按日连续处罚) stays inside 64 bits.

__all__ = ["MAX_DAYS", "MAX_FEN", "Fen", "Int64", "LegalAwareDateTime", "LegalDate", "LegalDateTime", "legal_date"]

D = TypeVar("D", bound=date)

_RANGE = f"{LEGAL_DATE_MIN.isoformat()} – {LEGAL_DATE_MAX.isoformat()}"


def legal_date(value: D) -> D:
    """``value`` if its date lies within the legal range, else ``ValueError`` (bilingual, for the 422 problem)."""
    day = value.date() if isinstance(value, datetime) else value
    if not LEGAL_DATE_MIN <= day <= LEGAL_DATE_MAX:
        raise ValueError(f"日期超出范围 Date out of range: must be within {_RANGE}")
    return value


LegalDate = Annotated[date, AfterValidator(legal_date)]
"""A date from a request (决定日期, 送达日期 …), within 1949-10-01 – 2199-12-31."""

LegalDateTime = Annotated[datetime, AfterValidator(legal_date)]
"""A time from a request whose date lies within the legal range (no zone conversion can overflow)."""

LegalAwareDateTime = Annotated[AwareDatetime, AfterValidator(legal_date)]
"""As ``LegalDateTime``, with a UTC offset (what is stored is UTC)."""

Int64 = Annotated[int, Field(ge=0, le=INT64_MAX)]
"""A non-negative integer a ``bigint`` column holds (positions, counters)."""
