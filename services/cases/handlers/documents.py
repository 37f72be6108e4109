"""The decision's documents (决定书, 送达回证) as PDF: rendered from the record, the decision document stored
content-addressed with its SHA-256 on the decision and in the audit chain."""

from __future__ import annotations

import asyncio

from services.cases.settings import CasesSettings
from services.cases.tables import Decision
from shared.contracts.common import DecisionKind, PartySnapshot, PartyType, PenaltyTerms
from shared.documents import render_pdf
from shared.documents.decisions import (
    DecisionText,
    decision_document,
    penalty_lines,
    statements_line,
    title_of,
)
from shared.documents.forms import ServiceReceiptText, service_receipt
from shared.errors import NotFound

# The kinds whose document orders a payment (罚款、没收): the others carry none (decision_terms.refuse_money_on_kind).
MONEY_KINDS = frozenset({DecisionKind.PENALTY, DecisionKind.DAILY_PENALTY})


def party_lines(party: PartySnapshot) -> tuple[tuple[str, str], ...]:
    """The party as the served document names it (GB/T 9704 layout of 行政执法文书): identity numbers and the
    address included; the public version is built from disclosure's redacted text instead."""
    individual = party.party_type == PartyType.INDIVIDUAL
    lines = [("当事人", party.name)]
    if individual:
        lines += [("公民身份号码", party.id_number or ""), ("住址", party.address or "")]
    else:
        representative = "经营者" if party.party_type == PartyType.SOLE_TRADER else "法定代表人"
        lines += [
            ("统一社会信用代码", party.credit_code or ""),
            (representative, party.legal_representative or ""),
            ("住所", party.address or ""),
        ]
    lines.append(("联系电话", party.phone or ""))
    return tuple((label, value) for label, value in lines if value)


def decision_text(decision: Decision, settings: CasesSettings) -> DecisionText:
    """What the decision document says, from the decision as recorded."""
    kind = DecisionKind(decision.kind)
    terms = dict(decision.terms or {})
    penalty = PenaltyTerms.model_validate(decision.penalty)
    adopted = terms.get("statements_adopted")
    money = kind in MONEY_KINDS and (penalty.fine_fen or penalty.confiscation_fen or terms.get("daily_penalty"))
    return DecisionText(
        kind=kind,
        title=title_of(kind, terms),
        document_number=decision.document_number,
        authority=settings.authority,
        decided_on=decision.decided_on,
        party=party_lines(PartySnapshot.model_validate(decision.party)),
        facts=decision.facts,
        legal_basis=decision.legal_basis,
        measures=tuple(penalty_lines(penalty.model_dump(mode="json"), kind, terms)),
        evidence=str(terms.get("evidence_summary") or ""),
        discretion=str(terms.get("discretion") or ""),
        statements=statements_line(adopted if isinstance(adopted, bool) else None),
        payment=settings.document_payment if money else "",
        remedies=settings.document_remedies,
    )


async def store_decision_document(decision: Decision, settings: CasesSettings) -> str:
    """Render the decision document, store it content-addressed and note its SHA-256 on the decision (the
    caller records it in the audit chain). Rendering runs in a thread: it takes tens of milliseconds of CPU."""
    pdf = await asyncio.to_thread(lambda: render_pdf(decision_document(decision_text(decision, settings))))
    stored = await settings.document_store().put_bytes(pdf)
    decision.document_sha256 = stored.sha256
    return stored.sha256


def stored_decision_document(decision: Decision, settings: CasesSettings) -> bytes:
    """The decision document as stored when issued (or last amended); 404 when it was never rendered (a decision
    recorded before documents were) or its file is gone."""
    sha256 = decision.document_sha256
    path = settings.document_store().path_of(sha256) if sha256 else None
    if path is None or not path.is_file():
        raise NotFound(f"决定书文本不存在 No document stored for decision {decision.id}", slug="document-not-found")
    return path.read_bytes()


def service_receipt_pdf(decision: Decision, settings: CasesSettings) -> bytes:
    """送达回证 for the decision: the service as recorded, or blank for the hand when not yet served."""
    party = PartySnapshot.model_validate(decision.party)
    receipt = ServiceReceiptText(
        authority=settings.authority,
        document_title=title_of(DecisionKind(decision.kind), decision.terms),
        document_number=decision.document_number,
        recipient=party.name,
        address=party.address or "",
        method=decision.service_method,
        served_on=decision.served_on,
    )
    return render_pdf(service_receipt(receipt))
