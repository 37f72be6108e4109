"""Who may do the legal review (法制审核) of a penalty decision (行政处罚法 §58 ¶2).

Those who **first** take up the review work (初次从事) must hold the national legal qualification; those already
doing it when the revised law took effect may go on without it ("老人老办法、新人新办法").
"""

from __future__ import annotations

from datetime import date


def qualification_required(review_work_started_on: date | None, *, required_from: date) -> bool:
    """Required of whoever started the review work on or after ``required_from`` (the law's effective date, when
    it already applied); an officer without a recorded start date counts as starting now."""
    return review_work_started_on is None or review_work_started_on >= required_from


def may_review(qualified: bool, review_work_started_on: date | None, *, required_from: date) -> bool:
    return qualified or not qualification_required(review_work_started_on, required_from=required_from)
