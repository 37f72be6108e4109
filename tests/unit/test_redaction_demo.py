"""The demo year re-checked with the current detectors, as ``greenlaw disclosure recheck`` does after a load.

Every decision text the demo plan issues is redacted as at publication; the published text then gives the
re-check nothing to correct (so the demo's published figures never change), and no party's ID number or home
address is in it.
"""

from __future__ import annotations

from datetime import date

from services.demo.plan import build_plan
from services.disclosure.domain.redaction import party_facts, redact_decision, redact_text
from shared.contracts.common import DecisionKind, PartySnapshot, PartyType, PenaltyTerms
from shared.contracts.events import DecisionIssuedV1


def demo_decisions() -> list[DecisionIssuedV1]:
    plan = build_plan(air_days=1)
    parties = {p.key: p for p in plan.parties}
    issued = [(c.kind, c.party, c.violation, c.decided_on) for c in plan.cases if c.decided_on is not None]
    issued += [(s.kind, s.party, s.violation, s.decided_on) for s in plan.standalone]
    decisions = []
    for n, (kind, key, violation, decided_on) in enumerate(issued):
        party = parties[key]
        decisions.append(
            DecisionIssuedV1(
                decision_id=f"d{n}",
                kind=DecisionKind.PENALTY if kind == "referral" else DecisionKind(kind),
                document_number=f"津西青环罚〔2021〕{n}号",
                decided_on=decided_on or date(2021, 1, 1),
                party=PartySnapshot(
                    party_id=party.key,
                    party_type=PartyType(party.party_type),
                    name=party.name,
                    credit_code=party.credit_code,
                    id_number=party.id_number,
                    legal_representative=party.legal_representative,
                    address=party.address,
                    town=party.town,
                ),
                facts=violation.facts,
                legal_basis=violation.legal_basis,
                penalty=PenaltyTerms(fine_fen=violation.fine_fen, summary=violation.penalty_summary),
                violation_type=violation.violation_type,
            )
        )
    return decisions


def test_the_published_demo_texts_give_the_recheck_nothing_to_correct() -> None:
    decisions = demo_decisions()
    assert len(decisions) > 100
    for decision in decisions:
        content = redact_decision(decision, name_style="full")
        party = party_facts(decision.party)
        for text in (content.facts, content.legal_basis, content.violation_type, str(content.penalty["summary"])):
            assert redact_text(text, party=party).findings == (), text
            for private in (decision.party.id_number, decision.party.address):
                if private and decision.party.party_type != PartyType.ORGANISATION:
                    assert private not in text
