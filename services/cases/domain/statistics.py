"""Enforcement statistics (执法统计) for a year or a quarter: the period and the report's fixed shape."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.cases.domain.draws import EntityCategory
from services.cases.domain.registry import InspectionResult
from services.cases.domain.stages import Stage
from shared.contracts.common import DecisionKind, Medium

UNREGISTERED = "unregistered"  # inspections of parties outside the registry of supervised entities
UNRECORDED = "unrecorded"  # inspections recorded before results were kept


def period_of(year: int, quarter: int | None) -> tuple[date, date]:
    """[first day, first day after] of the year or quarter."""
    if quarter is None:
        return date(year, 1, 1), date(year + 1, 1, 1)
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


def empty_report(year: int, quarter: int | None) -> dict[str, Any]:
    """The report with every count at zero; every key is always present (the disclosure service relies on it)."""
    return {
        "year": year,
        "quarter": quarter,
        "inspections": 0,
        "leads": 0,
        "cases_filed": 0,
        "cases_closed": 0,
        "decisions_by_kind": {kind.value: 0 for kind in DecisionKind},
        "fines_total_fen": 0,
        "confiscation_total_fen": 0,
        "review_meetings": 0,
        "cases_reviewed": 0,
        "referrals_by_medium": {medium.value: 0 for medium in Medium},
        "inspections_by_category": {
            category: dict.fromkeys([*InspectionResult, UNRECORDED], 0) for category in [*EntityCategory, UNREGISTERED]
        },
        "registry_coverage": {category.value: {"entities": 0, "inspected": 0} for category in EntityCategory},
        "legal_reviews_required": 0,
        "legal_reviews_before_decision": 0,
    }


def reviewed_before_decision(entered: list[tuple[int, Stage]]) -> bool:
    """Whether a case's stage changes (audit ``seq``, stage entered) put its legal review (法制审核, entered only
    with the reviewer's opinion recorded) before its decision: a review after the decision does not count."""
    decided = min((seq for seq, stage in entered if stage == Stage.DECIDED), default=None)
    return any(stage == Stage.LEGAL_REVIEW and (decided is None or seq < decided) for seq, stage in entered)


def report_rows(report: dict[str, Any], prefix: str = "") -> list[tuple[str, object]]:
    """Flatten nested counts to ``("decisions_by_kind.penalty", 3)`` rows, at any depth."""
    rows: list[tuple[str, object]] = []
    for key, value in report.items():
        if isinstance(value, dict):
            rows.extend(report_rows(value, f"{prefix}{key}."))
        else:
            rows.append((f"{prefix}{key}", "" if value is None else value))
    return rows
