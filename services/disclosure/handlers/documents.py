"""The public version of a decision document (公开版决定书) as PDF, rendered from the public model only.

It is built from ``PublicDecision`` — the redacted ``public_*`` columns — never from the decision as issued, so the
PDF can carry nothing the public JSON does not. A withdrawn decision has no document any more: only its notice.
"""

from __future__ import annotations

from services.disclosure.schemas import PublicDecision
from shared.documents import render_pdf
from shared.documents.decisions import DecisionText, decision_document, penalty_lines, title_of
from shared.errors import NotFound


def document_path(publication_id: str) -> str:
    """Where the public API serves the document (relative, so cached JSON does not depend on the host)."""
    return f"/public/v1/decisions/{publication_id}.pdf"


def public_text(item: PublicDecision) -> DecisionText:
    if item.withdrawal is not None or item.penalty is None:
        raise NotFound(f"该决定已撤回公示 Decision {item.id} was withdrawn", slug="decision-withdrawn")
    party = (
        ("当事人", item.party_name or ""),
        ("统一社会信用代码", item.credit_code or ""),
        ("法定代表人", item.legal_representative or ""),
    )
    return DecisionText(
        kind=item.kind,
        title=title_of(item.kind),
        document_number=item.document_number,
        authority=item.authority,
        decided_on=item.decided_on,
        party=party,
        facts=item.facts or "",
        legal_basis=item.legal_basis or "",
        measures=tuple(penalty_lines(item.penalty.model_dump(mode="json"), item.kind)),
        public=True,
    )


def public_document(item: PublicDecision) -> bytes:
    """The redacted decision as PDF; 404 once withdrawn."""
    return render_pdf(decision_document(public_text(item)))
