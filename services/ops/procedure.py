"""The case procedure as a table, read from the stage machine (``services/cases/domain/stages.py``).

Each allowed edge of ``EDGES`` becomes a row. What a step needs is found by asking the machine itself: the edge is
tried on a case with nothing recorded, and each refusal's ``missing_step`` is met (``MEETS`` says with which body
field and which fact) and the edge tried again, until it is allowed. The same is done with one condition at a time
switched on (a complex case, a hearing requested, money due…) to find the steps only such cases need. The route and
the roles come from the cases app's routes, so the table follows the code it describes; a refusal the table does
not know how to meet stops the generator (add it to ``MEETS``).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from services.cases.domain import stages
from services.cases.domain.hearing import Amounts, HearingThreshold
from services.cases.domain.stages import EDGES, HEAD_ONLY, CaseFacts, IllegalTransition, Stage, Thresholds

if TYPE_CHECKING:
    from fastapi import FastAPI

TRANSITION_OPERATION = "transition_case"
PARAMETER = re.compile(r"\{[^}]*\}")
DAY = date(2021, 7, 1)


# A hearing right from the amount alone (§63 ¶1 (一)): licence revocation would also bring collective discussion.
HEARING_RIGHT: dict[str, Any] = {
    "hearing_threshold": HearingThreshold(DAY, Amounts(1, 1), Amounts(1, 1), basis="any amount"),
    "proposed_fine_fen": 1,
}


@dataclass(frozen=True)
class Meet:
    """How a refusal is met: the body fields that record it (none: another route or stage does), the facts they set,
    and whether meeting it means taking another path (the edge stays closed for such a case)."""

    fields: tuple[str, ...] = ()
    facts: dict[str, Any] | None = None
    other_path: bool = False


MEETS: dict[str, Meet] = {
    "assign_investigators": Meet(facts={"investigators": ("a", "b")}),
    "assign_reviewer": Meet(("reviewer_id",), {"reviewer": "r"}),
    "independent_reviewer": Meet(("reviewer_id",), {"reviewer": "r"}),
    "serve_notice": Meet(("notice_received_on",), {"notice_received_on": DAY}),
    "no_hearing_right": Meet(("proposed",), HEARING_RIGHT),
    "hearing_request": Meet(("hearing_requested_on",), {"hearing_requested_on": DAY}),
    "hearing_request_in_time": Meet(("hearing_requested_on",), {"hearing_request_due_on": None}),
    "answer_window": Meet(("party_answered_on",), {"party_answered": True}),
    "hold_hearing": Meet(("hearing_held_on",), {"hearing_held": True}),
    "qualified_legal_reviewer": Meet(("legal_reviewer_id",), {"legal_reviewer_qualified": True}),
    "legal_opinion": Meet(("legal_opinion",), {"legal_opinion": "agree"}),
    "review_meeting": Meet(("meeting_id",), {"meeting_id": "m"}),
    "referral_request": Meet(facts={"referral_requested": True}),
    "nothing_to_execute": Meet(facts={"money_due": True}),
    "payment": Meet(("paid_on",), {"paid": True}),
    "hearing": Meet(other_path=True),
    "legal_review": Meet(other_path=True),
    "collective_discussion": Meet(other_path=True),
    "supplementary_investigation": Meet(other_path=True),
}


def _first_line(function: Any) -> str:
    return str(inspect.getdoc(function) or "").split("\n")[0].rstrip(".")


# Conditions that open further duties, one at a time; their names are the stage machine's own rule texts.
CONDITIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    (_first_line(stages.legal_review_required), {"major_public_interest": True}),
    (_first_line(stages.collective_discussion_required), {"head_referred": True}),
    (
        "本局惯例：立案的处罚案件均上案件审议会 bureau practice, every penalty case to the meeting",
        {"every_penalty_to_meeting": True},
    ),
    ("当事人申请听证 the party asked for a hearing", {"hearing_requested_on": DAY, **HEARING_RIGHT}),
    ("法制审核不同意 the legal review disagreed", {"legal_opinion": "disagree"}),
    ("有罚没款 money is due", {"money_due": True}),
)


@dataclass(frozen=True)
class Refusal:
    missing_step: str
    detail: str
    fields: tuple[str, ...]
    other_path: bool


@dataclass(frozen=True)
class Row:
    source: Stage
    target: Stage
    route: str
    roles: tuple[str, ...]
    fields: tuple[str, ...]
    always: tuple[Refusal, ...]
    conditional: tuple[tuple[str, Refusal], ...]


def _facts(stage: Stage, condition: dict[str, Any]) -> CaseFacts:
    """A case at ``stage`` with nothing recorded, and the bureau's practice off unless the condition is it."""
    return replace(CaseFacts(stage=stage), **condition)


def refusals(facts: CaseFacts, target: Stage) -> Iterator[Refusal]:
    """Every refusal on the way to an allowed ``target``, each met in turn (or the path closed)."""
    seen: set[str] = set()
    while True:
        try:
            stages.check_transition(facts, target, today=DAY, thresholds=Thresholds())
        except IllegalTransition as refused:
            if refused.missing_step in seen or refused.missing_step not in MEETS:
                raise LookupError(f"{facts.stage}→{target}: no way known to meet {refused.missing_step!r}") from None
            seen.add(refused.missing_step)
            meet = MEETS[refused.missing_step]
            yield Refusal(refused.missing_step, refused.detail, meet.fields, meet.other_path)
            if meet.other_path:
                return
            facts = replace(facts, **(meet.facts or {}))
        else:
            return


def rows(app: FastAPI, via_document: dict[Stage, str]) -> list[Row]:
    """One row per edge of the stage machine, in the order of ``Stage``."""
    roles = route_roles(app)
    transition = next(key for key, operation in _operations(app).items() if operation == TRANSITION_OPERATION)
    table = []
    for source in Stage:
        for target in sorted(EDGES[source], key=list(Stage).index):
            route = _named(roles, via_document[target]) if target in via_document else transition
            allowed = ("head",) if target in HEAD_ONLY else roles[route]
            always = tuple(refusals(_facts(source, {}), target))
            known = {r.missing_step for r in always}
            conditional = [
                (label, refusal)
                for label, condition in CONDITIONS
                for refusal in refusals(_facts(source, condition), target)
                if refusal.missing_step not in known
            ]
            fields: tuple[str, ...] = ()
            if target not in via_document:  # a document's route has its own body
                fields = ("to", "on", *dict.fromkeys(f for r in always for f in r.fields))
            table.append(Row(source, target, route, allowed, fields, always, _merged(conditional)))
    return table


def _named(routes: dict[str, Any], route: str) -> str:
    """The app's spelling of ``route`` (its path parameters may be named differently: ``{id}``)."""
    unnamed = PARAMETER.sub("{}", route)
    return next(key for key in routes if PARAMETER.sub("{}", key) == unnamed)


def _merged(items: list[tuple[str, Refusal]]) -> tuple[tuple[str, Refusal], ...]:
    """One entry per refusal; the conditions that lead to the same refusal are named together."""
    labels: dict[str, list[str]] = {}
    refusals_: dict[str, Refusal] = {}
    for label, refusal in items:
        labels.setdefault(refusal.missing_step, []).append(label)
        refusals_.setdefault(refusal.missing_step, refusal)
    return tuple(("；".join(labels[step]), refusal) for step, refusal in refusals_.items())


def _routes(app: FastAPI) -> Iterator[tuple[str, Any]]:
    """``("POST /api/v1/cases/{case_id}/transitions", route)`` for every API route of the app."""
    from fastapi.routing import APIRoute, iter_route_contexts

    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for method in sorted(route.methods or ()):
                yield f"{method} {context.path}", route


def _operations(app: FastAPI) -> dict[str, str]:
    return {key: str(route.operation_id) for key, route in _routes(app)}


def route_roles(app: FastAPI) -> dict[str, tuple[str, ...]]:
    """The roles each route admits (admin always passes, so it is left out), read from its role dependency."""
    return {key: tuple(sorted(_roles(route.dependant))) for key, route in _routes(app)}


def _roles(dependant: Any) -> set[str]:
    # shared.auth.require_roles closes over the roles it admits; the closure is the one record of them.
    roles: set[str] = set()
    for sub in dependant.dependencies:
        if sub.call is not None and inspect.isfunction(sub.call):
            held = inspect.getclosurevars(sub.call).nonlocals.get("roles")
            if held:
                roles |= {str(getattr(role, "value", role)) for role in held}
        roles |= _roles(sub)
    return roles


CHINESE_PART = re.compile(r"\s(?=[A-Z])")


def _said(refusal: Refusal) -> str:
    """The refusal as the 409 names it: its ``missing_step`` and the Chinese half of its detail."""
    chinese = CHINESE_PART.split(refusal.detail, maxsplit=1)[0]
    fields = f" ({', '.join(f'`{f}`' for f in refusal.fields)})" if refusal.fields else ""
    then = "；走其他路径 take another path" if refusal.other_path else ""
    return f"`{refusal.missing_step}` {chinese}{fields}{then}"


def markdown(table: list[Row]) -> str:
    """The table as Markdown, one line per edge."""
    lines = [
        "| From | To | Route | Roles | Body fields | Refused until (`missing_step`) | Also, when… |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table:
        always = "<br>".join(_said(r) for r in row.always) or "—"
        conditional = "<br>".join(f"{label}: {_said(r)}" for label, r in row.conditional) or "—"
        fields = ", ".join(f"`{f}`" for f in row.fields) or "the document's body"
        roles = ", ".join(row.roles)
        lines.append(
            f"| `{row.source}` | `{row.target}` | `{row.route}` | {roles} | {fields} | {always} | {conditional} |"
        )
    return "\n".join(lines)
