"""The random draw (双随机抽查) as a pure function of its revealed inputs, and the periods draws are made for.

Anyone can recompute a draw from what the bureau publishes: the seed (revealed after the draw, its SHA-256
committed before), the optional public entropy given at execution, and the frozen inputs. The algorithm, stated in
``services/cases/README.md``:

1. ``key = seed`` when no public entropy is given, else ``SHA-256(seed ‖ UTF-8(entropy))``.
2. ``rank(label) = HMAC-SHA256(key, UTF-8(label))`` read as a big-endian unsigned integer.
3. Entities: every eligible entity (the category's registry minus the excluded ones) ranked by
   ``rank("entity:" + entity_id)``; the ``count`` lowest are drawn, in rank order.
4. Officers, per drawn entity: the pool minus the officers conflicted with that entity; when at least two remain
   without the officers of the entity's last inspection, those are left out too. Candidates are ranked by
   ``rank("officer:" + entity_id + ":" + officer_id)`` and the two lowest are assigned.

Ranking by a keyed hash is a uniform random permutation for anyone who does not know the key (HMAC as a
pseudo-random function), and the result does not depend on the order the ids are listed in.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

OFFICERS_PER_INSPECTION = 2


class EntityCategory(StrEnum):
    """监管对象类别."""

    KEY_POLLUTER = "key_polluter"  # 重点排污单位
    ORDINARY = "ordinary"  # 一般排污单位
    SPECIAL = "special"  # 特殊监管对象


class PeriodKind(StrEnum):
    """抽查周期."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


def period_range(kind: PeriodKind, year: int, number: int | None) -> tuple[date, date]:
    """[first day, last day] of month ``number`` (1–12), quarter ``number`` (1–4) or the year."""
    if kind == PeriodKind.YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    if number is None:
        raise ValueError(f"a {kind.value} draw needs its number")
    months = MONTHS[kind]
    first_month = (number - 1) * months + 1
    start = date(year, first_month, 1)
    after = date(year + 1, 1, 1) if first_month + months > 12 else date(year, first_month + months, 1)
    return start, after - timedelta(days=1)


@dataclass(frozen=True)
class DrawInputs:
    """What a draw is computed from, frozen when the draw is created and published with its commitment."""

    entities: Sequence[str]  # the category's registry, every entity, in id order
    excluded: Mapping[str, str]  # entity id → why it is not eligible this time
    officers: Sequence[str]  # the pool: active, credentialed, not on leave, in id order
    conflicts: Mapping[str, Sequence[str]] = field(default_factory=dict)  # entity id → conflicted officers
    last_officers: Mapping[str, Sequence[str]] = field(default_factory=dict)  # entity id → last inspection's
    count: int = 0

    def eligible(self) -> list[str]:
        return sorted(e for e in set(self.entities) if e not in self.excluded)


@dataclass(frozen=True)
class Assignment:
    entity_id: str
    officer_ids: tuple[str, str]


def draw_key(seed: bytes, public_entropy: str | None = None) -> bytes:
    if not public_entropy:
        return seed
    return hashlib.sha256(seed + public_entropy.encode("utf-8")).digest()


def commitment(seed: bytes) -> str:
    """The SHA-256 (hex) published before the draw; the revealed seed must hash to it."""
    return hashlib.sha256(seed).hexdigest()


def rank(key: bytes, label: str) -> int:
    return int.from_bytes(hmac.new(key, label.encode("utf-8"), hashlib.sha256).digest(), "big")


def officers_for(inputs: DrawInputs, entity_id: str) -> list[str]:
    """The officers who may inspect ``entity_id``: not conflicted; not its last inspectors, where the pool allows."""
    conflicted = set(inputs.conflicts.get(entity_id, ()))
    allowed = sorted(o for o in set(inputs.officers) if o not in conflicted)
    last = set(inputs.last_officers.get(entity_id, ()))
    fresh = [o for o in allowed if o not in last]
    return fresh if len(fresh) >= OFFICERS_PER_INSPECTION else allowed


def understaffed(inputs: DrawInputs) -> list[str]:
    """Eligible entities with fewer than two officers allowed to inspect them: a draw cannot be made for them."""
    return [e for e in inputs.eligible() if len(officers_for(inputs, e)) < OFFICERS_PER_INSPECTION]


def draw(key: bytes, inputs: DrawInputs) -> list[Assignment]:
    """The drawn entities in rank order, each with its two officers (see the module docstring)."""
    if understaffed(inputs):
        raise ValueError("fewer than two officers may inspect some eligible entities")
    chosen = sorted(inputs.eligible(), key=lambda e: rank(key, f"entity:{e}"))[: max(inputs.count, 0)]
    result: list[Assignment] = []
    for entity_id in chosen:
        candidates = sorted(officers_for(inputs, entity_id), key=lambda o: rank(key, f"officer:{entity_id}:{o}"))
        result.append(Assignment(entity_id, (candidates[0], candidates[1])))
    return result
