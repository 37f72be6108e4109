"""Decision kinds as dated data (决定种类): penalty or not, disclosure period, Credit China, fine allowed, legal basis.

Both cases (which refuses a fine on a kind that may carry none) and disclosure (which sets the publication due date
and sends penalties to Credit China) read the same table, so a rule change is one edit of one file
(``GREENLAW_DECISION_KINDS_FILE``, default ``shared/data/decision-kinds.yaml``). The entry in force on the decision
date applies. The penalty categories (处罚类别) a decision of a kind carries are here too, one rule for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from shared.bounds import LEGAL_DATE_MIN
from shared.contracts.common import DecisionKind, PenaltyTerms
from shared.settings import ServiceSettings
from shared.yamlfile import load_yaml

DEFAULT_FILE = Path(__file__).parent / "data" / "decision-kinds.yaml"


@dataclass(frozen=True)
class KindRule:
    """One kind's classification from ``effective_from`` on."""

    kind: DecisionKind
    effective_from: date
    administrative_penalty: bool  # 行政处罚 (行政处罚法 §9)
    publication_working_days: int  # 公示期限
    credit_china: bool  # 信用中国 双公示
    fine_allowed: bool  # may the document itself carry a fine or confiscation
    legal_basis: str


class DecisionKindTable:
    """Every kind's entries, ordered by effective date; each kind covered from 1949-10-01 on."""

    def __init__(self, rules: list[KindRule]) -> None:
        by_kind: dict[DecisionKind, list[KindRule]] = {}
        for rule in sorted(rules, key=lambda r: r.effective_from):
            by_kind.setdefault(rule.kind, []).append(rule)
        for kind in DecisionKind:
            entries = by_kind.get(kind)
            if not entries or entries[0].effective_from > LEGAL_DATE_MIN:
                raise ValueError(f"decision kinds: {kind.value} needs an entry in force from {LEGAL_DATE_MIN}")
            dates = [r.effective_from for r in entries]
            if len(set(dates)) != len(dates):
                raise ValueError(f"decision kinds: {kind.value} has two entries with the same effective date")
        self._by_kind = by_kind

    def rule(self, kind: DecisionKind, on: date) -> KindRule:
        """The entry of ``kind`` in force on ``on`` (the decision date)."""
        return [r for r in self._by_kind[kind] if r.effective_from <= on][-1]

    def entries(self, kind: DecisionKind) -> tuple[KindRule, ...]:
        return tuple(self._by_kind[kind])


def parse_table(doc: Any) -> DecisionKindTable:
    if not isinstance(doc, dict) or not isinstance(doc.get("kinds"), dict):
        raise ValueError("decision kinds: the file needs a 'kinds' mapping")
    rules: list[KindRule] = []
    for name, entries in doc["kinds"].items():
        kind = DecisionKind(name)
        for entry in entries or []:
            rules.append(_rule(kind, entry))
    return DecisionKindTable(rules)


def _rule(kind: DecisionKind, entry: Any) -> KindRule:
    if not isinstance(entry, dict) or not isinstance(entry.get("effective_from"), date):
        raise ValueError(f"decision kinds: each {kind.value} entry needs effective_from as a date")
    days = entry.get("publication_working_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366:
        raise ValueError(f"decision kinds: {kind.value} publication_working_days must be 1-366")
    flags = ("administrative_penalty", "credit_china", "fine_allowed")
    if any(not isinstance(entry.get(flag), bool) for flag in flags):
        raise ValueError(f"decision kinds: {kind.value} needs true/false for {', '.join(flags)}")
    basis = entry.get("legal_basis")
    if not isinstance(basis, str) or not basis.strip():
        raise ValueError(f"decision kinds: {kind.value} needs its legal_basis")
    return KindRule(
        kind=kind,
        effective_from=entry["effective_from"],
        administrative_penalty=entry["administrative_penalty"],
        publication_working_days=days,
        credit_china=entry["credit_china"],
        fine_allowed=entry["fine_allowed"],
        legal_basis=basis.strip(),
    )


@lru_cache(maxsize=8)
def load_table(path: Path | None = None) -> DecisionKindTable:
    """The table in ``path`` (the shipped one if unset); read once per path."""
    source = path or DEFAULT_FILE
    return parse_table(load_yaml(source))


def kind_rule(settings: ServiceSettings, kind: DecisionKind, on: date) -> KindRule:
    """The rule of ``kind`` on ``on`` from the table the service is configured with."""
    return load_table(settings.common.decision_kinds_file).rule(kind, on)


def penalty_categories(penalty: PenaltyTerms, kind: DecisionKind, *, restriction_mode: object = None) -> list[str]:
    """处罚类别 as Credit China names them (行政处罚法 §9(四): restricting production and halting it are two).

    Cases states them on the issued decision; disclosure falls back on the same rule for an event without them."""
    categories = []
    if penalty.warning:
        categories.append("警告")
    if penalty.fine_fen:
        categories.append("罚款")
    if penalty.confiscation_fen:
        categories.append("没收违法所得、没收非法财物")
    if penalty.licence_measure:
        categories.append(penalty.licence_measure)
    if kind == DecisionKind.YELLOW_CARD or (kind == DecisionKind.PRODUCTION_RESTRICTION and restriction_mode != "halt"):
        categories.append("限制开展生产经营活动")
    if kind == DecisionKind.PRODUCTION_RESTRICTION and restriction_mode == "halt":
        categories.append("责令停产停业")
    categories.extend(penalty.other_measures)
    return categories or ["其他"]
