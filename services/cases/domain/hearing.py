"""听证权 amounts (行政处罚法 §63), kept as dated data: which amounts are "large" on the notice's date.

A large fine and a large confiscation are separate grounds, each compared with its own threshold, never added.
The amounts changed with the 2023 measures and a local rule takes precedence (地方性法规、规章另有规定的，从其
规定), so the national table and an operator's local table are both dated rows; a local row in force wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Amounts:
    """From this amount (fen) on, a fine or a confiscation is large (较大数额)."""

    individual_fen: int
    organisation_fen: int

    def for_party(self, *, individual: bool) -> int:
        return self.individual_fen if individual else self.organisation_fen


@dataclass(frozen=True)
class HearingThreshold:
    """One dated row: in force from ``effective_from`` to ``effective_until`` (inclusive; open if absent)."""

    effective_from: date
    fine: Amounts
    confiscation: Amounts
    basis: str
    confirmed: bool = True
    local: bool = False
    effective_until: date | None = None

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)


@dataclass(frozen=True)
class HearingThresholds:
    national: tuple[HearingThreshold, ...]
    local: tuple[HearingThreshold, ...] = ()

    def in_force(self, day: date) -> HearingThreshold | None:
        """The local row in force on ``day`` if there is one, else the national one; ``None`` before every row."""
        for rows in (self.local, self.national):
            found = [row for row in rows if row.in_force(day)]
            if found:
                return max(found, key=lambda row: row.effective_from)
        return None


def large_amount_grounds(row: HearingThreshold, *, individual: bool, fine_fen: int, confiscation_fen: int) -> list[str]:
    """``large_fine`` and/or ``large_confiscation``: each amount against its own threshold (§63 ¶1 (一))."""
    grounds = []
    if fine_fen >= row.fine.for_party(individual=individual):
        grounds.append("large_fine")
    if confiscation_fen >= row.confiscation.for_party(individual=individual):
        grounds.append("large_confiscation")
    return grounds


def load_hearing_thresholds(path: Path, *, local: bool = False) -> tuple[HearingThreshold, ...]:
    """Read an operator-editable JSON table; a malformed file raises ``ValueError`` naming the problem."""
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        rows = tuple(_row(r, local=local) for r in raw["rows"])
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"hearing threshold table {path}: {exc}") from exc
    if not rows:
        raise ValueError(f"hearing threshold table {path}: no rows")
    return rows


def _row(raw: dict[str, Any], *, local: bool) -> HearingThreshold:
    until = raw.get("effective_until")
    row = HearingThreshold(
        effective_from=date.fromisoformat(raw["effective_from"]),
        fine=_amounts(raw["fine"]),
        confiscation=_amounts(raw["confiscation"]),
        basis=str(raw["basis"]),
        confirmed=_flag(raw.get("confirmed", True)),
        local=local,
        effective_until=date.fromisoformat(until) if until is not None else None,
    )
    if row.effective_until is not None and row.effective_until < row.effective_from:
        raise ValueError(f"row from {row.effective_from}: effective_until is before effective_from")
    return row


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"confirmed must be true or false, not {value!r}")
    return value


def _amounts(raw: dict[str, Any]) -> Amounts:
    amounts = Amounts(individual_fen=int(raw["individual_fen"]), organisation_fen=int(raw["organisation_fen"]))
    if min(amounts.individual_fen, amounts.organisation_fen) <= 0:
        raise ValueError("amounts must be positive (fen)")
    return amounts
