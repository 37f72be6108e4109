"""Monitoring answers keep what the document promises: stored times are answered as UTC with their offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.monitoring.schemas import ExceedancePublic

pytestmark = pytest.mark.unit

ROW = {"id": "e1", "station_code": "MN1", "parameter": "cod", "value": 25.0, "limit": 20.0, "unit": "mg/L"}


def test_an_exceedance_read_without_an_offset_is_answered_in_utc() -> None:
    """SQLite gives back the stored UTC time without its offset."""
    naive = {"period_start": datetime(2021, 5, 31, 16), "period_end": datetime(2021, 6, 30, 16)}
    answer = ExceedancePublic.model_validate({**ROW, **naive, "detected_at": datetime(2021, 7, 1, 2, 30)})
    assert answer.model_dump(mode="json") == {
        **ROW,
        "period_start": "2021-05-31T16:00:00Z",
        "period_end": "2021-06-30T16:00:00Z",
        "detected_at": "2021-07-01T02:30:00Z",
    }


def test_an_exceedance_read_with_another_offset_is_answered_in_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    start = datetime(2021, 6, 1, tzinfo=beijing)
    answer = ExceedancePublic.model_validate(
        {**ROW, "period_start": start, "period_end": start + timedelta(days=1), "detected_at": start}
    )
    assert answer.period_start == datetime(2021, 5, 31, 16, tzinfo=UTC)
    assert answer.period_start.utcoffset() == timedelta(0)
    assert answer.model_dump(mode="json")["period_end"] == "2021-06-01T16:00:00Z"
