"""Re-checking what is already public (复核): the current detectors run over every published decision's public text.

A span they find now was published by mistake (older detectors, an editor's slip): the publication becomes a
correction — withdrawn with the reason ``redaction corrected`` (the notice stays public, as for any change,
行政处罚法 §48 ¶2: within 3 working days; here the same day) and republished at once with the span removed. The
publication keeps its original publication date and on-time flag. Text an editor put back on purpose, with a
reason (``unredact_reason``), is left as the editor decided.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from services.disclosure.domain.redaction import Finding, party_facts, redact_text
from services.disclosure.handlers.publications import EDITABLE, audit, findings_report, publish
from services.disclosure.handlers.withdrawal import withdraw
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import Publication
from shared.audit import history
from shared.contracts.common import PartySnapshot
from shared.messaging import UnitOfWork
from shared.workdays import Calendar

REASON = "redaction corrected"
ACTOR = "system:redaction-recheck"


@dataclass(frozen=True)
class RecheckPage:
    checked: int
    corrected: list[str]
    last_id: str | None


async def recheck_page(
    uow: UnitOfWork,
    *,
    after: str | None,
    limit: int,
    today: date,
    calendar: Calendar,
    settings: DisclosureSettings,
) -> RecheckPage:
    """One page (by id) of published decisions; corrects those in which the detectors find a span now."""
    query = select(Publication).where(Publication.status == "published").order_by(col(Publication.id)).limit(limit)
    if after is not None:
        query = query.where(col(Publication.id) > after)
    publications = list((await uow.session.execute(query)).scalars())
    corrected: list[str] = []
    for publication in publications:
        changes = _rescrubbed(publication)
        if changes and not await _unredacted_on_purpose(uow, publication):
            await _correct(uow, publication, changes, today=today, calendar=calendar, settings=settings)
            corrected.append(publication.id)
    return RecheckPage(len(publications), corrected, publications[-1].id if publications else None)


def _rescrubbed(publication: Publication) -> dict[str, tuple[str, tuple[Finding, ...]]]:
    """Per public text field: the text with what the detectors find now removed, and the findings."""
    party = party_facts(PartySnapshot.model_validate(publication.decision["party"]))
    texts = {field: str(getattr(publication, column)) for field, column in EDITABLE.items()}
    texts["penalty_summary"] = str(publication.public_penalty.get("summary", ""))
    changes: dict[str, tuple[str, tuple[Finding, ...]]] = {}
    for field, text in texts.items():
        result = redact_text(text, field=field, party=party)
        if result.findings:
            changes[field] = (result.text, result.findings)
    return changes


async def _unredacted_on_purpose(uow: UnitOfWork, publication: Publication) -> bool:
    rows = await history(uow.session, entity_type="publication", entity_id=publication.id)
    return any(row.action == "edited" and json.loads(row.data).get("unredacted") for row in rows)


async def _correct(
    uow: UnitOfWork,
    publication: Publication,
    changes: dict[str, tuple[str, tuple[Finding, ...]]],
    *,
    today: date,
    calendar: Calendar,
    settings: DisclosureSettings,
) -> None:
    first_published, on_time = publication.published_on, publication.on_time
    await withdraw(
        uow,
        publication,
        cause="amended",
        reason=REASON,
        changed_on=today,
        today=today,
        actor=ACTOR,
        calendar=calendar,
        settings=settings,
        correlation_id=None,
    )
    findings: list[Finding] = []
    for field, (text, found) in changes.items():
        findings.extend(found)
        if field == "penalty_summary":
            publication.public_penalty = {**publication.public_penalty, "summary": text}
        else:
            setattr(publication, EDITABLE[field], text)
    report = findings_report(tuple(findings))
    await audit(
        uow,
        publication,
        actor=ACTOR,
        action="redaction_corrected",
        data={"fields": sorted(changes), "redacted": report},
    )
    publication.redaction_report = [*publication.redaction_report, *report]
    publication.status = "pending"
    await publish(uow, publication, actor=ACTOR, today=today, settings=settings, correlation_id=None)
    publication.published_on, publication.on_time = first_published, on_time
    publication.withdrawn_on = publication.withdrawal_reason = None
