"""The cases README: its routes, its procedure table and its worked example are what the code says."""

from __future__ import annotations

import dataclasses

import pytest

from services.cases.domain.stages import EDGES, CaseFacts, Stage
from services.catalogue import service
from services.ops import docs, procedure
from services.ops.openapi import default_app

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", ["routes", "stages", "whole-case"])
def test_the_generated_blocks_are_current(name: str) -> None:
    text = docs.CASES_README.read_text(encoding="utf-8")
    expected = docs.render_cases_readme(text)
    assert docs.block(text, name) == docs.block(expected, name), (
        f"services/cases/README.md's {name} block is stale: run `greenlaw docs` and commit the README"
    )


def test_the_example_is_shown_verbatim() -> None:
    text = docs.CASES_README.read_text(encoding="utf-8")
    shown = docs.block(text, "whole-case").removeprefix("```python\n").removesuffix("\n```")
    assert shown == docs.WHOLE_CASE.read_text(encoding="utf-8").rstrip("\n")


@pytest.fixture(scope="module")
def rows() -> list[procedure.Row]:
    from services.cases.handlers.transitions import VIA_DOCUMENT

    return procedure.rows(default_app(service("cases")), dict(VIA_DOCUMENT))


def test_every_edge_of_the_stage_machine_is_a_row(rows: list[procedure.Row]) -> None:
    assert {(row.source, row.target) for row in rows} == {(s, t) for s, targets in EDGES.items() for t in targets}


def test_a_row_says_what_the_machine_asks_in_its_order(rows: list[procedure.Row]) -> None:
    [row] = [r for r in rows if (r.source, r.target) == (Stage.NOTICE, Stage.LEGAL_REVIEW)]
    assert [r.missing_step for r in row.always] == ["answer_window", "qualified_legal_reviewer", "legal_opinion"]
    assert row.fields == ("to", "on", "party_answered_on", "legal_reviewer_id", "legal_opinion")
    assert row.route == "POST /api/v1/cases/{case_id}/transitions"
    assert row.roles == ("head", "legal_reviewer", "officer")
    assert [r.missing_step for _, r in row.conditional] == ["hearing"]


def test_head_only_steps_and_document_steps(rows: list[procedure.Row]) -> None:
    by_edge = {(r.source, r.target): r for r in rows}
    assert by_edge[Stage.SERVED, Stage.CLOSED].roles == ("head",)
    assert [r.missing_step for _, r in by_edge[Stage.SERVED, Stage.CLOSED].conditional] == ["payment"]
    decided = by_edge[Stage.COLLECTIVE_DISCUSSION, Stage.DECIDED]
    assert decided.route == "POST /api/v1/cases/decisions"
    assert decided.fields == ()


def test_a_refusal_the_table_cannot_meet_stops_the_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(procedure.MEETS, "review_meeting")
    facts = dataclasses.replace(CaseFacts(stage=Stage.LEGAL_REVIEW), legal_opinion="agree")
    with pytest.raises(LookupError, match="review_meeting"):
        list(procedure.refusals(facts, Stage.COLLECTIVE_DISCUSSION))
