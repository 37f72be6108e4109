"""Whether a case's legal review (法制审核) came before its decision, judged from its stage changes in order."""

from __future__ import annotations

from services.cases.domain.stages import Stage
from services.cases.domain.statistics import empty_report, reviewed_before_decision


def test_a_review_counts_only_before_the_decision() -> None:
    reviewed = [(3, Stage.NOTICE), (5, Stage.LEGAL_REVIEW), (7, Stage.COLLECTIVE_DISCUSSION), (9, Stage.DECIDED)]
    assert reviewed_before_decision(reviewed)
    assert not reviewed_before_decision([(3, Stage.NOTICE), (7, Stage.COLLECTIVE_DISCUSSION), (9, Stage.DECIDED)])
    assert not reviewed_before_decision([(9, Stage.DECIDED), (12, Stage.LEGAL_REVIEW)])
    # sent back by a disagreeing review and reviewed again: still before the decision
    again = [(4, Stage.LEGAL_REVIEW), (5, Stage.INVESTIGATING), (8, Stage.LEGAL_REVIEW), (9, Stage.DECIDED)]
    assert reviewed_before_decision(again)
    assert not reviewed_before_decision([])


def test_the_report_always_carries_the_legal_review_counts() -> None:
    report = empty_report(2021, None)
    assert (report["legal_reviews_required"], report["legal_reviews_before_decision"]) == (0, 0)
