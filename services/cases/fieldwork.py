"""Use cases of field work: inspections (现场检查) and leads (线索), including leads from monitoring exceedances."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, select

from services.cases.case_schemas import InspectionCreate, LeadCreate, LeadDecline, LeadSource
from services.cases.case_tables import Inspection, Lead
from services.cases.common import SHANGHAI, load, local_date, new_id, page
from services.cases.domain.deadlines import Calendar, lead_filing_due
from services.cases.settings import CasesSettings
from services.cases.tables import Officer, Party
from shared.audit import append_audit
from shared.contracts.events import ExceedanceDetectedV1
from shared.messaging import UnitOfWork
from shared.problems import Problem


async def require_credentialed(uow: UnitOfWork, officer_ids: list[str], *, on: date, settings: CasesSettings) -> None:
    """At least two distinct, active officers whose credentials are valid on the day (行政处罚法 §42, §55)."""
    distinct = sorted(set(officer_ids))
    found = {o.id: o for o in (await uow.session.exec(select(Officer).where(col(Officer.id).in_(distinct)))).all()}
    unknown = [i for i in distinct if i not in found]
    invalid = [
        o.id
        for o in found.values()
        if not o.active or (o.credential_valid_until is not None and o.credential_valid_until < on)
    ]
    valid = len(distinct) - len(unknown) - len(invalid)
    if valid < 2:
        raise Problem(
            422,
            "执法人员不得少于两人且须持有效执法证 "
            f"At least two officers with valid credentials are required ({valid} valid given)",
            slug="two-officers-required",
            rule=settings.citations["two_officers"],
            unknown_officers=unknown,
            invalid_credentials=invalid,
        )


async def record_inspection(
    uow: UnitOfWork, body: InspectionCreate, *, settings: CasesSettings, calendar: Calendar, actor: str
) -> Inspection:
    on = local_date(body.inspected_at)
    await require_credentialed(uow, body.officer_ids, on=on, settings=settings)
    party = await load(uow.session, Party, body.party_id, "当事人") if body.party_id else None
    inspection = Inspection(
        id=new_id(), inspected_on=on, recorded_by=actor, **body.model_dump(exclude={"open_lead", "officer_ids"})
    )
    inspection.officer_ids = sorted(set(body.officer_ids))
    if body.open_lead:
        lead = await _new_lead(
            uow,
            source=LeadSource.INSPECTION,
            received_on=on,
            summary=body.findings,
            party_id=body.party_id,
            town=party.town if party else None,
            calendar=calendar,
            settings=settings,
            actor=actor,
            inspection_id=inspection.id,
        )
        inspection.lead_id = lead.id
    uow.session.add(inspection)
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="inspection",
        entity_id=inspection.id,
        action="recorded",
        data={"officers": inspection.officer_ids, "place": body.place, "lead_id": inspection.lead_id},
    )
    return inspection


async def _new_lead(
    uow: UnitOfWork,
    *,
    source: LeadSource,
    received_on: date,
    summary: str,
    calendar: Calendar,
    settings: CasesSettings,
    actor: str,
    **extra: Any,
) -> Lead:
    due = lead_filing_due(calendar, received_on, extended=False, limits=settings.limits)
    lead = Lead(id=new_id(), source=source.value, received_on=received_on, summary=summary, due_on=due.due_on, **extra)
    uow.session.add(lead)
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="lead",
        entity_id=lead.id,
        action="received",
        data={"source": source.value, "due_on": lead.due_on},
    )
    return lead


async def create_lead(
    uow: UnitOfWork, body: LeadCreate, *, settings: CasesSettings, calendar: Calendar, actor: str
) -> Lead:
    if body.party_id:
        await load(uow.session, Party, body.party_id, "当事人")
    return await _new_lead(
        uow,
        source=body.source,
        received_on=body.received_on,
        summary=body.summary,
        party_id=body.party_id,
        town=body.town,
        calendar=calendar,
        settings=settings,
        actor=actor,
    )


async def lead_from_exceedance(
    uow: UnitOfWork,
    payload: ExceedanceDetectedV1,
    *,
    received_on: date,
    settings: CasesSettings,
    calendar: Calendar,
    actor: str,
) -> None:
    """监测超标 → 线索; one lead per exceedance even if the event arrives again under a new id. ``received_on`` is the
    day the lead reached the bureau (the 15-day filing clock runs from it), not a day of the measured period."""
    existing = await uow.session.exec(select(Lead).where(Lead.exceedance_id == payload.exceedance_id))
    if existing.first() is not None:
        return
    summary = (
        f"{payload.station_name}（{payload.station_code}）{payload.parameter} 监测值 {payload.value}{payload.unit}，"
        f"超过限值 {payload.limit}{payload.unit}（{local_period(payload.period_start, payload.period_end)}）"
    )
    await _new_lead(
        uow,
        source=LeadSource.MONITORING,
        received_on=received_on,
        summary=summary,
        town=payload.town,
        exceedance_id=payload.exceedance_id,
        details=payload.model_dump(mode="json"),
        calendar=calendar,
        settings=settings,
        actor=actor,
    )


def local_period(start: datetime, end: datetime) -> str:
    """A measured period as staff read it, in Asia/Shanghai: ``2025-01-01 00:00–01:00`` within a day,
    ``2025-01-01 00:00–2025-01-02 00:00`` across midnight (a daily value)."""
    start, end = (_local(moment) for moment in (start, end))
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{until}"


def _local(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(SHANGHAI)


async def open_lead(uow: UnitOfWork, lead_id: str) -> Lead:
    lead = await load(uow.session, Lead, lead_id, "线索")
    if lead.status != "open":
        raise Problem(409, f"线索已处理 The lead is already {lead.status}", slug="lead-decided", missing_step="none")
    return lead


async def extend_lead(
    uow: UnitOfWork, lead_id: str, *, settings: CasesSettings, calendar: Calendar, actor: str
) -> Lead:
    """+15 days with the head's approval, once."""
    lead = await open_lead(uow, lead_id)
    if lead.extended:
        raise Problem(409, "线索核查期限只能延长一次 The lead was already extended", slug="lead-extended")
    lead.extended = True
    lead.due_on = lead_filing_due(calendar, lead.received_on, extended=True, limits=settings.limits).due_on
    lead.version += 1
    uow.session.add(lead)
    await append_audit(
        uow.session, actor=actor, entity_type="lead", entity_id=lead.id, action="extended", data={"due_on": lead.due_on}
    )
    return lead


async def decline_lead(uow: UnitOfWork, lead_id: str, body: LeadDecline, *, actor: str) -> Lead:
    """不予立案: the head's decision, with the reason."""
    lead = await open_lead(uow, lead_id)
    lead.status, lead.decline_reason = "declined", body.reason
    lead.decided_by, lead.decided_on = actor, body.decided_on
    lead.version += 1
    uow.session.add(lead)
    await append_audit(
        uow.session, actor=actor, entity_type="lead", entity_id=lead.id, action="declined", data={"reason": body.reason}
    )
    return lead


async def list_leads(
    uow: UnitOfWork, *, status: str | None, source: str | None, cursor: str | None, limit: int
) -> tuple[list[Lead], str | None]:
    statement = select(Lead)
    if status:
        statement = statement.where(Lead.status == status)
    if source:
        statement = statement.where(Lead.source == source)
    return await page(uow.session, statement, Lead, cursor=cursor, limit=limit)
