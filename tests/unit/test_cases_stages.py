"""The case stage machine: every edge, every guard, and the missing step each refusal names."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.cases.domain.hearing import load_hearing_thresholds
from services.cases.domain.stages import (
    EDGES,
    CaseFacts,
    IllegalTransition,
    Stage,
    Thresholds,
    check_transition,
    collective_discussion_required,
    hearing_rights,
    legal_review_required,
)
from services.cases.settings import DATA_DIR

pytestmark = pytest.mark.unit

T = Thresholds()
# The 2023 amounts (individual ¥5,000, organisation ¥200,000), as the handler picks them by the notice's date.
HEARING_2023 = load_hearing_thresholds(DATA_DIR / "hearing_thresholds.json")[-1]
TODAY = date(2021, 9, 1)
BASE = CaseFacts(stage=Stage.FILED, investigators=("a", "b"))


def refused(facts: CaseFacts, target: Stage, today: date = TODAY) -> str:
    with pytest.raises(IllegalTransition) as info:
        check_transition(facts, target, today=today, thresholds=T)
    return info.value.missing_step


def allowed(facts: CaseFacts, target: Stage, today: date = TODAY) -> None:
    check_transition(facts, target, today=today, thresholds=T)


@pytest.mark.parametrize("source", list(Stage))
@pytest.mark.parametrize("target", list(Stage))
def test_edges_outside_the_table_are_refused_naming_the_next_step(source: Stage, target: Stage) -> None:
    if target in EDGES[source]:
        return
    step = refused(replace(BASE, stage=source), target)
    assert step  # always names what comes next (or "none" for a closed case)
    if EDGES[source]:
        assert all(part in {s.value for s in EDGES[source]} for part in step.split("|"))


def test_closed_is_terminal() -> None:
    assert EDGES[Stage.CLOSED] == frozenset()
    assert refused(replace(BASE, stage=Stage.CLOSED), Stage.INVESTIGATING) == "none"


def test_investigation_needs_two_investigators() -> None:
    assert refused(replace(BASE, investigators=("a",)), Stage.INVESTIGATING) == "assign_investigators"
    assert refused(replace(BASE, investigators=("a", "a")), Stage.INVESTIGATING) == "assign_investigators"
    allowed(BASE, Stage.INVESTIGATING)


def test_suspension_round_trip() -> None:
    investigating = replace(BASE, stage=Stage.INVESTIGATING)
    allowed(investigating, Stage.SUSPENDED)
    allowed(replace(investigating, stage=Stage.SUSPENDED), Stage.INVESTIGATING)
    assert refused(replace(investigating, stage=Stage.SUSPENDED), Stage.REVIEW) == "investigating"


def test_the_investigator_is_not_the_reviewer() -> None:
    investigating = replace(BASE, stage=Stage.INVESTIGATING)
    assert refused(investigating, Stage.REVIEW) == "assign_reviewer"
    assert refused(replace(investigating, reviewer="a"), Stage.REVIEW) == "independent_reviewer"
    allowed(replace(investigating, reviewer="c"), Stage.REVIEW)


def test_notice_needs_the_receipt_date() -> None:
    review = replace(BASE, stage=Stage.REVIEW, reviewer="c")
    assert refused(review, Stage.NOTICE) == "serve_notice"
    allowed(replace(review, notice_received_on=TODAY), Stage.NOTICE)


NOTICE = replace(
    BASE,
    stage=Stage.NOTICE,
    reviewer="c",
    notice_received_on=date(2021, 9, 1),
    answer_due_on=date(2021, 9, 8),
    proposed_fine_fen=10_000_000,
    hearing_threshold=HEARING_2023,
)


def test_the_five_working_day_answer_window() -> None:
    assert refused(NOTICE, Stage.DECIDED, today=date(2021, 9, 8)) == "answer_window"
    allowed(NOTICE, Stage.DECIDED, today=date(2021, 9, 9))
    allowed(replace(NOTICE, party_answered=True), Stage.DECIDED, today=date(2021, 9, 2))


def test_hearing_rights_for_large_amounts() -> None:
    organisation = replace(NOTICE, proposed_fine_fen=19_999_999, hearing_requested_on=date(2021, 9, 3))
    assert not hearing_rights(organisation)
    assert refused(organisation, Stage.HEARING) == "no_hearing_right"
    large = replace(organisation, proposed_fine_fen=20_000_000)
    assert hearing_rights(large)
    allowed(replace(large, hearing_request_due_on=date(2021, 9, 8)), Stage.HEARING)
    assert hearing_rights(replace(NOTICE, party_is_individual=True, proposed_fine_fen=500_000))
    assert hearing_rights(replace(NOTICE, proposed_fine_fen=0, licence_revocation=True))
    late = replace(large, hearing_requested_on=date(2021, 9, 9), hearing_request_due_on=date(2021, 9, 8))
    assert refused(late, Stage.HEARING) == "hearing_request_in_time"
    assert refused(replace(large, hearing_requested_on=None), Stage.HEARING) == "hearing_request"


def test_legal_review_guards() -> None:
    after_hearing = replace(NOTICE, stage=Stage.HEARING, proposed_fine_fen=30_000_000, hearing_requested_on=TODAY)
    assert refused(after_hearing, Stage.LEGAL_REVIEW) == "hold_hearing"
    held = replace(after_hearing, hearing_held=True)
    assert legal_review_required(held)
    assert refused(held, Stage.LEGAL_REVIEW) == "qualified_legal_reviewer"
    qualified = replace(held, legal_reviewer_qualified=True)
    assert refused(qualified, Stage.LEGAL_REVIEW) == "legal_opinion"
    allowed(replace(qualified, legal_opinion="agree"), Stage.LEGAL_REVIEW)


def test_legal_review_required_before_decision() -> None:
    complex_notice = replace(NOTICE, complex_case=True)
    assert refused(complex_notice, Stage.DECIDED, today=date(2021, 9, 9)) == "legal_review"
    disagreed = replace(NOTICE, stage=Stage.LEGAL_REVIEW, multi_law=True, legal_opinion="disagree")
    assert refused(disagreed, Stage.DECIDED) == "supplementary_investigation"
    allowed(disagreed, Stage.INVESTIGATING)


@pytest.mark.parametrize(
    "change",
    [
        {"proposed_fine_fen": 50_000_000},
        {"proposed_confiscation_fen": 50_000_000},
        {"licence_revocation": True},
        {"production_halt": True},
        {"head_referred": True},
        {"complex_case": True},
    ],
)
def test_collective_discussion_required(change: dict[str, object]) -> None:
    reviewed = replace(NOTICE, stage=Stage.LEGAL_REVIEW, legal_opinion="agree", **change)  # type: ignore[arg-type]
    assert collective_discussion_required(reviewed, T)
    assert refused(reviewed, Stage.DECIDED) == "collective_discussion"
    assert refused(reviewed, Stage.COLLECTIVE_DISCUSSION) == "review_meeting"
    allowed(replace(reviewed, meeting_id="m"), Stage.COLLECTIVE_DISCUSSION)
    allowed(replace(reviewed, stage=Stage.COLLECTIVE_DISCUSSION, meeting_id="m"), Stage.DECIDED)


def test_below_the_collective_threshold_decides_directly() -> None:
    small = replace(NOTICE, proposed_fine_fen=49_999_999, party_answered=True)
    assert not collective_discussion_required(small, T)
    allowed(small, Stage.DECIDED)


def test_branches_no_penalty_and_transfer() -> None:
    review = replace(BASE, stage=Stage.REVIEW, reviewer="c")
    allowed(review, Stage.NO_PENALTY)
    assert refused(review, Stage.TRANSFERRED) == "referral_request"
    allowed(replace(review, referral_requested=True), Stage.TRANSFERRED)
    allowed(replace(review, stage=Stage.NO_PENALTY), Stage.CLOSED)
    allowed(replace(review, stage=Stage.TRANSFERRED), Stage.CLOSED)


def test_execution_and_closing() -> None:
    served = replace(BASE, stage=Stage.SERVED)
    assert refused(served, Stage.EXECUTING) == "nothing_to_execute"
    allowed(served, Stage.CLOSED)
    owing = replace(served, money_due=True)
    allowed(owing, Stage.EXECUTING)
    assert refused(replace(owing, stage=Stage.EXECUTING), Stage.CLOSED) == "payment"
    allowed(replace(owing, stage=Stage.EXECUTING, paid=True), Stage.CLOSED)


def test_a_requested_hearing_cannot_be_skipped() -> None:
    asked = replace(NOTICE, proposed_fine_fen=20_000_000, hearing_requested_on=date(2021, 9, 3), party_answered=True)
    assert refused(asked, Stage.DECIDED) == "hearing"
    assert (
        refused(replace(asked, legal_reviewer_qualified=True, legal_opinion="agree"), Stage.LEGAL_REVIEW) == "hearing"
    )
    small = replace(asked, proposed_fine_fen=1_000)  # no hearing right: the request does not bind
    allowed(small, Stage.DECIDED)
