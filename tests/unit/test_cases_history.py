"""The case history's actions: a closed set, written and read back in the audit log's one stored form."""

from __future__ import annotations

import pytest

from services.cases.domain.history import CaseAction, read_action, stored_action
from services.cases.domain.stages import Stage


def test_a_stage_change_is_stored_with_both_stages_and_read_back() -> None:
    stored = stored_action(CaseAction.STAGE_CHANGED, from_stage=Stage.DECIDED, to_stage=Stage.SERVED)
    assert stored == "stage:decided->served"  # the form rows already in the hash-chained log carry
    assert read_action(stored) == (CaseAction.STAGE_CHANGED, Stage.DECIDED, Stage.SERVED)


@pytest.mark.parametrize("action", [a for a in CaseAction if a != CaseAction.STAGE_CHANGED])
def test_every_other_action_round_trips_without_stages(action: CaseAction) -> None:
    assert read_action(stored_action(action)) == (action, None, None)


@pytest.mark.parametrize(
    "stored", ["stage_changed", "stage:decided", "stage:decided->nowhere", "renamed", "stage:->served"]
)
def test_a_form_never_written_is_refused(stored: str) -> None:
    with pytest.raises(ValueError):
        read_action(stored)


def test_a_stage_change_without_its_stages_is_not_written() -> None:
    with pytest.raises(ValueError, match="stage left"):
        stored_action(CaseAction.STAGE_CHANGED, to_stage=Stage.SERVED)
