"""The referral step machine (domain §4): what each step needs first, and what it leads to."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.referral.domain.steps import Decision, IllegalStep, Status, Step, StepContext, next_status

pytestmark = pytest.mark.unit


def walk(*steps: tuple[Step, Decision | None], context: StepContext | None = None) -> Status:
    status = Status.APPROVED
    for step, decision in steps:
        status = next_status(status, step, decision=decision, context=context)
    return status


def test_the_usual_path_transfer_receipt_acceptance() -> None:
    assert walk((Step.TRANSFER, None)) is Status.TRANSFERRED
    assert walk((Step.TRANSFER, None), (Step.RECEIPT, None)) is Status.RECEIVED
    accepted = walk((Step.TRANSFER, None), (Step.RECEIPT, None), (Step.DECISION, Decision.ACCEPTED))
    assert accepted is Status.ACCEPTED
    assert next_status(accepted, Step.EXHIBITS_HANDOVER) is Status.ACCEPTED


def test_incomplete_file_is_supplemented_then_decided() -> None:
    status = walk((Step.TRANSFER, None), (Step.RECEIPT, None), (Step.INCOMPLETE_NOTICE, None))
    assert status is Status.SUPPLEMENT_REQUESTED
    with pytest.raises(IllegalStep):
        next_status(status, Step.DECISION, decision=Decision.ACCEPTED)  # decide on the complete file only
    assert next_status(status, Step.DECISION, decision=Decision.RETURNED) is Status.RETURNED
    assert next_status(status, Step.SUPPLEMENT) is Status.RECEIVED


def test_refusal_reconsideration_then_supervision() -> None:
    declined = walk((Step.TRANSFER, None), (Step.RECEIPT, None), (Step.DECISION, Decision.DECLINED))
    asked = next_status(declined, Step.RECONSIDERATION)
    assert asked is Status.RECONSIDERATION
    with pytest.raises(IllegalStep):
        next_status(asked, Step.DECISION, decision=Decision.RETURNED)
    upheld = next_status(asked, Step.DECISION, decision=Decision.DECLINED)
    answered = StepContext(reconsidered=True)
    with pytest.raises(IllegalStep):
        next_status(upheld, Step.RECONSIDERATION, context=answered)  # asked once
    supervised = next_status(upheld, Step.SUPERVISION, context=answered)
    assert next_status(supervised, Step.DECISION, decision=Decision.ACCEPTED, context=answered) is Status.ACCEPTED
    with pytest.raises(IllegalStep, match="once"):
        next_status(upheld, Step.SUPERVISION, context=StepContext(reconsidered=True, supervised=True))


def test_refusal_straight_to_supervision() -> None:
    # 国务院令310 §9: the bureau may suggest procuratorate supervision without asking for reconsideration first.
    declined = walk((Step.TRANSFER, None), (Step.RECEIPT, None), (Step.DECISION, Decision.DECLINED))
    supervised = next_status(declined, Step.SUPERVISION)
    assert supervised is Status.SUPERVISION
    with pytest.raises(IllegalStep):
        next_status(supervised, Step.RECONSIDERATION)  # nothing but the police's answer while supervised
    asked = StepContext(supervised=True)
    upheld = next_status(supervised, Step.DECISION, decision=Decision.DECLINED, context=asked)
    for step in (Step.SUPERVISION, Step.RECONSIDERATION):  # supervision once; no reconsideration after it
        with pytest.raises(IllegalStep):
            next_status(upheld, step, context=asked)
    assert next_status(supervised, Step.DECISION, decision=Decision.ACCEPTED, context=asked) is Status.ACCEPTED


def test_illegal_steps_name_what_is_missing() -> None:
    with pytest.raises(IllegalStep) as caught:
        next_status(Status.TRANSFERRED, Step.DECISION, decision=Decision.ACCEPTED)
    assert "receipt" in caught.value.missing
    with pytest.raises(IllegalStep) as caught:
        next_status(Status.APPROVED, Step.RECEIPT)
    assert "transfer" in caught.value.missing
    with pytest.raises(IllegalStep):
        next_status(Status.ACCEPTED, Step.EXHIBITS_HANDOVER, context=StepContext(exhibits_handed_over=True))
    with pytest.raises(IllegalStep):
        next_status(Status.RECEIVED, Step.DECISION)  # a decision step needs the decision


STEPS = st.tuples(st.sampled_from(list(Step)), st.sampled_from([None, *Decision]), st.booleans(), st.booleans())


@given(st.lists(STEPS, max_size=30))
def test_any_sequence_either_moves_to_a_status_or_is_refused(sequence: list) -> None:
    """Whatever is tried, the machine stays inside its statuses; police-only outcomes follow a receipt."""
    status, seen = Status.APPROVED, [Status.APPROVED]
    for step, decision, reconsidered, handed_over in sequence:
        context = StepContext(reconsidered=reconsidered, exhibits_handed_over=handed_over)
        try:
            status = next_status(status, step, decision=decision, context=context)
        except IllegalStep as refused:
            missing = refused.missing
            assert missing
            continue
        seen.append(status)
        assert isinstance(status, Status)
    for earlier, later in itertools.pairwise(seen):
        if later in {Status.ACCEPTED, Status.DECLINED} and earlier is not later:
            assert earlier in {Status.RECEIVED, Status.RECONSIDERATION, Status.SUPERVISION}
        if later is Status.APPROVED:
            raise AssertionError("nothing leads back to approval")
