"""Serious-pollution thresholds (严重污染环境, 法释〔2023〕7号), kept as data: which ones a case's facts meet.

A met threshold is only a hint that a referral to the police should be considered; the head decides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ThresholdRule:
    key: str
    label: str
    minimum: float
    substances: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ThresholdTable:
    source: str
    effective_from: date
    rules: tuple[ThresholdRule, ...]


def load_thresholds(path: Path) -> ThresholdTable:
    """Read the operator-editable JSON table; a malformed file raises ``ValueError`` naming the problem."""
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        rules = tuple(
            ThresholdRule(
                key=str(r["key"]),
                label=str(r["label"]),
                minimum=float(r["min"]),
                substances=frozenset(r.get("substances", ())),
            )
            for r in raw["rules"]
        )
        return ThresholdTable(str(raw["source"]), date.fromisoformat(raw["effective_from"]), rules)
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"threshold table {path}: {exc}") from exc


def threshold_hints(table: ThresholdTable, facts: dict[str, Any]) -> list[str]:
    """Labels of the thresholds the facts meet, e.g. ``{"hazardous_waste_tonnes": 4.2}`` → the 3 t rule."""
    hints: list[str] = []
    for rule in table.rules:
        if rule.substances:
            multiples: dict[str, float] = facts.get(rule.key) or {}
            met = any(multiples.get(s, 0) >= rule.minimum for s in rule.substances)
        else:
            value = facts.get(rule.key)
            met = value is not None and float(value) >= rule.minimum
        if met:
            hints.append(rule.label)
    return hints
