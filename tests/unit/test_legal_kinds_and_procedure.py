"""Pure rules of the decision kinds (dated data) and of the procedure: simple procedure, time bar, evidence
preservation, hearing notice."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.cases.domain import deadlines as d
from services.cases.domain.simple_procedure import SimpleProcedureLimits, simple_procedure_refusal
from shared.contracts.common import DecisionKind, PartyType, PenaltyTerms
from shared.decision_kinds import load_table, parse_table
from shared.workdays import WorkCalendar

pytestmark = pytest.mark.unit

CAL = WorkCalendar()
L = d.Limits()
TABLE = load_table()
IN_FORCE = date(2021, 7, 15)  # 行政处罚法 (2021)


@pytest.mark.parametrize("kind", [DecisionKind.YELLOW_CARD, DecisionKind.PRODUCTION_RESTRICTION])
def test_restricting_production_is_a_penalty_from_the_2021_law_on(kind: DecisionKind) -> None:
    before, on = TABLE.rule(kind, date(2021, 7, 14)), TABLE.rule(kind, IN_FORCE)
    assert (before.administrative_penalty, before.publication_working_days, before.credit_china) == (False, 20, False)
    assert (on.administrative_penalty, on.publication_working_days, on.credit_china) == (True, 7, True)
    assert "第九条第四项" in on.legal_basis
    assert not before.fine_allowed  # the fine is always a separate penalty decision
    assert not on.fine_allowed


def test_every_kind_is_covered_from_the_api_s_first_date() -> None:
    for kind in DecisionKind:
        assert TABLE.rule(kind, date(1949, 10, 1)).kind == kind
    assert [k for k in DecisionKind if TABLE.rule(k, date(2030, 1, 1)).fine_allowed] == [
        DecisionKind.PENALTY,
        DecisionKind.DAILY_PENALTY,
    ]


def _entry(**changes: Any) -> dict[str, Any]:
    entry = {"effective_from": date(1949, 10, 1), "administrative_penalty": True, "publication_working_days": 7,
             "credit_china": True, "fine_allowed": True, "legal_basis": "依据"}  # fmt: skip
    return {**entry, **changes}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"effective_from": date(1996, 10, 1)}, "in force from 1949-10-01"),
        ({"publication_working_days": 0}, "1-366"),
        ({"credit_china": "yes"}, "true/false"),
        ({"legal_basis": " "}, "legal_basis"),
        ({"effective_from": "2021-07-15"}, "as a date"),
    ],
)
def test_a_broken_table_is_refused(change: dict[str, Any], message: str) -> None:
    doc = {"kinds": {kind.value: [_entry()] for kind in DecisionKind}}
    doc["kinds"]["yellow_card"] = [_entry(**change)]
    with pytest.raises(ValueError, match=message):
        parse_table(doc)


def test_two_entries_on_one_date_are_refused() -> None:
    doc = {"kinds": {kind.value: [_entry()] for kind in DecisionKind}}
    doc["kinds"]["penalty"] = [_entry(), _entry()]
    with pytest.raises(ValueError, match="same effective date"):
        parse_table(doc)


LIMITS = SimpleProcedureLimits()


@pytest.mark.parametrize(
    ("party_type", "fine_fen", "allowed"),
    [
        (PartyType.INDIVIDUAL, 20_000, True),  # ¥200 for a citizen: the worked example
        (PartyType.INDIVIDUAL, 20_001, False),
        (PartyType.SOLE_TRADER, 20_001, False),  # a sole trader keeps the citizen's ceiling
        (PartyType.ORGANISATION, 300_000, True),  # ¥3,000 for an organisation
        (PartyType.ORGANISATION, 300_001, False),
    ],
)
def test_simple_procedure_fine_ceilings(party_type: PartyType, fine_fen: int, allowed: bool) -> None:
    refusal = simple_procedure_refusal(DecisionKind.PENALTY, party_type, PenaltyTerms(fine_fen=fine_fen), LIMITS)
    assert (refusal is None) is allowed


def test_simple_procedure_allows_a_warning_and_nothing_but_a_warning_or_a_fine() -> None:
    assert (
        simple_procedure_refusal(DecisionKind.PENALTY, PartyType.ORGANISATION, PenaltyTerms(warning=True), LIMITS)
        is None
    )
    for terms in (
        PenaltyTerms(),
        PenaltyTerms(fine_fen=100, confiscation_fen=100),
        PenaltyTerms(other_measures=["停产"]),
    ):
        assert simple_procedure_refusal(DecisionKind.PENALTY, PartyType.INDIVIDUAL, terms, LIMITS) is not None
    assert simple_procedure_refusal(DecisionKind.YELLOW_CARD, PartyType.INDIVIDUAL, PenaltyTerms(warning=True), LIMITS)


@pytest.mark.parametrize(
    ("committed", "ended", "harm", "last_day"),
    [
        (date(2019, 6, 1), None, False, date(2021, 6, 1)),  # 2 years; the start day is not counted
        (date(2016, 1, 1), date(2020, 3, 1), False, date(2022, 3, 1)),  # continuing: from its end
        (date(2019, 6, 1), None, True, date(2024, 6, 1)),  # harm to life, health or finance: 5 years
        (date(2020, 2, 29), None, False, date(2022, 2, 28)),
    ],
)
def test_time_bar(committed: date, ended: date | None, harm: bool, last_day: date) -> None:
    assert d.time_bar_ends_on(committed, ended, serious_harm=harm, limits=L) == last_day


def test_time_bar_does_not_move_to_a_working_day() -> None:
    assert d.time_bar_ends_on(date(2019, 10, 2), None, serious_harm=False, limits=L) == date(2021, 10, 2)  # holiday


def test_preserved_evidence_is_disposed_of_within_seven_working_days() -> None:
    # National Day 2021: Oct 1–7 off, Saturday Oct 9 a make-up working day (domain §0's check).
    assert d.preservation_due(CAL, date(2021, 9, 28), limits=L).due_on == date(2021, 10, 13)
    assert d.preservation_due(CAL, date(2021, 6, 1), limits=L).due_on == date(2021, 6, 10)


def test_the_hearing_is_at_least_seven_working_days_after_its_notice() -> None:
    # Spring Festival 2021: Feb 11–17 off, Saturday Feb 20 a make-up working day.
    assert d.earliest_hearing(CAL, date(2021, 2, 8), limits=L).due_on == date(2021, 2, 23)
    assert d.earliest_hearing(CAL, date(2021, 4, 9), limits=L).due_on == date(2021, 4, 20)
