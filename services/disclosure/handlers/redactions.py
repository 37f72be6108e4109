"""The editor's view of redaction (去标识化): the markers of the automatic proposal with their reasons, and the
edits that add a redaction or put an item back — both go through ``edit_publication``, so both are audited and
putting back needs a reason."""

from __future__ import annotations

from services.disclosure.domain.detectors import Category
from services.disclosure.domain.names import masked
from services.disclosure.domain.redaction import PLACEHOLDERS, PublicContent, redact_decision
from services.disclosure.handlers.publications import EDITABLE, edit_publication
from services.disclosure.schemas import RedactionAdd, RedactionMark, RedactionMarks, RedactionUndo
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import Publication
from shared.contracts.events import DecisionIssuedV1
from shared.errors import Conflict, Invalid
from shared.messaging import UnitOfWork


def redaction_marks(publication: Publication, settings: DisclosureSettings) -> RedactionMarks:
    """The automatic proposal for this decision, each marker with its reason, confidence and what it replaced."""
    decision = DecisionIssuedV1.model_validate(publication.decision)
    content = redact_decision(decision, name_style=settings.individual_name_style)
    originals = {
        "facts": decision.facts,
        "legal_basis": decision.legal_basis,
        "violation_type": decision.violation_type,
        "penalty.summary": decision.penalty.summary,
        "party.name": decision.party.name,
    }
    items = [
        RedactionMark(
            field=f.field,
            start=f.public_start,
            end=f.public_end,
            reason=f.category.value,
            confidence=f.confidence,
            removed=originals[f.field][f.start : f.start + f.length],
        )
        for f in content.findings
        if f.field in originals and f.start is not None and f.public_start is not None and f.public_end is not None
    ]
    proposed = (content.facts, content.legal_basis, content.violation_type, content.penalty["summary"])
    shown = (
        publication.public_facts,
        publication.public_legal_basis,
        publication.public_violation_type,
        publication.public_penalty.get("summary"),
    )
    return RedactionMarks(
        publication_id=publication.id,
        current=proposed == shown,
        review_below=settings.redaction_review_below,
        items=items,
    )


MARK_FIELDS = {
    "facts": "facts",
    "legal_basis": "legal_basis",
    "violation_type": "violation_type",
    "penalty.summary": "penalty_summary",
    "party.name": "party_name",
}


def public_text(publication: Publication, field: str) -> str:
    if field == "penalty_summary":
        return str(publication.public_penalty.get("summary", ""))
    return str(getattr(publication, EDITABLE[field]))


def with_redaction_added(publication: Publication, add: RedactionAdd) -> dict[str, str]:
    """The edit that withholds ``add``'s span: its marker in place of the text (a name as surname + 某)."""
    field = MARK_FIELDS[add.field]
    text = public_text(publication, field)
    if add.end > len(text) or add.start >= add.end:
        raise Invalid("隐去范围超出文本 The span lies outside the text")
    category = Category(add.reason)
    marker = masked(text[add.start : add.end]) if category == Category.NAME else PLACEHOLDERS[category]
    return {field: text[: add.start] + marker + text[add.end :]}


def with_redaction_undone(
    publication: Publication, undo: RedactionUndo, settings: DisclosureSettings
) -> dict[str, str]:
    """The edit that puts back what the proposal's marker at ``undo.start`` replaced; the marker must still be there."""
    marks = redaction_marks(publication, settings).items
    mark = next((m for m in marks if m.field == undo.field and m.start == undo.start), None)
    field = MARK_FIELDS[undo.field]
    text = public_text(publication, field)
    proposed = redact_decision(
        DecisionIssuedV1.model_validate(publication.decision), name_style=settings.individual_name_style
    )
    if mark is None or text[mark.start : mark.end] != _marker_text(proposed, mark):
        raise Conflict("该处已无隐去标记 No marker of the proposal stands there", slug="redaction-marker-missing")
    return {field: text[: mark.start] + mark.removed + text[mark.end :]}


async def add_redaction(
    uow: UnitOfWork, publication: Publication, add: RedactionAdd, *, actor: str, settings: DisclosureSettings
) -> Publication:
    """添加隐去: an audited edit that withholds the span."""
    changes = with_redaction_added(publication, add)
    return await edit_publication(uow, publication, changes, unredact_reason=None, actor=actor, settings=settings)


async def undo_redaction(
    uow: UnitOfWork, publication: Publication, undo: RedactionUndo, *, actor: str, settings: DisclosureSettings
) -> Publication:
    """撤销隐去: an audited edit that puts the item back, with the editor's reason."""
    changes = with_redaction_undone(publication, undo, settings)
    return await edit_publication(
        uow, publication, changes, unredact_reason=undo.unredact_reason, actor=actor, settings=settings
    )


def _marker_text(content: PublicContent, mark: RedactionMark) -> str:
    texts = {
        "facts": content.facts,
        "legal_basis": content.legal_basis,
        "violation_type": content.violation_type,
        "penalty.summary": str(content.penalty["summary"]),
        "party.name": content.party_name,
    }
    return texts[mark.field][mark.start : mark.end]
