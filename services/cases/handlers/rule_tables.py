"""The dated legal tables of the cases service, read once per file: the hearing amounts (听证权) and the random
inspection rates' first rows (双随机抽查比例; the head's later rows: handlers/inspection_rates.py)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from services.cases.domain.draw_rates import RateRow, load_rates
from services.cases.domain.hearing import HearingThreshold, HearingThresholds, load_hearing_thresholds
from services.cases.settings import CasesSettings
from shared.errors import Invalid


@lru_cache(maxsize=8)
def _hearing_table(national: Path, local: Path | None) -> HearingThresholds:
    rows = load_hearing_thresholds(local, local=True) if local is not None else ()
    return HearingThresholds(national=load_hearing_thresholds(national), local=rows)


def hearing_table(settings: CasesSettings) -> HearingThresholds:
    """Raises ``ValueError`` for a malformed file: the service checks it at start-up."""
    return _hearing_table(settings.hearing_thresholds_file, settings.hearing_thresholds_local_file)


def hearing_threshold_on(settings: CasesSettings, day: date) -> HearingThreshold:
    """The row in force on the notice's date; a date before every row is bad input, not a guess."""
    row = hearing_table(settings).in_force(day)
    if row is None:
        raise Invalid(
            f"{day} 无适用的听证金额标准 No hearing threshold is in force on {day}",
            slug="no-threshold-in-force",
        )
    return row


@lru_cache(maxsize=8)
def _rates(path: Path) -> tuple[RateRow, ...]:
    return load_rates(path)


def rates_table(settings: CasesSettings) -> tuple[RateRow, ...]:
    """The file's rows; raises ``ValueError`` for a malformed file: the service checks it at start-up."""
    return _rates(settings.random_inspection_rates_file)
