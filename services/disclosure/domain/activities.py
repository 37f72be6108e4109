"""The rule-of-law activity register (法治建设活动台账): what each kind of entry records, and the year's totals.

The rule-of-law annual report (法治政府建设年度报告) states what the bureau did to build a law-based government;
the legal office records each activity here as it happens. Each kind has its own facts: a training's town and the
enterprises it reached, an expert consultation's problems solved, an adviser's firm and review meetings attended.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.errors import Invalid

KIND_NAMES = {
    "study_session": "党组理论学习中心组学法",
    "lecture": "法治讲座",
    "training": "普法培训",
    "consultation": "专家会诊",
    "outreach": "送法入企",
    "adviser": "法律顾问",
    "committee_meeting": "法制委员会会议",
    "dispute": "行政复议、行政诉讼案件",
}
TOPIC_NAMES = {"constitution": "宪法", "law_thought": "习近平法治思想", "other": "其他法律法规"}
OUTCOME_NAMES = {
    "upheld": "维持（驳回）",
    "revoked": "撤销",
    "changed": "变更",
    "unlawful": "确认违法",
    "withdrawn": "撤回申请（撤诉）",
    "pending": "审理中",
}
DISPUTE_NAMES = {"reconsideration": "行政复议", "litigation": "行政诉讼"}

# The facts each kind must carry, and those it may carry besides ``subject`` and ``note`` (any kind may).
REQUIRED: Mapping[str, frozenset[str]] = {
    "study_session": frozenset({"occurred_on", "subject", "topic"}),
    "lecture": frozenset({"occurred_on", "subject"}),
    "training": frozenset({"occurred_on", "town", "enterprises"}),
    "consultation": frozenset({"occurred_on", "problems_solved"}),
    "outreach": frozenset({"occurred_on", "enterprises", "materials"}),
    "adviser": frozenset({"year", "adviser_type", "firm"}),
    "committee_meeting": frozenset({"occurred_on", "subjects"}),
    "dispute": frozenset({"occurred_on", "dispute_type", "outcome"}),
}
OPTIONAL: Mapping[str, frozenset[str]] = {
    "study_session": frozenset(),
    "lecture": frozenset(),
    "training": frozenset(),
    "consultation": frozenset(),
    "outreach": frozenset({"town"}),
    "adviser": frozenset({"meetings_attended"}),
    "committee_meeting": frozenset(),
    "dispute": frozenset(),
}
ANY_KIND = frozenset({"subject", "note", "year"})
FACTS = (
    "occurred_on",
    "topic",
    "town",
    "enterprises",
    "problems_solved",
    "materials",
    "adviser_type",
    "firm",
    "meetings_attended",
    "subjects",
    "dispute_type",
    "outcome",
)


def check_entry(kind: str, facts: Mapping[str, Any]) -> int:
    """The entry's year once its facts fit its kind: those the kind needs present, none it does not know.

    An adviser is recorded for a year (聘请年度); every other entry for its date, whose year it must match."""
    present = {name for name, value in facts.items() if value not in (None, [], "")}
    missing = sorted(REQUIRED[kind] - present)
    foreign = sorted(present - REQUIRED[kind] - OPTIONAL[kind] - ANY_KIND)
    if missing or foreign:
        raise Invalid(
            f"{KIND_NAMES[kind]}的登记内容不完整或不适用 Facts do not fit the kind {kind}",
            slug="activity-facts",
            missing=missing,
            not_applicable=foreign,
        )
    day: date | None = facts.get("occurred_on")
    year: int | None = facts.get("year")
    if day is not None and year is not None and year != day.year:
        raise Invalid("年度与日期不符 year does not match occurred_on", slug="activity-facts", missing=[])
    found = year if year is not None else day.year if day is not None else None
    assert found is not None  # every kind requires a date or a year
    return found


@dataclass(frozen=True)
class Entry:
    """One register entry as the year's totals read it."""

    kind: str
    occurred_on: date | None = None
    topic: str | None = None
    town: str | None = None
    enterprises: int | None = None
    problems_solved: int | None = None
    materials: int | None = None
    adviser_type: str | None = None
    firm: str | None = None
    meetings_attended: int | None = None
    subjects: tuple[str, ...] = ()
    dispute_type: str | None = None
    outcome: str | None = None


def _sum(values: Iterable[int | None]) -> int:
    return sum(v or 0 for v in values)


def register_totals(entries: Iterable[Entry]) -> dict[str, Any]:
    """The year's totals of the register, kind by kind (every kind present, zero included)."""
    by_kind: dict[str, list[Entry]] = {kind: [] for kind in KIND_NAMES}
    for entry in entries:
        by_kind[entry.kind].append(entry)
    study, trainings = by_kind["study_session"], by_kind["training"]
    advisers, committee, disputes = by_kind["adviser"], by_kind["committee_meeting"], by_kind["dispute"]
    topics = Counter(e.topic for e in study)
    return {
        "study_sessions": {"total": len(study), **{t: topics.get(t, 0) for t in TOPIC_NAMES}},
        "lectures": len(by_kind["lecture"]),
        "trainings": {
            "sessions": len(trainings),
            "enterprises": _sum(e.enterprises for e in trainings),
            "towns": sorted({e.town for e in trainings if e.town}),
        },
        "consultations": {
            "sessions": len(by_kind["consultation"]),
            "problems_solved": _sum(e.problems_solved for e in by_kind["consultation"]),
        },
        "outreach": {
            "visits": len(by_kind["outreach"]),
            "enterprises": _sum(e.enterprises for e in by_kind["outreach"]),
            "materials": _sum(e.materials for e in by_kind["outreach"]),
        },
        "advisers": {
            "full_time": sum(1 for e in advisers if e.adviser_type == "full_time"),
            "part_time": sum(1 for e in advisers if e.adviser_type == "part_time"),
            "firms": sorted({e.firm for e in advisers if e.firm}),
            "meetings_attended": _sum(e.meetings_attended for e in advisers),
        },
        "committee_meetings": {
            "count": len(committee),
            "dates": sorted(e.occurred_on.isoformat() for e in committee if e.occurred_on),
            "subjects": [s for e in sorted(committee, key=lambda e: e.occurred_on or date.min) for s in e.subjects],
        },
        "disputes": {
            "reconsideration": sum(1 for e in disputes if e.dispute_type == "reconsideration"),
            "litigation": sum(1 for e in disputes if e.dispute_type == "litigation"),
            "by_outcome": {o: n for o in OUTCOME_NAMES if (n := sum(1 for e in disputes if e.outcome == o))},
        },
    }


def public_activities(totals: dict[str, Any]) -> dict[str, Any]:
    """The register's totals as the public reads them: counts and dates, not the committee meetings' subjects,
    which are staff free text (a subject may name a party); the public reads them only in the approved sections."""
    committee = totals.get("committee_meetings")
    if not isinstance(committee, dict):
        return totals
    return {**totals, "committee_meetings": {k: v for k, v in committee.items() if k != "subjects"}}
