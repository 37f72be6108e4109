"""Pure rules of the corrected legal answers: hearing amounts as dated data, who may do the legal review, the
bureau's review meeting for every penalty case."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from services.cases.domain.hearing import HearingThresholds, large_amount_grounds, load_hearing_thresholds
from services.cases.domain.legal_review import may_review, qualification_required
from services.cases.domain.stages import (
    CaseFacts,
    IllegalTransition,
    Stage,
    Thresholds,
    check_transition,
    hearing_grounds,
)
from services.cases.settings import DATA_DIR

pytestmark = pytest.mark.unit

NATIONAL = HearingThresholds(national=load_hearing_thresholds(DATA_DIR / "hearing_thresholds.json"))
LAW_IN_FORCE = date(2021, 7, 15)


def grounds(day: date, *, fine: int = 0, confiscation: int = 0, individual: bool = False) -> list[str]:
    row = NATIONAL.in_force(day)
    assert row is not None
    return large_amount_grounds(row, individual=individual, fine_fen=fine, confiscation_fen=confiscation)


def test_fine_and_confiscation_are_each_compared_never_added() -> None:
    # An organisation, 2023 amounts: ¥150,000 fine + ¥100,000 confiscation = ¥250,000, yet neither is large.
    assert grounds(date(2024, 3, 1), fine=15_000_000, confiscation=10_000_000) == []
    assert grounds(date(2024, 3, 1), fine=20_000_000) == ["large_fine"]
    assert grounds(date(2024, 3, 1), confiscation=20_000_000) == ["large_confiscation"]
    assert grounds(date(2024, 3, 1), fine=19_999_999, confiscation=19_999_999) == []
    assert grounds(date(2024, 3, 1), fine=500_000, individual=True) == ["large_fine"]
    assert grounds(date(2024, 3, 1), fine=499_999, confiscation=499_999, individual=True) == []


def test_the_notice_date_picks_the_row() -> None:
    # Before 2023-07-01 the bureau applied ¥50,000 for organisations (unconfirmed: marked so in the data).
    before, after = NATIONAL.in_force(date(2023, 6, 30)), NATIONAL.in_force(date(2023, 7, 1))
    assert before is not None
    assert after is not None
    assert (before.fine.organisation_fen, before.confirmed) == (5_000_000, False)
    assert (after.fine.organisation_fen, after.confiscation.organisation_fen, after.confirmed) == (
        20_000_000,
        20_000_000,
        True,
    )
    assert grounds(date(2023, 6, 30), fine=6_000_000) == ["large_fine"]
    assert grounds(date(2023, 7, 1), fine=6_000_000) == []
    assert NATIONAL.in_force(date(2010, 2, 28)) is None


def write_table(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"rows": rows}), encoding="utf-8")
    return path


def local_row(effective_from: str, organisation_fen: int, **extra: object) -> dict[str, object]:
    amounts = {"individual_fen": 300_000, "organisation_fen": organisation_fen}
    return {
        "effective_from": effective_from,
        "basis": "某市地方性法规",
        "fine": amounts,
        "confiscation": amounts,
        **extra,
    }


def test_a_local_rule_wins_while_in_force(tmp_path: Path) -> None:
    local = load_hearing_thresholds(
        write_table(tmp_path / "local.json", [local_row("2024-01-01", 10_000_000, effective_until="2024-12-31")]),
        local=True,
    )
    table = replace(NATIONAL, local=local)
    in_force = table.in_force(date(2024, 12, 31))
    assert in_force is not None
    assert in_force.local
    assert in_force.fine.organisation_fen == 10_000_000
    assert table.in_force(date(2023, 12, 31)) == NATIONAL.in_force(date(2023, 12, 31))
    assert table.in_force(date(2025, 1, 1)) == NATIONAL.in_force(date(2025, 1, 1))


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [local_row("2024-01-01", 0)],
        [local_row("2024-01-01", 100, confirmed="yes")],
        [local_row("2024-01-01", 100, effective_until="2023-12-31")],
        [{"effective_from": "2024-01-01"}],
    ],
)
def test_a_broken_hearing_table_is_a_clear_error(tmp_path: Path, rows: list[dict[str, object]]) -> None:
    with pytest.raises(ValueError, match="hearing threshold table"):
        load_hearing_thresholds(write_table(tmp_path / "bad.json", rows))


def test_other_grounds_stay_whatever_the_amounts() -> None:
    facts = CaseFacts(stage=Stage.NOTICE, hearing_threshold=NATIONAL.in_force(date(2024, 1, 1)))
    assert hearing_grounds(facts) == []
    assert hearing_grounds(replace(facts, licence_revocation=True)) == ["licence_revocation"]
    assert hearing_grounds(replace(facts, production_halt=True)) == ["production_halt"]


@pytest.mark.parametrize(
    ("started_on", "required"),
    [
        (date(2021, 7, 14), False),  # already doing the work when §58 ¶2 took effect: 老人老办法
        (date(2015, 3, 1), False),
        (LAW_IN_FORCE, True),  # first took it up under the revised law: 新人新办法
        (date(2023, 1, 9), True),
        (None, True),  # no start recorded: counts as starting now
    ],
)
def test_the_qualification_is_required_of_those_who_first_take_up_the_work(
    started_on: date | None, required: bool
) -> None:
    assert qualification_required(started_on, required_from=LAW_IN_FORCE) is required
    assert may_review(False, started_on, required_from=LAW_IN_FORCE) is not required
    assert may_review(True, started_on, required_from=LAW_IN_FORCE)


REVIEWED = CaseFacts(
    stage=Stage.LEGAL_REVIEW,
    investigators=("a", "b"),
    reviewer="c",
    proposed_fine_fen=100_000,
    legal_opinion="agree",
    hearing_threshold=NATIONAL.in_force(date(2021, 9, 1)),
)


def test_every_penalty_case_goes_to_the_review_meeting_when_the_bureau_says_so() -> None:
    practice = replace(REVIEWED, every_penalty_to_meeting=True)
    with pytest.raises(IllegalTransition) as refused:
        check_transition(practice, Stage.DECIDED, today=date(2021, 9, 9), thresholds=Thresholds())
    assert refused.value.missing_step == "collective_discussion"
    assert "every filed penalty case" in refused.value.detail
    discussed = replace(practice, stage=Stage.COLLECTIVE_DISCUSSION, meeting_id="m")
    check_transition(discussed, Stage.DECIDED, today=date(2021, 9, 9), thresholds=Thresholds())
    check_transition(REVIEWED, Stage.DECIDED, today=date(2021, 9, 9), thresholds=Thresholds())  # setting off
