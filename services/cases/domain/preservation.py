"""The state of evidence registered and preserved (先行登记保存, 行政处罚法 §56) on a given day."""

from __future__ import annotations

from datetime import date


def preservation_status(disposed_on: date | None, dispose_by: date, *, on: date) -> str:
    """disposed; lapsed once the 7 working days ran out without a disposal (失效); preserved meanwhile."""
    if disposed_on is not None:
        return "disposed"
    return "lapsed" if on > dispose_by else "preserved"
